"""Reads of the expert opinions, scoped once: an agent reads the opinions asked by their own
prefecture on a dossier; anyone else reads none."""

from django.db.models import QuerySet

from accounts.permissions import is_prefecture_agent
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.opinions.models import Opinion
from applications.opinions.rules import OpinionStatus, who_answers
from applications.workbench.selectors import prefecture_agents
from applications.workbench.services import is_agent_of

PANEL = "opinions"


def opinion_list_visible_to(user) -> QuerySet[Opinion]:
    if not is_prefecture_agent(user):
        return Opinion.objects.none()
    return Opinion.objects.filter(prefecture_id=user.prefecture_id).select_related(
        "asked_by", "addressee", "answered_by", "application"
    )


def opinions_panel(user, application: Application) -> dict:
    """The back office's opinions block: this prefecture's opinions on the dossier, and what
    this agent may do with each."""
    if not is_agent_of(user, application):
        return {"opinions": None}
    opinions = list(opinion_list_visible_to(user).filter(application=application))
    return {
        "opinions": {
            "items": [
                {
                    "opinion": opinion,
                    "may_answer": opinion.status == OpinionStatus.ASKED
                    and who_answers(
                        addressee_id=opinion.addressee_id, asked_by_id=opinion.asked_by_id
                    )
                    == user.pk,
                    "may_withdraw": opinion.status == OpinionStatus.ASKED
                    and opinion.asked_by_id == user.pk,
                }
                for opinion in opinions
            ],
            "colleagues": [
                agent
                for agent in prefecture_agents(application.prefecture_id)
                if agent.pk != user.pk
            ],
            "may_ask": application.status != ApplicationStatus.DRAFT,
        }
    }
