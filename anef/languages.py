"""Which language to write to a person in (e-mails, texts, correction requests)."""

from typing import Any

from django.conf import settings


def spoken_language(value: str | None) -> str | None:
    """The portal's language a code names (`ar`, `fr-FR` → `fr`), or None if it speaks none."""
    language = (value or "").split("-")[0].lower()
    return language if language in dict(settings.LANGUAGES) else None


def person_language(person: Any) -> str:
    """The person's preferred language if the portal speaks it, else the site's (French)."""
    return spoken_language(getattr(person, "preferred_language", "")) or settings.LANGUAGE_CODE
