"""Sending the renewal reminders due today (beat: `applications.renewal_reminders`, daily).

Each reminder is logged once per channel (anef.models.NotificationLog: person, kind, due day,
channel unique) with INSERT … ON CONFLICT DO NOTHING, and its e-mail is written to the outbox in
the same transaction, only for the log rows this run wrote: a second run, or two runs at once,
send nothing more. The portal channel is the dashboard's banner (applications.reminders.panels),
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
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from anef.enums import NotificationLogChannel
from anef.notifications import Notification, notifications_record
from anef.outbox import enqueue_emails
from anef.sms import SmsNotice, sms_enqueue_many, sms_link
from applications.enums import ApplicationStatus
from applications.reminders.rules import REMINDER_70, REMINDER_90, WINDOW_OPEN
from applications.reminders.selectors import (
    PermitReminder,
    permit_reminders,
    permits_near_their_window,
)
from applications.rules import FilingPolicy
from reference.enums import ProcedureKind

logger = logging.getLogger(__name__)

EMAIL_TEMPLATE = "emails/renewal_reminder.txt"
CHANNELS = (NotificationLogChannel.EMAIL, NotificationLogChannel.PORTAL)
# People per transaction: one failure (a template error) holds back at most this many, retried
# at the next run; the queries are a fixed number per batch.
BATCH_SIZE = 500


def person_language(person) -> str:
    """The person's preferred language if the portal speaks it, else French."""
    language = (getattr(person, "preferred_language", "") or "").split("-")[0].lower()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


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


def _send_batch(batch: list[PermitReminder], today: date) -> int:
    """Log the batch's reminders and write the e-mails of those logged now, in one transaction
    (the caller's). Returns the number of e-mails written."""
    written = notifications_record(
        notification for entry in batch for notification in _notifications(entry)
    )
    to_send = {
        notification.key
        for notification in written
        if notification.channel == NotificationLogChannel.EMAIL
    }
    by_language: dict[str, list] = defaultdict(list)
    for entry in batch:
        key = (
            entry.permit.holder_id,
            entry.reminder.kind,
            entry.reminder.due_on,
            NotificationLogChannel.EMAIL,
        )
        if key not in to_send:
            continue
        to_send.discard(key)  # one e-mail per log row, even for two cards ending the same day
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


def renewal_reminders_send(today: date | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Send every renewal reminder due on `today` not sent yet; the number of e-mails written.
    Idempotent: the log's unique key makes a second run (or a run at the same time) a no-op."""
    today = today or timezone.localdate()
    policy = FilingPolicy.from_settings()
    due = permit_reminders(permits_near_their_window(today, policy), today, policy)
    sent = 0
    for start in range(0, len(due), batch_size):
        batch = due[start : start + batch_size]
        try:
            with transaction.atomic():
                sent += _send_batch(batch, today)
        except Exception:  # one failed batch must not stop the others; retried next run
            logger.exception(
                "Renewal reminders: a batch of %s failed, retried next run", len(batch)
            )
    return sent
