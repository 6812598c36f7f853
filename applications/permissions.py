"""Who may do what on one dossier: role × dossier state (workflow) × ownership (the person,
or a helper under a mandate in force that covers the dossier's ground).

`get_abilities` is used by the portal and back-office templates (which buttons show), by the
views and by the API, so a button is never shown for an action the service would refuse.
"""

from accounts.mandates import mandate_active_for, mandate_covers
from accounts.permissions import can_use_back_office, is_applicant, is_helper
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.rules import DECIDED_STATES
from applications.workflow import allowed_actions

APPLICANT_ACTIONS = {"submit", "withdraw", "answer_correction"}
AGENT_ACTIONS = {
    "request_correction",
    "mark_complete",
    "decide_favourable",
    "decide_unfavourable",
    "close",
    "record_card_available",
    "record_card_handed_over",
}


def _is_owner(user, application: Application) -> bool:
    return is_applicant(user) and application.applicant_id == user.pk


def _is_mandated_helper(user, application: Application) -> bool:
    """A helper whose mandate from the applicant is in force today and covers this ground
    (issue 6). Under it the helper may do what the person may on this dossier; what stays the
    person's alone (giving and revoking mandates, sharing an attestation) is not a dossier
    action."""
    if not is_helper(user):
        return False
    mandate = mandate_active_for(user, application.applicant_id)
    return mandate is not None and mandate_covers(mandate, application.ground_id)


def _is_instructing_agent(user, application: Application) -> bool:
    return can_use_back_office(user) and application.prefecture_id == user.prefecture_id


def get_abilities(user, application: Application) -> dict[str, bool]:
    possible = allowed_actions(application.status)
    owner = _is_owner(user, application) or _is_mandated_helper(user, application)
    agent = _is_instructing_agent(user, application)
    abilities = {action: owner and action in possible for action in APPLICANT_ACTIONS}
    abilities.update({action: agent and action in possible for action in AGENT_ACTIONS})
    abilities["view"] = owner or agent
    abilities["edit_documents"] = owner and application.documents_editable
    abilities["report_error"] = owner and application.status != ApplicationStatus.DRAFT
    abilities["answer_error_reports"] = agent
    abilities["attach_foreigner_number"] = agent
    # Issue 18: the day a decision sent by letter or by hand reached the person.
    abilities["record_notification"] = agent and application.status in DECIDED_STATES
    # Whether a refusal comes with an obligation to leave France, recorded after it.
    abilities["record_obligation_to_leave"] = (
        agent and application.status == ApplicationStatus.UNFAVOURABLE
    )
    return abilities
