"""Telling holders that a new attestation is in their space (DESIGN.md §3, issue 4).

The e-mail says, in plain French and English, that an attestation was issued or renewed and
links to the portal's attestations page, behind the login. It never carries the document nor
a link that opens it without signing in: an e-mail can be forwarded, read on a shared phone or
intercepted, and the attestation carries the person's identity.

Once: pending attestations are claimed with `select_for_update(skip_locked=True)` and marked
`notified_at` in the same transaction as their e-mail is written to the outbox (anef/outbox.py),
so two workers never tell the same person twice; the outbox sends it after commit and tries
again while the mail server refuses it.
"""

import logging
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anef.emails import EMAIL_LANGUAGES, bilingual_message
from anef.enums import NotificationKind, NotificationSubject
from anef.outbox import enqueue_emails
from anef.sms import SmsNotice, sms_enqueue_many, sms_link
from attestations.models import Attestation

logger = logging.getLogger(__name__)

EMAIL_TEMPLATE = "emails/attestation_issued.txt"


def portal_attestations_url() -> str:
    return f"{settings.SITE_URL}{reverse('attestations_portal:list')}"


def _message(holder, attestations: list[Attestation]) -> EmailMessage:
    context = {
        "name": holder.get_full_name() or holder.email,
        "attestations": attestations,
        "portal_url": portal_attestations_url(),
        "contact_phone": settings.CONTACT_PHONE,
    }
    return bilingual_message(
        to=[holder.email],
        subject=lambda: _("A new attestation is in your space"),
        template=EMAIL_TEMPLATE,
        context=context,
    )


def _notify_batch(attestations: list[Attestation]) -> tuple[list[int], int]:
    """One e-mail per holder of the batch, to the outbox; the ids that are done, and the e-mails
    written."""
    by_holder: dict[int, list[Attestation]] = defaultdict(list)
    done: list[int] = []
    for attestation in attestations:
        holder = attestation.holder
        if holder is None or not holder.email:
            # Nobody to write to: the attestation is in the records (and at the desk, the
            # contact centre) all the same; we do not try again every hour.
            logger.info(
                "Attestation %s: holder without account or e-mail, not notified",
                attestation.number,
            )
            done.append(attestation.pk)
            continue
        by_holder[holder.pk].append(attestation)
    emails = []
    for group in by_holder.values():
        holder = group[0].holder
        done.extend(attestation.pk for attestation in group)
        if not holder.email_notices:  # texts only: the text below says it
            continue
        key = "attestations-issued:" + ",".join(str(attestation.pk) for attestation in group)
        emails.append((_message(holder, group), key, holder))
    enqueue_emails(emails, language="+".join(EMAIL_LANGUAGES))
    # Issue 21: and a text to those who chose texts (once a day at most; a link, nothing else).
    sms_enqueue_many(
        SmsNotice(
            person=group[0].holder,
            kind=NotificationKind.ATTESTATION_READY,
            subject_type=NotificationSubject.ATTESTATION,
            subject_id=group[0].pk,
            context={"link": sms_link()},
        )
        for group in by_holder.values()
    )
    return done, len(emails)


def attestations_notify_pending(*, today: date | None = None, batch_size: int = 100) -> int:
    """Tell every holder, once, about their valid attestations due in their hands by `today`.

    A constant number of queries per batch (claim, write the e-mails, mark). Returns the
    e-mails written to the outbox.
    """
    today = today or timezone.localdate()
    sent = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                Attestation.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(
                    ended_on__isnull=True,
                    notified_at__isnull=True,
                    issue_on__lte=today,
                    pk__gt=last_pk,
                )
                .select_related("holder")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return sent
            last_pk = batch[-1].pk
            done, batch_sent = _notify_batch(batch)
            if done:
                Attestation.objects.filter(pk__in=done).update(notified_at=timezone.now())
            sent += batch_sent
