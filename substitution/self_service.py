"""Writes of the self-service side of substitution that make sure a real person stands behind a
case (issue 15, finding "three refused sign-ups from a throwaway address open a substitution
case that can book real desk slots").

- A case opened from failed attempts (`case_open_from_failures`) is limited per address (one
  open at a time) and per network (`rules.CASES_PER_NETWORK` a day).
- Before its first booking, the person confirms the e-mail address with a one-time code
  (`case_code_send`, `case_email_verify`, through `anef.one_time_codes`); the booking itself
  checks it (`services.appointment_book`), and one open case per confirmed address is a database
  constraint.
- Agents cancel a booking no real person seems to stand behind
  (`appointment_cancel_suspicious`): the slot is freed, the person told, the agent audited.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.audit import audit_action
from anef.errors import DomainError
from anef.one_time_codes import one_time_code_send, one_time_code_verify
from anef.services import row_locked
from reference.models import Prefecture
from substitution import rules, selectors
from substitution.enums import AppointmentStatus, CaseEventKind, CaseOrigin
from substitution.models import Appointment, CaseEvent, SubstitutionCase
from substitution.services import appointment_cancel, open_case


def _code_purpose(case: SubstitutionCase) -> str:
    """A code confirms the address for this one case: typed on another case, it opens nothing."""
    return f"substitution_case:{case.reference}"


def case_open_from_failures(
    *,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    prefecture: Prefecture | None,
    origin_ip: str = "",
    now: datetime | None = None,
) -> SubstitutionCase:
    """Open the case of someone without an account whose attempts with `contact_email` failed
    often enough (issue 6). Refused when nothing failed with that address, when a case opened
    this way is still open for it, or when the client's network opened `CASES_PER_NETWORK`
    cases within a day."""
    now = now or timezone.now()
    if not selectors.failure_offer_due(email=contact_email, now=now):
        raise DomainError(
            "offer_not_due",
            _("We found no repeated failed attempts with this e-mail address."),
        )
    if selectors.case_open_for_email(contact_email) is not None:
        raise DomainError(
            "address_has_case",
            _(
                "A case is already open for this e-mail address: use the private link we sent "
                "to it, or call the contact centre."
            ),
        )
    network = selectors.network_fingerprint(origin_ip)
    opened = selectors.cases_opened_from_network(network, since=now - rules.LIMIT_WINDOW)
    if rules.over_limit(opened, rules.CASES_PER_NETWORK):
        raise DomainError(
            "network_limit",
            _(
                "Too many cases were opened from your connection today. Call the contact "
                "centre: a person will open your case with you."
            ),
        )
    return open_case(
        origin=CaseOrigin.AUTOMATIC_DETECTION,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        prefecture=prefecture,
        summary="Repeated failures to create an account or sign in.",
        origin_network=network,
    )


def case_code_send(*, case: SubstitutionCase, now: datetime | None = None) -> None:
    """Send a code to the case's e-mail address, for the person to type back on the case page."""
    if not selectors.case_needs_verified_email(case) or not case.is_open:
        raise DomainError("no_code_needed", _("Your e-mail address needs no confirmation."))
    if not case.contact_email:
        raise DomainError(
            "no_email", _("This case has no e-mail address. Call the contact centre.")
        )
    one_time_code_send(purpose=_code_purpose(case), destination=case.contact_email, now=now)


def case_email_verify(
    *, case: SubstitutionCase, code: str, now: datetime | None = None
) -> SubstitutionCase:
    """The person types back the code: the address is confirmed and booking opens.

    The code is checked first, in its own transaction (a wrong attempt stays counted whatever
    happens next); then the case is marked. A second open case with the same confirmed address
    is refused by the database (`substitution_case_one_open_per_verified_email`)."""
    if not selectors.case_needs_verified_email(case):
        raise DomainError("no_code_needed", _("Your e-mail address is already confirmed."))
    one_time_code_verify(
        purpose=_code_purpose(case), destination=case.contact_email, code=code, now=now
    )
    try:
        return _case_email_verified(case, now=now or timezone.now())
    except IntegrityError:
        raise DomainError(
            "address_has_case",
            _("Another case is open for this e-mail address. Call the contact centre."),
        ) from None


@transaction.atomic
def _case_email_verified(case: SubstitutionCase, *, now: datetime) -> SubstitutionCase:
    locked = row_locked(case)
    if locked.email_verified_at is not None:
        return locked
    locked.email_verified_at = now
    locked.save(update_fields=["email_verified_at"])
    CaseEvent.record(case=locked, kind=CaseEventKind.EMAIL_VERIFIED, actor=None, params={})
    audit_action(
        instance=locked,
        actor=None,
        action="substitution_case_email_verify",
        changes={"email_verified_at": ("", now.isoformat())},
    )
    return locked


def appointment_cancel_suspicious(
    *, appointment: Appointment, actor: User, note: str = "", now: datetime | None = None
) -> Appointment:
    """An agent cancels a booking that no real person seems to stand behind: through the usual
    cancellation (the slot is freed, the case's timeline says so), with the reasons seen and
    the agent's note in the audit log, and the person told by e-mail after commit (if they are
    real, they call the contact centre and get their time back)."""
    flags = next(
        (
            row
            for row in selectors.appointment_list_suspicious(actor, now=now)
            if row.appointment.pk == appointment.pk
        ),
        None,
    )
    with transaction.atomic():
        cancelled = appointment_cancel(appointment=appointment, actor=actor)
        audit_action(
            instance=cancelled,
            actor=actor,
            action="substitution_appointment_cancel_suspicious",
            changes={"status": (AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED)},
            details={
                "note": (note or "")[:500],
                "unverified": bool(flags and flags.unverified),
                "network_cases": flags.network_cases if flags else 0,
            },
        )
        from substitution.tasks import send_appointment_cancelled

        transaction.on_commit(lambda: send_appointment_cancelled.delay(cancelled.pk), robust=True)
    return cancelled
