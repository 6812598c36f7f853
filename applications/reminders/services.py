"""Sending the renewal reminders due today (beat: `applications.renewal_reminders`, daily).

Each reminder is logged once per channel (anef.models.NotificationLog: person, kind, due day,
channel unique) with INSERT … ON CONFLICT DO NOTHING, and its e-mail is written to the outbox in
the same transaction, only for the log rows this run wrote: a second run, or two runs at once,
send nothing more. At most one reminder per person per day, the most urgent
(`rules.most_urgent`; `RenewalNoticeDay`'s unique key): the others stay due and go the next
days. The portal channel is the dashboard's banner (applications.reminders.panels),
which shows the reminder due today from the rules, so it disappears the moment the person files;
its log row records that it was shown from that day.

The e-mail is written in the person's language (`User.preferred_language`, French when it is not
one the portal speaks), in plain words, with the dates and a link to renew. Delivery is at least
once (anef/outbox.py says why).
"""

import logging
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from anef.enums import NotificationLogChannel
from anef.languages import person_language
from anef.models import NotificationLog
from anef.notifications import Notification, notifications_record
from anef.outbox import enqueue_emails
from anef.sms import SmsNotice, sms_enqueue_many, sms_link
from applications.enums import ApplicationStatus
from applications.reminders.models import RenewalNoticeDay
from applications.reminders.rules import REMINDER_70, REMINDER_90, WINDOW_OPEN, most_urgent
from applications.reminders.selectors import (
    PermitReminder,
    permit_reminders,
    permits_near_their_window,
    permits_with_something_to_send,
)
from applications.rules import FilingPolicy
from reference.enums import ProcedureKind

logger = logging.getLogger(__name__)

EMAIL_TEMPLATE = "emails/renewal_reminder.txt"
CHANNELS = (NotificationLogChannel.EMAIL, NotificationLogChannel.PORTAL)
# People per transaction: one failure (a template error) holds back at most this many, retried
# at the next run; the queries are a fixed number per batch.
BATCH_SIZE = 500


def renewal_url(entry: PermitReminder) -> str:
    """Where « renew now » leads (a path): the incomplete renewal or a draft of it; else the
    renewal's first step with this card chosen; else the choice of a ground."""
    if entry.application is not None:
        return reverse(
            "portal:application_detail", kwargs={"reference": entry.application.reference}
        )
    ground = entry.permit.ground
    if ground is not None and ground.active and ground.offers(ProcedureKind.RENEWAL):
        path = reverse("portal:application_new_renewal", kwargs={"ground_code": ground.code})
        return f"{path}?{urlencode({'permit': entry.permit.pk})}"
    return reverse("portal:application_new")


def _subject(kind: str) -> str:
    if kind == WINDOW_OPEN:
        return _("You can renew your residence permit now")
    if kind in (REMINDER_90, REMINDER_70):
        return _("Reminder: renew your residence permit in time")
    return _("Your renewal is not complete: what is missing")


def reminder_email(entry: PermitReminder, today: date) -> EmailMessage:
    """The reminder as an e-mail in the holder's language (rendered under it)."""
    person = entry.permit.holder
    with translation.override(person_language(person)):
        context = {
            "name": person.get_full_name() or person.email,
            "reminder": entry.reminder,
            "permit": entry.permit,
            "application": entry.application
            if entry.application is not None and entry.application.status != ApplicationStatus.DRAFT
            else None,
            "missing": [str(piece.label) for piece in entry.reminder.missing],
            "days_left": entry.reminder.days_left(today),
            "url": f"{settings.SITE_URL}{renewal_url(entry)}",
            "contact_phone": settings.CONTACT_PHONE,
        }
        subject = _subject(entry.reminder.kind)
        body = render_to_string(EMAIL_TEMPLATE, context)
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[person.email]
    )


def _notifications(entry: PermitReminder) -> list[Notification]:
    subject_type, subject_id = entry.reminder.subject
    return [
        Notification(
            person_id=entry.permit.holder_id,
            kind=entry.reminder.kind,
            due_day=entry.reminder.due_on,
            channel=channel,
            subject_type=subject_type,
            subject_id=subject_id,
        )
        for channel in CHANNELS
    ]


def _already_emailed(entries: list[PermitReminder]) -> set[tuple]:
    """The e-mail log keys of these reminders already written (an earlier day or run)."""
    keys = {_email_key(entry) for entry in entries}
    if not keys:
        return set()
    found = NotificationLog.objects.filter(
        person_id__in={key[0] for key in keys},
        kind__in={key[1] for key in keys},
        due_day__in={key[2] for key in keys},
        channel=NotificationLogChannel.EMAIL,
    ).values_list("person_id", "kind", "due_day", "channel")
    return keys & set(found)


