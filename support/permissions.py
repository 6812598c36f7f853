"""Who may do what in the contact centre. Roles come from `accounts.permissions`; this adds the
supervisor and the abilities on one ticket, used by the console's templates, views and API.

Supervisor: a contact-centre agent holding the Django permission
`support.supervise_contact_centre` (given to a user or, better, to a group "Contact-centre
supervisors" in the admin). A permission rather than a new role: a supervisor is an agent who
answers tickets too, the role model keeps one role per account, and the admin already manages
permissions and groups with their own audit trail.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from accounts.enums import Role
from accounts.models import User
from accounts.permissions import (
    can_use_back_office,
    can_use_portal,
    is_contact_centre_agent,
    is_contact_centre_supervisor,
)
from support.enums import RecoveryStatus
from support.models import AccountRecovery, Ticket
from support.workflow import allowed_actions


def can_edit_saved_answers(user) -> bool:
    return is_contact_centre_supervisor(user)


def can_decide_recovery(user, recovery: AccountRecovery) -> bool:
    """Four eyes (issue 15): a supervisor other than the agent who asked and the one who typed
    the facts. The services check the same (and the database refuses the rest)."""
    pk = getattr(user, "pk", None)
    return (
        is_contact_centre_supervisor(user)
        and recovery.status == RecoveryStatus.AWAITING_APPROVAL
        and pk not in (recovery.requested_by_id, recovery.facts_checked_by_id)
    )


def supervisor_queryset() -> QuerySet[User]:
    permission = Permission.objects.filter(
        content_type__app_label="support", codename="supervise_contact_centre"
    ).first()
    if permission is None:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, role=Role.CONTACT_CENTRE_AGENT)
        .filter(Q(user_permissions=permission) | Q(groups__permissions=permission))
        .distinct()
    )


def get_abilities(user, ticket: Ticket) -> dict[str, bool]:
    """What `user` may do on `ticket` now (buttons shown = actions the services accept)."""
    possible = allowed_actions(ticket.status)
    agent = is_contact_centre_agent(user)
    prefecture_agent = (
        can_use_back_office(user)
        and ticket.prefecture_id is not None
        and user.prefecture_id == ticket.prefecture_id
        and ticket.escalated_to_prefecture_at is not None
    )
    confirmed = ticket.acknowledgement_id is not None
    return {
        "take": agent and "take" in possible and ticket.assignee_id != getattr(user, "pk", None),
        "assign": agent and "assign" in possible,
        "reply": agent and "reply" in possible,
        "note": (agent or prefecture_agent) and "note" in possible,
        "escalate": agent and "escalate" in possible,
        "resolve": agent and "resolve" in possible,
        "close": agent and "close" in possible,
        "reopen": agent and "reopen" in possible,
        "confirm_technical_impossibility": agent
        and not confirmed
        and "confirm_technical_impossibility" in possible,
        "recover_account": agent and "account_recovery" in possible,
        "prefecture_reply": prefecture_agent and "prefecture_reply" in possible,
        "requester_reply": can_use_portal(user) and "requester_reply" in possible,
    }
