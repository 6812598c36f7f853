"""Services recording a deposit received at the desk, by post or by e-mail (DESIGN.md §3
"substitution", issue 6 "Deposit recorded in the system").

The agent records the person (an account is created for them when they have none: it has no
usable password until they claim it with "forgotten password" on their e-mail address) and an
`Application` marked with its channel, then adds the scanned documents through
`applications.services.document_add` and files it through `application_submit`. From there it is
an application like any other: deposit receipt, API rules, timeline and decisions all apply."""

import secrets
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import ApplicantProfile, User
from accounts.services import applicant_profile_create, user_create
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from anef.workflow import transition
from applications import services as application_services
from applications.models import Application, ResidencePermit
from applications.selectors import prefecture_for_postal_code
from reference.models import Ground
from substitution.enums import CaseOrigin, CaseStatus, DepositChannel
from substitution.models import SubstitutionCase
from substitution.services import open_case
from substitution.workflow import CASE

# People who deposit on paper may have no e-mail address; their account gets a placeholder one
# under a reserved domain (RFC 2606 ".invalid") that no e-mail is ever delivered to.
NO_EMAIL_DOMAIN = "sans-adresse.anef.invalid"


def _person_get_or_create(
    *, email: str, first_name: str, last_name: str, identity: dict[str, Any], actor: User
) -> User:
    email = (email or "").strip().lower()
    user = User.objects.filter_by_email(email).first() if email else None
    if user is not None and user.role != Role.APPLICANT:
        raise DomainError("not_an_applicant", _("This e-mail address belongs to a staff account."))
    if user is None:
        user = user_create(
            email=email or f"depot.{secrets.token_hex(6)}@{NO_EMAIL_DOMAIN}",
            password=None,  # unusable until the person claims the account
            role=Role.APPLICANT,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        audit_action(instance=user, actor=actor, action="substitution_account_create_for_person")
    profile = ApplicantProfile.objects.filter(user=user).first()
    if profile is None:
        try:
            applicant_profile_create(user=user, **identity)
        except ValidationError as exc:  # the model's validation says what is wrong, plainly
            raise DomainError(
                "identity", " ".join(str(m) for m in exc.messages), errors=exc.message_dict
            ) from exc
    elif identity.get("foreigner_number") and not profile.foreigner_number:
        application_services.foreigner_number_attach(
            profile=profile, number=identity["foreigner_number"], actor=actor
        )
    return user


@transaction.atomic
def deposit_start(
    *,
    agent: User,
    channel: str,
    ground: Ground,
    kind: str,
    first_name: str,
    last_name: str,
    birth_date: date,
    nationality: str,
    address_line: str,
    postal_code: str,
    city: str,
    email: str = "",
    birth_place: str = "",
    foreigner_number: str = "",
    case: SubstitutionCase | None = None,
    permit: dict[str, Any] | None = None,
) -> SubstitutionCase:
    """Record the person and start their application, marked with its channel. Without a case
    (a letter arrives out of the blue) a case of origin « prefecture » is opened for it."""
    if channel not in DepositChannel.values:
        raise DomainError("channel", _("Say how the application was received."))
    prefecture = prefecture_for_postal_code(postal_code)
    if prefecture is None or prefecture.pk != agent.prefecture_id:
        raise DomainError(
            "other_prefecture",
            _(
                "This address is not in your prefecture's département: the application must be "
                "recorded by the prefecture of the person's address."
            ),
        )
    if case is not None:
        case = row_locked(case)
        if not case.is_open or case.status == CaseStatus.DEPOSIT_RECEIVED:
            raise DomainError("case_closed", _("This case already has its deposit."))
        if case.application_id is not None:
            raise DomainError(
                "deposit_started", _("A deposit is already being recorded for this case.")
            )
    user = _person_get_or_create(
        email=email or (case.email if case is not None else ""),
        first_name=first_name,
        last_name=last_name,
        identity={
            "birth_date": birth_date,
            "birth_place": birth_place,
            "nationality": nationality,
            "foreigner_number": foreigner_number or None,
            "address_line": address_line,
            "postal_code": postal_code,
            "city": city,
        },
        actor=agent,
    )
    renews = None
    if permit:
        renews = ResidencePermit.objects.filter(
            holder=user, number=permit["number"].strip().upper()
        ).first() or application_services.permit_declare(
            holder=user, actor=agent, ground=ground, **permit
        )
    application = application_services.application_create(
        applicant=user,
        ground=ground,
        kind=kind,
        actor=agent,
        renews_permit=renews,
        channel=channel,
    )
    if case is None:
        case = open_case(
            origin=CaseOrigin.PREFECTURE,
            person=user,
            contact_name=f"{first_name} {last_name}".strip(),
            prefecture=prefecture,
            opened_by=agent,
        )
        case = row_locked(case)
    before_person = case.person_id
    case.person = case.person or user
    case.application = application
    case.save(update_fields=["person", "application"])
    audit_action(
        instance=case,
        actor=agent,
        action="substitution_deposit_start",
        changes={"person": (before_person, case.person_id), "application": ("", application.pk)},
        details={"channel": channel},
    )
    return case


@transaction.atomic
def deposit_file(*, case: SubstitutionCase, actor: User) -> Application:
    """File the recorded application through the same service as online filing: the deposit
    receipt is issued and the attestation rules apply from now on."""
    locked = row_locked(case)
    if locked.application_id is None:
        raise DomainError("no_deposit", _("Record the person and the application first."))
    if locked.status == CaseStatus.DEPOSIT_RECEIVED:
        raise DomainError("already_filed", _("This deposit is already filed."))
    application = application_services.application_submit(
        application=locked.application, actor=actor
    )
    transition(
        locked,
        workflow=CASE,
        action="deposit_file",
        actor=actor,
        event_params={"application": application.reference, "channel": application.channel},
    )
    return application
