"""The outbox: every message the project sends (issue 17), whatever its channel.

Why: e-mails were sent in on-commit callbacks or inside the sweeps, each app its own way, and one
was lost whenever the mail server refused it. Now (les-emplois' e-mail table, django-mailer's and
post_office's queues):

- `enqueue` writes one `OutgoingMessage` row per recipient **in the caller's transaction**: the
  message exists if and only if the change it tells about was committed. An idempotency key,
  unique in the database, makes a second enqueue of the same message (a task run twice) a no-op.
- On commit, a nudge asks a worker to send that message at once (`anef.outbox_send`); beat runs
  `anef.outbox_send_due` every OUTBOX_SWEEP_SECONDS for the ones the nudge missed (worker or
  broker down) and for the retries.
- A worker claims each message under a row lock (`SELECT … FOR UPDATE SKIP LOCKED`), sends it
  through the sender of its channel (`CHANNELS`), marks it sent and erases its text (it may
  carry a private link), in one transaction per message. A failed sending is counted and tried
  again after an exponential backoff (`retry_delay`); after OUTBOX_MAX_ATTEMPTS it is marked
  failed for good, logged at ERROR, shown in the admin and in /metrics.

Delivery is **at least once**, not exactly once: if the mail server accepts a message and the
database commit that marks it sent then fails (or the worker dies in between), the message is
sent again at the next run. Two workers never send the same message at the same time (the row
lock); nothing can make the remote server and our database commit together.

Not here: one-time codes (anef/one_time_codes.py) keep their own direct sending — their design
is that neither the code nor the address is ever stored in clear, and a 15-minute code retried
for hours is of no use (the person asks for a new one).
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from anef.enums import MessageChannel, MessageStatus
from anef.models import OutgoingMessage
from anef.sms import SmsChannel

logger = logging.getLogger(__name__)

# How many messages one run of `outbox_send_due` sends at most (the next run goes on).
BATCH_LIMIT = 500
ERROR_MAX_LENGTH = 2000


# --- Policy: when to try again ------------------------------------------------------------------


def retry_delay(attempts: int, *, base_seconds: int, max_seconds: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: base, 2 × base, 4 × base, …, never
    more than `max_seconds` (a mail server down for an hour is not hammered, one down for a day
    is still tried a few times)."""
    if attempts < 1:
        return timedelta(0)
    return timedelta(seconds=min(base_seconds * 2 ** (attempts - 1), max_seconds))


def _next_attempt_at(attempts: int, now: datetime) -> datetime:
    return now + retry_delay(
        attempts,
        base_seconds=settings.OUTBOX_RETRY_BASE_SECONDS,
        max_seconds=settings.OUTBOX_RETRY_MAX_SECONDS,
    )


# --- Channels -----------------------------------------------------------------------------------


class Channel(Protocol):
    def open(self) -> Any: ...

    def send(self, message: OutgoingMessage, session: Any) -> None: ...

    def close(self, session: Any) -> None: ...


class EmailChannel:
    """Django's configured e-mail backend; one connection for a whole run of the worker."""

    def open(self) -> Any:
        connection = get_connection()
        connection.open()
        return connection

    def send(self, message: OutgoingMessage, session: Any) -> None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=message.sender or None,
            to=[message.recipient],
            connection=session,
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        if not email.send():
            # A backend that answers "0 sent" without raising (fail_silently somewhere).
            raise RuntimeError("the e-mail backend sent nothing")

    def close(self, session: Any) -> None:
        try:
            session.close()
        except Exception:  # a connection already broken by the error being handled
            logger.debug("Outbox: closing the e-mail connection failed", exc_info=True)


CHANNELS: dict[str, Channel] = {
    MessageChannel.EMAIL: EmailChannel(),
    MessageChannel.SMS: SmsChannel(),  # issue 21 (anef/sms.py)
}


# --- Enqueue ------------------------------------------------------------------------------------


