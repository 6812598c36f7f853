"""Opening a substitution case, changing how the person files, closing it. The case starts in
`appointment` mode: a physical appointment is always offered (arrêté of 1 August 2023)."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef import generations
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from anef.workflow import transition
from reference.models import Prefecture
from substitution.enums import AppointmentStatus, CaseEventKind, CaseMode, CaseOrigin, CaseStatus
from substitution.models import CaseEvent, SubstitutionCase
from substitution.services._common import _appointment_cancel_locked
from substitution.workflow import CASE


def _case_event(
    case: SubstitutionCase, kind: CaseEventKind, actor: User | None, **params: Any
) -> CaseEvent:
    generations.bump_person(case.person_id)  # every change of a case has its event
    return CaseEvent.record(case=case, kind=kind, actor=actor, params=params)


def _person_prefecture(person: User | None) -> Prefecture | None:
    from applications.selectors import prefecture_for_postal_code

    profile = getattr(person, "applicant_profile", None) if person is not None else None
    if profile is None:
        return None
    return prefecture_for_postal_code(profile.postal_code)


@transaction.atomic
def open_case(
    *,
    origin: str,
    person=None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    foreigner_number: str = "",
    prefecture=None,
    summary: str = "",
    opened_by=None,
    acknowledgement=None,
    origin_network: str = "",
) -> SubstitutionCase:
    """Open a substitution case for a blocked person, with or without an account.

    A physical appointment is always offered (arrêté of 1 August 2023, R. 431-2 CESEDA), so the
    case starts in `appointment` mode; a postal or e-mail deposit may be chosen later on request.
    The prefecture defaults to the one of the person's address when they have a profile."""
    if origin not in CaseOrigin.values:
        raise DomainError("origin", _("Unknown origin of the case."))
    if person is None and not (contact_email or contact_phone):
        raise DomainError(
            "contact_required",
            _("Give an e-mail address or a phone number so that we can reach the person."),
        )
    if prefecture is None:
        prefecture = _person_prefecture(person)
    case = SubstitutionCase.objects.create(
        origin=origin,
        person=person,
        contact_name=(contact_name or "").strip(),
        contact_email=(contact_email or "").strip().lower(),
        contact_phone=(contact_phone or "").strip(),
        foreigner_number=(foreigner_number or "").strip(),
        prefecture=prefecture,
        summary=summary or "",
        opened_by=opened_by if getattr(opened_by, "is_authenticated", False) else None,
        acknowledgement=acknowledgement,
        mode=CaseMode.APPOINTMENT,
        status=CaseStatus.OPEN,
        origin_network=origin_network,
    )
    _case_event(case, CaseEventKind.OPENED, opened_by, origin=origin)
    audit_action(
        instance=case,
        actor=opened_by,
        action="substitution_case_open",
        changes={"status": ("", CaseStatus.OPEN)},
        details={"origin": origin},
    )
    if case.email:
        _case_opened_mail_on_commit(case)
    return case


def _case_opened_mail_on_commit(case: SubstitutionCase) -> None:
    from substitution.tasks import send_case_opened

    transaction.on_commit(lambda: send_case_opened.delay(case.pk), robust=True)


@transaction.atomic
def case_mode_change(*, case: SubstitutionCase, mode: str, actor: User | None) -> SubstitutionCase:
    """The person asks to file by post or by e-mail instead (or back to an appointment); the
    appointment stays offered whatever the mode (arrêté of 1 August 2023)."""
    if mode not in CaseMode.values:
        raise DomainError("mode", _("Choose how you want to file."))
    locked = row_locked(case)
    if not locked.is_open:
        raise DomainError("case_closed", _("This case is closed."))
    before = locked.mode
    if before == mode:
        return locked
    locked.mode = mode
    locked.save(update_fields=["mode"])
    _case_event(locked, CaseEventKind.MODE_CHANGED, actor, mode=mode)
    audit_action(
        instance=locked,
        actor=actor,
        action="substitution_case_mode_change",
        changes={"mode": (before, mode)},
    )
    return locked


@transaction.atomic
def case_close(*, case: SubstitutionCase, actor: User, note: str = "") -> SubstitutionCase:
    locked = row_locked(case)
    if not locked.is_open:
        raise DomainError("case_closed", _("This case is already closed."))
    for appointment in locked.appointments.filter(status=AppointmentStatus.BOOKED):
        _appointment_cancel_locked(appointment, actor)
    return transition(
        locked,
        workflow=CASE,
        action="close",
        actor=actor,
        fields={"closed_at": timezone.now()},
        event_params={"note": note},
    )
