"""An outage of the online service was recorded, changed or closed (anef.outages): the renewals
whose filing window it may have closed during are looked at again by the attestation sweep,
since a renewal filed soon after such an outage counts as filed in time
(applications.rules.renewal_filed_within_outage_grace)."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.hooks import dossier_changed_on_commit
from applications.models import Application
from applications.rules import FilingPolicy
from applications.services.filing import PERMIT_CONTINUING_KINDS


def applications_mark_for_outage(*, first_day: date, last_day: date | None) -> int:
    """Mark for the sweep every filed renewal whose window's last day may fall from `first_day`
    to `last_day` (None: the outage goes on) and that was filed after the outage began (one filed
    before owes it nothing). The window's last day is at most `renewal_window_end_days` before
    the permit's end, and never after it: a superset, one statement. Returns how many."""
    policy = FilingPolicy.from_settings()
    began = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    renewals = Application.objects.filter(
        kind__in=PERMIT_CONTINUING_KINDS,
        renews_permit__valid_until__gte=first_day,
        filed_at__gte=began,
    ).exclude(status=ApplicationStatus.DRAFT)
    if last_day is not None:
        latest_end = last_day + timedelta(days=policy.renewal_window_end_days)
        renewals = renewals.filter(renews_permit__valid_until__lte=latest_end)
    with transaction.atomic():
        ids = list(renewals.values_list("pk", flat=True))
        Application.objects.filter(pk__in=ids).update(attestations_dirty=True)
        for pk in ids:
            dossier_changed_on_commit(pk)
    return len(ids)


def on_outage_changed(sender, *, first_day: date, last_day: date | None, **kwargs) -> None:
    """Receiver of `anef.outages.outage_changed` (connected in ApplicationsConfig.ready)."""
    applications_mark_for_outage(first_day=first_day, last_day=last_day)