def enqueue(
    *,
    recipient: str,
    body: str,
    subject: str = "",
    html_body: str = "",
    channel: str = MessageChannel.EMAIL,
    sender: str = "",
    language: str | None = None,
    idempotency_key: str | None = None,
    person: Any = None,
) -> OutgoingMessage | None:
    """Write one message in the caller's transaction, to be sent after commit.

    Returns the new message, or None when a message with the same `idempotency_key` already
    exists (it is not written again). Without a key the message is always new."""
    if channel not in CHANNELS:
        raise ValueError(f"No sender for channel {channel!r}")
    if not recipient:
        raise ValueError("A message needs a recipient")
    key = idempotency_key or f"uuid:{uuid.uuid4()}"
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the caller's work intact
            message = OutgoingMessage.objects.create(
                channel=channel,
                recipient=recipient,
                sender=sender,
                subject=subject,
                body=body,
                html_body=html_body,
                language=(translation.get_language() or "") if language is None else language,
                idempotency_key=key,
                person=person if getattr(person, "pk", None) else None,
            )
    except IntegrityError:
        if OutgoingMessage.objects.filter(idempotency_key=key).exists():
            logger.info("Outbox: message %s already enqueued, not written again", key)
            return None
        raise
    transaction.on_commit(lambda: _nudge(message.pk), robust=True)
    return message


def _email_rows(
    email: EmailMessage, *, idempotency_key: str | None, language: str | None, person: Any
) -> list[dict[str, Any]]:
    """The outbox rows of a Django `EmailMessage` built the usual way (bilingual_message,
    allauth's render_mail): one per address in `to`, same subject, text, HTML alternative and
    sender. Copies, attachments and extra headers are refused rather than dropped: no e-mail of
    the project uses them, and the outbox would not carry them."""
    if email.cc or email.bcc or email.attachments or email.extra_headers or email.reply_to:
        raise ValueError("The outbox carries no copies, attachments, headers or reply-to")
    html = ""
    if email.content_subtype == "html":
        text, html = "", email.body
    else:
        text = email.body
    for content, mimetype in getattr(email, "alternatives", None) or []:
        if mimetype != "text/html" or html:
            raise ValueError(f"The outbox carries one HTML alternative, not {mimetype}")
        html = content
    return [
        {
            "recipient": address,
            "subject": str(email.subject),
            "body": text,
            "html_body": html,
            "sender": email.from_email or "",
            "language": language,
            "idempotency_key": f"{idempotency_key}:{index}" if idempotency_key else None,
            "person": person,
        }
        for index, address in enumerate(_unique(email.to))
    ]


def enqueue_email(
    email: EmailMessage,
    *,
    idempotency_key: str | None = None,
    language: str | None = None,
    person: Any = None,
) -> list[OutgoingMessage]:
    """`enqueue` for each address of a Django `EmailMessage`; the messages written."""
    rows = _email_rows(email, idempotency_key=idempotency_key, language=language, person=person)
    return [message for row in rows if (message := enqueue(**row)) is not None]


def enqueue_emails(emails: Iterable[tuple[EmailMessage, str, Any]], *, language: str) -> None:
    """A sweep's batch of e-mails, each `(email, idempotency_key, person)`, written in one
    INSERT (a duplicate key is skipped by the database: ON CONFLICT DO NOTHING), and one nudge
    of the outbox's sweep on commit: a constant number of queries however large the batch."""
    enqueue_bulk(
        [
            OutgoingMessage(
                channel=MessageChannel.EMAIL,
                **{**row, "idempotency_key": row["idempotency_key"] or f"uuid:{uuid.uuid4()}"},
            )
            for email, key, person in emails
            for row in _email_rows(email, idempotency_key=key, language=language, person=person)
        ]
    )


def enqueue_bulk(rows: list[OutgoingMessage]) -> None:
    """Unsaved messages (any channel, each with its idempotency key) written in one INSERT, a
    duplicate key skipped by the database, and one nudge of the sweep on commit."""
    if rows:
        OutgoingMessage.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(_nudge_due, robust=True)


