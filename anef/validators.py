"""Validators shared by every app's forms."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Bidirectional embeddings, overrides and isolates: they reorder how a name is displayed (a name
# that reads differently in the e-mail than it was typed). Zero-width joiners stay allowed:
# Persian and Indic names need them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def validate_person_name(value: str) -> None:
    """A person's name holds no control character (issue 15): a newline typed in the public
    contact form's name went into the confirmation e-mail sent to any typed address (header
    and content injection). Used by the name fields of every public form."""
    for character in value:
        if unicodedata.category(character) in {"Cc", "Zl", "Zp"} or character in _BIDI_CONTROLS:
            raise ValidationError(
                _("A name cannot contain line breaks or other control characters."),
                code="control_character",
            )
