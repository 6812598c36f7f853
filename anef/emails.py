"""E-mails to people: French first, then English, in one message (DESIGN.md §5) — the person
may read either, and an e-mail cannot ask which. They leave through the outbox
(`bilingual_email_enqueue`, anef/outbox.py): written in the caller's transaction, sent after."""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from anef.outbox import enqueue_email

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


def bilingual_email_enqueue(
    *,
    to: list[str],
    subject: Callable[[], str],
    template: str,
    context: dict,
    idempotency_key: str | None = None,
    person=None,
) -> int:
    """`bilingual_message` written to the outbox in the caller's transaction (one message per
    address); the number of messages written (0 for a duplicate key)."""
    message = bilingual_message(to=to, subject=subject, template=template, context=context)
    return len(
        enqueue_email(
            message,
            idempotency_key=idempotency_key,
            language="+".join(EMAIL_LANGUAGES),
            person=person,
        )
    )
