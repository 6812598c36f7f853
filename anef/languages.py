"""Which language to write to a person in (e-mails, texts, correction requests)."""

from typing import Any

from django.conf import settings


def person_language(person: Any) -> str:
    """The person's preferred language if the portal speaks it, else the site's (French)."""
    language = (getattr(person, "preferred_language", "") or "").split("-")[0].lower()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
