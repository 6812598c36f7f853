"""Starting a dossier, filing it (with the renewal window of R. 431-5 1°) and withdrawing it."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, User
from anef.audit import audit_action
from anef.errors import DomainError
from applications import rules
from applications.enums import Channel, EventKind, RequestedCard
from applications.models import Application, ResidencePermit
from applications.selectors import (
    application_missing_documents,
    prefecture_for_postal_code,
    title_renewed_online,
)
from applications.services._core import _event, _transition
from applications.workflow import OPEN_STATES
from reference.enums import ProcedureKind
from reference.models import Ground

# --- Creating and filing ------------------------------------------------------------------------


# Procedures that continue a permit held (its API chain, attestations.selectors).
PERMIT_CONTINUING_KINDS = {ProcedureKind.RENEWAL, ProcedureKind.CHANGE_OF_STATUS}


@transaction.atomic
def application_create(
    *,
    applicant: User,
    ground: Ground,
    kind: str,
    actor: User,
    renews_permit: ResidencePermit | None = None,
    requested_card: str = RequestedCard.SAME,
    channel: str = Channel.ONLINE,
) -> Application:
    """Start a dossier. Any number may be open at once; only an exact duplicate (same ground and
    procedure, still open) is refused (DESIGN.md §1 point 3)."""
    if not ground.active or not rules.procedure_is_offered(ground.procedure_kinds, kind):
        raise DomainError(
            "procedure_not_offered", _("This procedure is not possible on this ground.")
        )
    profile = ApplicantProfile.objects.filter(user=applicant).first()
    if profile is None:
        raise DomainError("profile_missing", _("Please fill in your identity and address first."))
    prefecture = prefecture_for_postal_code(profile.postal_code)
    if prefecture is None:
        raise DomainError(
            "no_prefecture",
            _(
                "We cannot find the prefecture for your postal code. Check your address, or "
                "contact us so that a person can help you."
            ),
        )
    if kind == ProcedureKind.RENEWAL:
        if renews_permit is None:
            raise DomainError(
                "permit_required", _("For a renewal, choose the card you want to renew.")
            )
        if renews_permit.holder_id != applicant.pk:
            raise DomainError("permit_required", _("This card is not yours."))
    elif (
        kind == ProcedureKind.CHANGE_OF_STATUS
        and renews_permit is not None
        and renews_permit.holder_id != applicant.pk
    ):
        # A change of status continues the permit held: its API chain is that permit's.
        raise DomainError("permit_required", _("This card is not yours."))
    if kind != ProcedureKind.RENEWAL and requested_card != RequestedCard.SAME:
        raise DomainError(
            "requested_card", _("Only a renewal can ask for a longer card than the current one.")
        )
    duplicate = Application.objects.filter(
        applicant=applicant, ground=ground, kind=kind, status__in=OPEN_STATES
    ).first()
    if duplicate is not None:
        raise DomainError(
            "duplicate",
            _(
                "You already have an open application on this ground for this procedure "
                "(%(reference)s). Continue that one instead: you can add documents to it."
            )
            % {"reference": duplicate.reference},
            reference=duplicate.reference,
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=applicant,
                ground=ground,
                kind=kind,
                prefecture=prefecture,
                renews_permit=renews_permit if kind in PERMIT_CONTINUING_KINDS else None,
                requested_card=requested_card,
                channel=channel,
            )
    except IntegrityError as exc:  # two submissions of the same form at once
        existing = Application.objects.filter(
            applicant=applicant, ground=ground, kind=kind, status__in=OPEN_STATES
        ).first()
        raise DomainError(
            "duplicate",
            _("You already have an open application on this ground for this procedure."),
            reference=existing.reference if existing else "",
        ) from exc
    _event(application, EventKind.CREATED, actor)
    audit_action(instance=application, actor=actor, action="create")
    return application


def _refuse_renewal_before_its_window(application: Application) -> None:
    """R. 431-5: a renewal is filed from the 120th day before the permit expires (a title renewed
    online), or within the two months before it ends (any other title). Before that it is not
    filed yet: the person is told the exact first day (no silent refusal of the API later,
    DESIGN.md §3)."""
    permit = application.renews_permit
    if application.kind != ProcedureKind.RENEWAL or permit is None:
        return
    policy = rules.FilingPolicy.from_settings()
    online = title_renewed_online(application)
    today = timezone.localdate()
    timing = rules.renewal_filing_timing(today, permit.valid_until, policy, renewed_online=online)
    if timing == rules.FILING_TOO_EARLY:
        window = rules.renewal_filing_window(permit.valid_until, policy, renewed_online=online)
        raise DomainError(
            "renewal_too_early",
            _(
                "It is too early to file this renewal: you can file it from %(opens)s "
                "until %(closes)s. Your draft is kept; come back on %(opens)s."
            )
            % {
                "opens": date_format(window.opens_on, "DATE_FORMAT"),
                "closes": date_format(window.closes_on, "DATE_FORMAT"),
            },
            opens_on=window.opens_on.isoformat(),
        )


@transaction.atomic
def application_submit(*, application: Application, actor: User) -> Application:
    """File the dossier: only when every mandatory piece has at least one file."""
    missing = application_missing_documents(application)
    if missing:
        raise DomainError(
            "missing_documents",
            _("Some documents are missing: %(documents)s.")
            % {"documents": ", ".join(str(document_type.label) for document_type in missing)},
            missing=[document_type.code for document_type in missing],
        )
    _refuse_renewal_before_its_window(application)
    now = timezone.now()
    submitted = _transition(
        application,
        action="submit",
        actor=actor,
        event=EventKind.SUBMITTED,
        fields={"filed_at": now},
    )
    _event(submitted, EventKind.DEPOSIT_RECEIPT, actor)
    return submitted


@transaction.atomic
def application_withdraw(*, application: Application, actor: User) -> Application:
    return _transition(
        application,
        action="withdraw",
        actor=actor,
        event=EventKind.WITHDRAWN,
        fields={"withdrawn_at": timezone.now()},
    )
