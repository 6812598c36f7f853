"""Text messages (issue 21): one more channel of the outbox, for the people who choose it.

Why: many people this portal serves do not read e-mail; a short text on the phone reaches them.
But a phone is often shared, and a text is read on a locked screen: so a text **names neither
the procedure nor the prefecture** — a short neutral sentence and a link to the account, behind
the login. And a text longer than one segment is paid twice (and read in pieces), so each
template is written to fit one segment in French, English and Arabic at the longest value of
each field (`tests/anef/test_sms_segments.py` renders them all), and anything over
`MAX_SEGMENTS` is not sent at all.

- Sending goes through django-sms (interchangeable backends, like Django's e-mail ones):
  `SMS_BACKEND` is the console backend by default, so `make run` needs nothing; the generic
  HTTP provider (anef/sms_backends.py) is chosen by environment; the tests use locmem.
- `sms_enqueue` / `sms_enqueue_many` write the text to the outbox (anef/outbox.py: retries, text
  erased once sent) in the caller's transaction, **once per person, kind, due day** through the
  notification log (channel "sms"), and only for people who chose text messages and verified
  their number (`person.sms_number`, accounts.models.User). The log keeps no content; nor do the
  outbox's log lines.
- `segments` counts what the network bills: GSM-7 (160 characters, 153 a part; a few
  characters count twice) unless one character is outside it, then UCS-2 (70, 67 a part; an
  emoji counts twice). French « », ê, ç or a typographic apostrophe force UCS-2; Arabic always.
"""

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sms as django_sms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from anef.enums import MessageChannel, NotificationKind, NotificationLogChannel
from anef.languages import person_language
from anef.models import OutgoingMessage
from anef.notifications import Notification, notifications_record

logger = logging.getLogger(__name__)

MAX_SEGMENTS = 2
# SMS_SITE_URL has at most this many characters (e.g. `https://anef.fr`): `manage.py check`
# refuses a longer one when texts are really sent (anef/checks.py), because an Arabic text has
# 70 characters in all and an appointment's must hold its day, time and cancel link.
SMS_SITE_URL_MAX_LENGTH = 16
# The longest links a text carries, which the segment test renders at that site's length: the
# account's (`sms_link`), and an appointment's or an offer's, `/r/<key>` or `/o/<key>`, whose key
# has 16 characters for any number below 36**5 = 60,466,176 (substitution/cancel_links.py). A
# higher number makes the key one character longer: an Arabic appointment text may then take a
# second segment, and is still sent (MAX_SEGMENTS).
LINK_MAX_LENGTH = SMS_SITE_URL_MAX_LENGTH + len("/portal/")
APPOINTMENT_LINK_MAX_LENGTH = SMS_SITE_URL_MAX_LENGTH + len("/r/") + 16

# --- Segments -----------------------------------------------------------------------------------

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def segments(text: str) -> SegmentCount:
    """How many SMS segments `text` takes (3GPP TS 23.038 / 23.040)."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text):
        units = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    count = 1 if units <= single else math.ceil(units / part)
    return SegmentCount(encoding=encoding, units=units, segments=count)


# --- Templates ----------------------------------------------------------------------------------

# One template per kind of text (templates/sms/<name>.txt); the renewal reminders of every kind
# share one neutral text.
TEMPLATES: dict[str, str] = {
    NotificationKind.RENEWAL_WINDOW_OPEN_120: "renewal_reminder",
    NotificationKind.RENEWAL_REMINDER_90: "renewal_reminder",
    NotificationKind.RENEWAL_REMINDER_70: "renewal_reminder",
    NotificationKind.RENEWAL_INCOMPLETE_30: "renewal_reminder",
    NotificationKind.RENEWAL_INCOMPLETE_20: "renewal_reminder",
    NotificationKind.ATTESTATION_READY: "attestation_ready",
    NotificationKind.CORRECTION_REQUESTED: "correction_requested",
    NotificationKind.CALLBACK_SCHEDULED: "callback_scheduled",
    NotificationKind.APPOINTMENT_CONFIRMED: "appointment_confirmed",
    NotificationKind.APPOINTMENT_REMINDER: "appointment_reminder",
    NotificationKind.SLOT_OFFER: "slot_offer",
}
# The fields each template expects (all strings, made by sms_link / sms_day / sms_time).
FIELDS: dict[str, tuple[str, ...]] = {
    "renewal_reminder": ("link",),
    "attestation_ready": ("link",),
    "correction_requested": ("link",),
    "callback_scheduled": ("day", "time", "link"),
    "appointment_confirmed": ("day", "time", "link"),
    "appointment_reminder": ("day", "time", "link"),
    "slot_offer": ("link",),
    "one_time_code": ("code", "minutes"),
}


def sms_link(path: str = "/portal/") -> str:
    """A link for a text: the SMS site address (SMS_SITE_URL, a short one if the site has it)
    and a short path, never an identifier of the person or their dossier."""
    return f"{settings.SMS_SITE_URL.rstrip('/')}{path}"


def sms_day(value: date | datetime) -> str:
    """A day as 31/12: short, and the same in every language."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime("%d/%m")


