"""E-mails to people: French first, then English, in one message (DESIGN.md §5) — the person
may read either, and an e-mail cannot ask which."""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

EMAIL_LANGUAGES = ("fr", "en")
SEPARATOR = "\n\n----------------------------------------\n\n"


def in_languages(render: Callable[[], str]) -> list[str]:
    """The same text in each language, one identical to the previous left out (no English
    written twice while a French translation is missing)."""
    texts: list[str] = []
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            text = str(render()).strip()
        if text not in texts:
            texts.append(text)
    return texts


def bilingual_message(
    *,
    to: list[str],
    subject: Callable[[], str],
    template: str,
    context: dict,
    connection=None,
) -> EmailMessage:
    """One message: the subjects joined by " / ", the bodies one below the other."""
    return EmailMessage(
        subject=" / ".join(in_languages(subject)),
        body=SEPARATOR.join(in_languages(lambda: render_to_string(template, context))) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        connection=connection,
    )
