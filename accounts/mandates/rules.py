"""How long a mandate lasts and which dossiers it covers: pure rules, no database write."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy

from accounts.enums import MandateDuration
from accounts.models import Mandate
from anef.errors import DomainError


def mandate_end(starts_on: date, duration: str) -> date:
    """The last day a mandate is in force: 1 day is the start day itself; 1 month from 10 March
    ends on 9 April; and so on (the end day is included)."""
    months = {
        MandateDuration.ONE_MONTH: 1,
        MandateDuration.SIX_MONTHS: 6,
        MandateDuration.ONE_YEAR: 12,
    }
    if duration == MandateDuration.ONE_DAY:
        return starts_on
    if duration not in months:
        raise DomainError("duration", gettext_lazy("Choose how long the mandate lasts."))
    # A month later is the same day, or the month's last day (31 Jan + 1 month = 28/29 Feb).
    return starts_on + relativedelta(months=months[duration]) - timedelta(days=1)


def mandate_covers(mandate: Mandate, ground_id: int) -> bool:
    return mandate.all_grounds or any(ground.pk == ground_id for ground in mandate.grounds.all())
