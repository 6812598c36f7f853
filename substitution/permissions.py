"""What may be done on a substitution case, for the pages, the API and the templates alike.
Who sees a case at all is decided by the scoped selectors (a case not yours is a 404)."""

from substitution.enums import CaseStatus
from substitution.models import Appointment, SubstitutionCase
from substitution.selectors import case_needs_verified_email


def case_abilities(case: SubstitutionCase, appointment: Appointment | None) -> dict[str, bool]:
    """For the person (or whoever books for them): book or move, cancel, change the mode."""
    open_for_booking = case.status in (CaseStatus.OPEN, CaseStatus.APPOINTMENT_BOOKED)
    needs_email = case_needs_verified_email(case)
    return {
        # Issue 15: a case opened from failed attempts books once its address is confirmed.
        "verify_email": open_for_booking and needs_email,
        "book": open_for_booking and not needs_email,
        "cancel": appointment is not None and open_for_booking,
        "change_mode": open_for_booking,
    }
