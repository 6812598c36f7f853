"""The end of a mandate: revoked by the person at any time (at once), refused, or reached at its
last day (the person told once, `mandate_end_notices_send`), and the warning sent to the
helper's organisation before it ends (`mandate_expiry_warnings_send`, beat:
accounts.mandate_expiry_warnings).
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.enums import MandateEventKind
from accounts.mandate_notices import mandate_notice
from accounts.mandates.queries import _lock, _today
from accounts.models import Mandate, User
from anef import generations
from anef.audit import audit_action
from anef.errors import DomainError
from anef.outbox import enqueue_email

logger = logging.getLogger(__name__)


EXPIRY_EMAIL_TEMPLATE = "emails/mandate_expiring.txt"


def _end(locked: Mandate, *, by: User, action: str) -> Mandate:
    was_pending = locked.consented_at is None
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.confirmation_nonce_hash = ""
    locked.save(update_fields=["revoked_at", "revoked_by", "confirmation_nonce_hash"])
    generations.bump_person(locked.person_id, locked.helper_id)
    audit_action(
        instance=locked,
        actor=by,
        action=action,
        changes={"revoked_at": (None, locked.revoked_at)},
    )
    kind = MandateEventKind.REFUSED if was_pending else MandateEventKind.REVOKED
    mandate_notice(mandate=locked, kind=kind, actor=by)
    return locked


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, person: User) -> Mandate:
    """The person ends a mandate, at any time, with immediate effect (or refuses a request)."""
    locked = _lock(mandate)
    if locked.person_id != person.pk:
        raise DomainError("not_yours", _("This mandate is not yours."))
    if locked.revoked_at is not None:
        raise DomainError("already_revoked", _("This mandate is already revoked."))
    return _end(locked, by=person, action="mandate_revoke")


def _warning_message(mandate: Mandate) -> EmailMessage:
    context = {
        "helper": mandate.helper.get_full_name() or mandate.helper.email,
        "person": mandate.person.get_full_name() or mandate.person.email,
        "organisation": mandate.organisation_name,
        "ends_on": mandate.ends_on,
        "url": f"{settings.SITE_URL}{reverse('mandates:helping')}",
    }
    with translation.override("fr"):
        subject = _("A mandate ends soon")
        body = render_to_string(EXPIRY_EMAIL_TEMPLATE, context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[mandate.organisation_email or mandate.helper.email],
    )


def mandate_expiry_warnings_send(today: date | None = None) -> int:
    """Warn the helper's organisation, once, that a mandate ends within
    `MANDATE_EXPIRY_WARNING_DAYS` days, so the person can renew it in time. Each mandate is
    claimed under a row lock and marked warned in the same transaction as its e-mail is written
    to the outbox: two workers never warn twice; the outbox retries a failed sending."""
    today = today or _today()
    horizon = today + timedelta(days=settings.MANDATE_EXPIRY_WARNING_DAYS)
    due = Mandate.objects.active_on(today).filter(
        ends_on__lte=horizon, expiry_warned_at__isnull=True
    )
    sent = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                mandate = (
                    Mandate.objects.select_for_update(skip_locked=True)
                    .select_related("helper", "person")
                    .filter(pk=pk, expiry_warned_at__isnull=True, revoked_at__isnull=True)
                    .first()
                )
                if mandate is None:
                    continue
                enqueue_email(
                    _warning_message(mandate),
                    idempotency_key=f"mandate-expiry-warning:{mandate.pk}",
                    language="fr",
                )
                mandate.expiry_warned_at = timezone.now()
                mandate.save(update_fields=["expiry_warned_at"])
                audit_action(instance=mandate, actor=None, action="mandate_expiry_warned")
                sent += 1
        except Exception:  # one failed mandate must not stop the others
            logger.exception("Mandate %s: expiry warning not written, retried next run", pk)
    return sent


def mandate_end_notices_send(today: date | None = None) -> int:
    """Tell the person, once, that a mandate has ended at its last day (revocations and
    refusals are told when they happen). Same claiming as the warnings above."""
    today = today or _today()
    due = Mandate.objects.filter(
        ends_on__lt=today, revoked_at__isnull=True, end_notified_at__isnull=True
    )
    told = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            mandate = (
                Mandate.objects.select_for_update(skip_locked=True)
                .select_related("helper", "person")
                .filter(pk=pk, end_notified_at__isnull=True, revoked_at__isnull=True)
                .first()
            )
            if mandate is None:
                continue
            mandate.end_notified_at = timezone.now()
            mandate.confirmation_nonce_hash = ""
            mandate.save(update_fields=["end_notified_at", "confirmation_nonce_hash"])
            audit_action(instance=mandate, actor=None, action="mandate_expired")
            mandate_notice(mandate=mandate, kind=MandateEventKind.EXPIRED, actor=None)
            told += 1
    return told
