"""Decisions on a dossier: favourable, refusal or closure (with their stated reasons), then the
card made available and handed over."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.errors import DomainError
from applications.enums import EventKind, NotificationChannel
from applications.models import Application, ResidencePermit
from applications.services._core import _transition
from applications.services.notification import decision_notify
from applications.services.permits import permit_declare
from reference.enums import DecisionKind
from reference.models import DecisionReason, fill_ground_article

# --- Decisions ----------------------------------------------------------------------------------


@transaction.atomic
def application_decide_favourable(
    *,
    application: Application,
    actor: User,
    notification_channel: str = NotificationChannel.PORTAL_EMAIL,
) -> Application:
    decided = _transition(
        application,
        action="decide_favourable",
        actor=actor,
        event=EventKind.DECIDED_FAVOURABLE,
        fields={"decided_at": timezone.now()},
    )
    return decision_notify(application=decided, actor=actor, channel=notification_channel)


def _reasoned_decision(
    *,
    application: Application,
    actor: User,
    action: str,
    event: EventKind,
    expected_kind: str,
    reason: DecisionReason | None,
    explanation: str,
    legal_basis: str,
    remedies: str,
    obligation_to_leave: bool | None,
    notification_channel: str,
) -> Application:
    """A refusal or a closure states its reason, explanation, legal basis and remedies, and for
    a refusal whether it comes with an obligation to leave France (issue 18: its remedies'
    limits are never computed); then it is notified (`decision_notify`)."""
    if reason is None or reason.kind != expected_kind:
        raise DomainError("reason_required", _("Choose a reason from the list."))
    for value, message in (
        (explanation, _("Explain the decision in plain words.")),
        (legal_basis, _("Give the legal basis of the decision.")),
        (remedies, _("Give the remedies and their deadlines.")),
    ):
        if not (value or "").strip():
            raise DomainError("reasons_incomplete", message)
    decided = _transition(
        application,
        action=action,
        actor=actor,
        event=event,
        fields={
            "decided_at": timezone.now(),
            "decision_reason": reason,
            "decision_explanation": explanation.strip(),
            "decision_legal_basis": fill_ground_article(legal_basis.strip(), application.ground),
            "decision_remedies": remedies.strip(),
            "decision_obligation_to_leave": obligation_to_leave,
        },
        reason=reason.code,
    )
    return decision_notify(application=decided, actor=actor, channel=notification_channel)


@transaction.atomic
def application_decide_unfavourable(
    *,
    application: Application,
    actor: User,
    reason: DecisionReason | None,
    explanation: str,
    legal_basis: str,
    remedies: str,
    obligation_to_leave: bool | None = None,
    notification_channel: str = NotificationChannel.PORTAL_EMAIL,
) -> Application:
    """`obligation_to_leave` None: not recorded (the API does not ask yet); the applicant is
    then told to read the decision for the remedies' limits, as with an OQTF."""
    return _reasoned_decision(
        application=application,
        actor=actor,
        action="decide_unfavourable",
        event=EventKind.DECIDED_UNFAVOURABLE,
        expected_kind=DecisionKind.REFUSAL,
        reason=reason,
        explanation=explanation,
        legal_basis=legal_basis,
        remedies=remedies,
        obligation_to_leave=obligation_to_leave,
        notification_channel=notification_channel,
    )


@transaction.atomic
def application_close(
    *,
    application: Application,
    actor: User,
    reason: DecisionReason | None,
    explanation: str,
    legal_basis: str,
    remedies: str,
    notification_channel: str = NotificationChannel.PORTAL_EMAIL,
) -> Application:
    """A closure (no answer to a correction, wrong prefecture…) never carries an obligation to
    leave France: that is a measure taken with a refusal."""
    return _reasoned_decision(
        application=application,
        actor=actor,
        action="close",
        event=EventKind.CLOSED,
        expected_kind=DecisionKind.CLOSURE,
        reason=reason,
        explanation=explanation,
        legal_basis=legal_basis,
        remedies=remedies,
        obligation_to_leave=False,
        notification_channel=notification_channel,
    )


@transaction.atomic
def application_record_card_available(*, application: Application, actor: User) -> Application:
    return _transition(
        application,
        action="record_card_available",
        actor=actor,
        event=EventKind.CARD_AVAILABLE,
    )


@transaction.atomic
def application_record_card_handed_over(
    *,
    application: Application,
    actor: User,
    card_number: str,
    valid_from: date,
    valid_until: date,
    handed_over_on: date,
) -> ResidencePermit:
    """The card is handed over: the dossier ends and the card becomes a permit held."""
    handed = _transition(
        application,
        action="record_card_handed_over",
        actor=actor,
        event=EventKind.CARD_HANDED_OVER,
        fields={"card_handed_over_on": handed_over_on},
        card_number=card_number,
    )
    return permit_declare(
        holder=handed.applicant,
        number=card_number,
        card_type=handed.ground.card_type,
        valid_from=valid_from,
        valid_until=valid_until,
        actor=actor,
        ground=handed.ground,
        handed_over=True,
        handed_over_on=handed_over_on,
    )