def _email_key(entry: PermitReminder) -> tuple:
    reminder = entry.reminder
    return (entry.permit.holder_id, reminder.kind, reminder.due_on, NotificationLogChannel.EMAIL)


def _claim_the_day(chosen: list[PermitReminder], today: date) -> set[int]:
    """Take today's one notice for each person (INSERT … ON CONFLICT DO NOTHING RETURNING, in
    the caller's transaction); the persons whose day this call took. A person already sent a
    notice today, by this run or one at the same time, is not returned."""
    if not chosen:
        return set()
    table = connection.ops.quote_name(RenewalNoticeDay._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(chosen))
    parameters: list = []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for entry in chosen:
        parameters += [
            entry.permit.holder_id,
            connection.ops.adapt_datefield_value(today),
            entry.reminder.kind,
            now,
        ]
    sql = (
        f"INSERT INTO {table} (person_id, day, kind, created_at) VALUES {values} "  # noqa: S608
        "ON CONFLICT (person_id, day) DO NOTHING RETURNING person_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return {row[0] for row in cursor.fetchall()}


def _send_batch(batch: list[PermitReminder], today: date) -> int:
    """For each person of the batch (all their reminders due today are in it), log and e-mail
    the most urgent reminder not sent yet, if they were sent none today; in one transaction
    (the caller's). Returns the number of e-mails written."""
    sent_before = _already_emailed(batch)
    pending: dict[int, list[PermitReminder]] = defaultdict(list)
    for entry in batch:
        if _email_key(entry) not in sent_before:
            pending[entry.permit.holder_id].append(entry)
    chosen = []
    for entries in pending.values():
        first = most_urgent(entry.reminder for entry in entries)
        chosen.append(next(entry for entry in entries if entry.reminder is first))
    claimed = _claim_the_day(chosen, today)
    chosen = [entry for entry in chosen if entry.permit.holder_id in claimed]
    written = notifications_record(
        notification for entry in chosen for notification in _notifications(entry)
    )
    to_send = {
        notification.key
        for notification in written
        if notification.channel == NotificationLogChannel.EMAIL
    }
    by_language: dict[str, list] = defaultdict(list)
    for entry in chosen:
        if _email_key(entry) not in to_send:
            continue
        if not entry.permit.holder.email_notices:
            # Texts only (issue 21): the text below tells it. The e-mail's log row stays: it is
            # the reminder's claim for the day, so the run does not take it up again.
            continue
        reminder = entry.reminder
        idempotency_key = (
            f"renewal-reminder:{entry.permit.holder_id}:{reminder.kind}:{reminder.due_on:%Y-%m-%d}"
        )
        by_language[person_language(entry.permit.holder)].append(
            (reminder_email(entry, today), idempotency_key, entry.permit.holder)
        )
    for language, emails in by_language.items():
        enqueue_emails(emails, language=language)
    sms_enqueue_many(  # issue 21: a neutral text, once per person, kind and due day
        SmsNotice(
            entry.permit.holder,
            entry.reminder.kind,
            *entry.reminder.subject,
            context={"link": sms_link()},
            due_day=entry.reminder.due_on,
        )
        for entry in batch
    )
    return sum(len(emails) for emails in by_language.values())


def _batches_by_person(due: list[PermitReminder], batch_size: int) -> list[list[PermitReminder]]:
    """About `batch_size` reminders per batch, never splitting one person's between two (the
    one-notice-a-day choice needs all of them)."""
    by_person: dict[int, list[PermitReminder]] = defaultdict(list)
    for entry in due:
        by_person[entry.permit.holder_id].append(entry)
    batches: list[list[PermitReminder]] = [[]]
    for entries in by_person.values():
        if batches[-1] and len(batches[-1]) + len(entries) > batch_size:
            batches.append([])
        batches[-1].extend(entries)
    return [batch for batch in batches if batch]


def renewal_reminders_send(today: date | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Send the renewal reminders due on `today` not sent yet, at most one per person per day
    (the most urgent); the number of e-mails written. Idempotent: the log's unique key, and the
    day's, make a second run (or a run at the same time) a no-op."""
    today = today or timezone.localdate()
    policy = FilingPolicy.from_settings()
    # Narrow columns first: only the cards with something left to send are loaded in full.
    news = permits_with_something_to_send(today, policy)
    due = permit_reminders(
        permits_near_their_window(today, policy).filter(pk__in=news), today, policy
    )
    sent = 0
    for batch in _batches_by_person(due, batch_size):
        try:
            with transaction.atomic():
                sent += _send_batch(batch, today)
        except Exception:  # one failed batch must not stop the others; retried next run
            logger.exception(
                "Renewal reminders: a batch of %s failed, retried next run", len(batch)
            )
    return sent