def sms_time(value: datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def sms_render(template: str, context: dict[str, str], *, language: str) -> str:
    """The text of `template` in `language`, on one line (a text has no layout)."""
    missing = set(FIELDS[template]) - set(context)
    if missing:
        raise ValueError(f"SMS template {template} needs {sorted(missing)}")
    with translation.override(language):
        text = render_to_string(f"sms/{template}.txt", context)
    return " ".join(text.split())


# --- Enqueue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsNotice:
    """One text to send once: to whom (an account with `pk`, `sms_number` — empty when the
    person did not choose texts or has no verified number — and `preferred_language`), what
    (a NotificationKind), due which day, about what (NotificationSubject, id) and the fields of
    its template."""

    person: Any
    kind: str
    subject_type: str
    subject_id: int
    context: dict[str, str] = field(default_factory=dict)
    due_day: date | None = None


def _number(person: Any) -> str:
    return (getattr(person, "sms_number", "") or "") if person is not None else ""


# Kinds told once per thing rather than once a day: each booking has its own cancel link, so the
# booking that replaces another the same day (an earlier slot taken) must be texted too (walked
# 2026-12-04: the new appointment's text never went, and the only link the person held was the
# cancelled one's). Their texts skip the daily log; the outbox's key keeps them to one each.
ONCE_PER_SUBJECT = frozenset({NotificationKind.APPOINTMENT_CONFIRMED})


def sms_enqueue_many(notices: Iterable[SmsNotice], *, today: date | None = None) -> int:
    """Write the texts of `notices` to the outbox, in the caller's transaction, for the people
    who chose texts, each once per (person, kind, due day) — or once per subject for the kinds
    of `ONCE_PER_SUBJECT`: a constant number of queries (one log statement, one INSERT).
    Returns the number of texts written."""
    today = today or timezone.localdate()
    eligible = [notice for notice in notices if _number(notice.person)]
    if not eligible:
        return 0
    daily = [notice for notice in eligible if notice.kind not in ONCE_PER_SUBJECT]
    written = {
        notification.key
        for notification in notifications_record(
            Notification(
                person_id=notice.person.pk,
                kind=notice.kind,
                due_day=notice.due_day or today,
                channel=NotificationLogChannel.SMS,
                subject_type=notice.subject_type,
                subject_id=notice.subject_id,
            )
            for notice in daily
        )
    }
    rows = []
    for notice in eligible:
        if notice.kind in ONCE_PER_SUBJECT:
            key = f"sms:{notice.person.pk}:{notice.kind}:{notice.subject_type}:{notice.subject_id}"
        else:
            due_day = notice.due_day or today
            logged = (notice.person.pk, notice.kind, due_day, NotificationLogChannel.SMS)
            if logged not in written:
                continue
            written.discard(logged)  # one text per log row
            key = f"sms:{notice.person.pk}:{notice.kind}:{due_day:%Y-%m-%d}"
        row = _outgoing(notice, idempotency_key=key)
        if row is not None:
            rows.append(row)
    from anef.outbox import enqueue_bulk  # not at the top: the outbox imports SmsChannel

    enqueue_bulk(rows)
    return len(rows)


def _outgoing(notice: SmsNotice, *, idempotency_key: str) -> OutgoingMessage | None:
    """The text of one notice as an unsaved outbox row; None if it is over MAX_SEGMENTS."""
    language = person_language(notice.person)
    text = sms_render(TEMPLATES[notice.kind], notice.context, language=language)
    count = segments(text)
    if count.segments > MAX_SEGMENTS:
        # A configuration error (SMS_SITE_URL over its length, which anef.checks refuses
        # when texts are really sent): logged without the text.
        logger.error(
            "SMS %s for person %s not sent: %s segments (%s)",
            notice.kind,
            notice.person.pk,
            count.segments,
            count.encoding,
        )
        return None
    return OutgoingMessage(
        channel=MessageChannel.SMS,
        recipient=_number(notice.person),
        sender=settings.DEFAULT_FROM_SMS,
        body=text,
        language=language,
        idempotency_key=idempotency_key,
        person=notice.person,
    )


def email_also(person: Any, *, texted: bool) -> bool:
    """Whether a notice that also goes by text is e-mailed too: always, unless its text was
    written and the person chose texts only (`User.email_notices`)."""
    return not texted or person.email_notices


def sms_enqueue(
    *,
    person: Any,
    kind: str,
    context: dict[str, str],
    subject_type: str,
    subject_id: int,
    due_day: date | None = None,
) -> bool:
    """One text (see `sms_enqueue_many`); True if it was written now, False if the person does
    not take texts or was already told (this kind, this day)."""
    notice = SmsNotice(
        person=person,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        context=context,
        due_day=due_day,
    )
    return sms_enqueue_many([notice]) == 1


# --- The outbox's channel -----------------------------------------------------------------------


class SmsChannel:
    """The configured django-sms backend; one connection for a whole run of the worker."""

    def open(self) -> Any:
        connection = django_sms.get_connection()
        connection.open()
        return connection

    def send(self, message: OutgoingMessage, session: Any) -> None:
        text = django_sms.Message(
            body=message.body,
            originator=message.sender or None,
            recipients=[message.recipient],
            connection=session,
        )
        if not text.send():
            raise RuntimeError("the SMS backend sent nothing")

    def close(self, session: Any) -> None:
        try:
            session.close()
        except Exception:  # a connection already broken by the error being handled
            logger.debug("Outbox: closing the SMS connection failed", exc_info=True)


def sms_send_now(*, number: str, text: str) -> None:
    """Send at once, outside the outbox: only for one-time codes (anef/one_time_codes.py says
    why they are never stored)."""
    if not django_sms.Message(
        body=text, originator=settings.DEFAULT_FROM_SMS or None, recipients=[number]
    ).send():
        raise RuntimeError("the SMS backend sent nothing")