def _unique(addresses: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for address in addresses:
        if address and address not in seen:
            seen.append(address)
    return seen


def _nudge(message_id: int) -> None:
    """Ask a worker to send this message now; if the broker is down, beat's sweep sends it."""
    from anef.tasks import outbox_send

    outbox_send.delay(message_id)


def _nudge_due() -> None:
    from anef.tasks import outbox_send_due

    outbox_send_due.delay()


def outbox_retry(message_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """An administrator's "try again now" (admin action), once the cause is fixed: failed or
    waiting messages are due at once with a fresh count of attempts. Sent ones are untouched
    (their text is erased). Returns the number of messages put back in the queue."""
    now = now or timezone.now()
    ids = list(message_ids)
    with transaction.atomic():
        retried = OutgoingMessage.objects.filter(
            pk__in=ids, status__in=[MessageStatus.PENDING, MessageStatus.FAILED]
        ).update(status=MessageStatus.PENDING, attempts=0, next_attempt_at=now)
        for pk in ids:
            transaction.on_commit(lambda pk=pk: _nudge(pk), robust=True)
    return retried


# --- Send ---------------------------------------------------------------------------------------


@dataclass
class _Sessions:
    """One open session (an SMTP connection) per channel for a run; closed after an error so
    that the next message opens a fresh one."""

    open: dict[str, Any]

    def get(self, channel: str) -> Any:
        if channel not in self.open:
            self.open[channel] = CHANNELS[channel].open()
        return self.open[channel]

    def drop(self, channel: str) -> None:
        session = self.open.pop(channel, None)
        if session is not None:
            CHANNELS[channel].close(session)

    def close(self) -> None:
        for channel in list(self.open):
            self.drop(channel)


def _claim(queryset, now: datetime) -> OutgoingMessage | None:
    return (
        queryset.select_for_update(skip_locked=True)
        .filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .first()
    )


def _deliver(message: OutgoingMessage, sessions: _Sessions, now: datetime) -> bool:
    """Send one claimed message and record the outcome on its row (the caller holds its lock)."""
    message.attempts += 1
    try:
        CHANNELS[message.channel].send(message, sessions.get(message.channel))
    except Exception as exc:  # SMTP refusal, connection refused, timeout: all tried again
        sessions.drop(message.channel)
        message.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
            logger.error(
                "Outbox: message %s (%s) failed for good after %s attempts: %s",
                message.pk,
                message.channel,
                message.attempts,
                message.last_error,
            )
        else:
            message.next_attempt_at = _next_attempt_at(message.attempts, now)
            logger.warning(
                "Outbox: message %s (%s) not sent (attempt %s), next try at %s: %s",
                message.pk,
                message.channel,
                message.attempts,
                message.next_attempt_at.isoformat(),
                message.last_error,
            )
        message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        return False
    message.status = MessageStatus.SENT
    message.sent_at = now
    message.last_error = ""
    message.body = message.html_body = ""  # sent: the text (and any private link in it) goes
    message.save(update_fields=["attempts", "last_error", "status", "sent_at", "body", "html_body"])
    return True


def outbox_send_one(message_id: int, *, now: datetime | None = None) -> bool:
    """Send one message if it is still pending and due; False if it is gone, already sent,
    not due, being sent by another worker, or failed again."""
    now = now or timezone.now()
    sessions = _Sessions(open={})
    try:
        with transaction.atomic():
            message = _claim(OutgoingMessage.objects.filter(pk=message_id), now)
            if message is None:
                return False
            return _deliver(message, sessions, now)
    finally:
        sessions.close()


def outbox_send_due(*, now: datetime | None = None, limit: int = BATCH_LIMIT) -> int:
    """Send every due message, each claimed and marked in its own transaction (a worker that
    dies mid-run resends at most the one it was sending). Returns the number sent."""
    now = now or timezone.now()
    sessions = _Sessions(open={})
    sent = 0
    try:
        for _ in range(limit):
            with transaction.atomic():
                message = _claim(OutgoingMessage.objects.all(), now)
                if message is None:
                    break
                sent += _deliver(message, sessions, now)
    finally:
        sessions.close()
    return sent
