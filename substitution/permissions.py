"""What may be done on a substitution case, for the pages, the API and the templates alike.
Who sees a case at all is decided by the scoped selectors (a case not yours is a 404)."""

from substitution.enums import CaseStatus
from substitution.models import Appointment, SubstitutionCase


def case_abilities(case: SubstitutionCase, appointment: Appointment | None) -> dict[str, bool]:
    """For the person (or whoever books for them): book or move, cancel, change the mode."""
    open_for_booking = case.status in (CaseStatus.OPEN, CaseStatus.APPOINTMENT_BOOKED)
    return {
        "book": open_for_booking,
        "cancel": appointment is not None and open_for_booking,
        "change_mode": open_for_booking,
    }
