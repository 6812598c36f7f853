"""Bulk actions on the queue (issue 20): one action applied to the dossiers an agent ticked.

Nothing here decides anything: each dossier goes through the very service the dossier page
calls (assignment: `applications.workbench.services`; correction request, card available,
card handed over: `applications.services`), **one transaction per dossier**, so that a refusal
for one (its status, another agent's assignment, a piece not on its list) leaves the others
done and is reported with its reason. The report lists every id asked for, in the order asked.

Authorization: the dossiers are looked up in the agent's own scope
(`application_list_visible_to`): an id of another prefecture's dossier, or of none, is reported
as « not found », exactly like an id that does not exist, and never reaches a service. At most
`BULK_MAX` ids per action, checked before anything is done.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_prefecture_agent
from anef.errors import DomainError
from applications import services as dossier
from applications.models import Application
from applications.selectors import application_list_visible_to
from applications.workbench import services as workbench

logger = logging.getLogger(__name__)

BULK_MAX = 100

ASSIGN_TO_ME = "assign_to_me"
ASSIGN = "assign"
REQUEST_CORRECTION = "request_correction"
CARD_AVAILABLE = "card_available"
CARD_HANDED_OVER = "card_handed_over"
ACTIONS = (ASSIGN_TO_ME, ASSIGN, REQUEST_CORRECTION, CARD_AVAILABLE, CARD_HANDED_OVER)

NOT_FOUND = _("Not found among your prefecture's applications.")
UNEXPECTED = _("An unexpected error stopped this one; nothing was changed for it.")


@dataclass(frozen=True)
class BulkOutcome:
    """One id asked for: the dossier found (None: not found), done or why not."""

    asked: str
    application: Application | None
    done: bool
    reason: Any = ""  # plain language, lazy: translated when shown


@dataclass
class BulkReport:
    action: str
    outcomes: list[BulkOutcome] = field(default_factory=list)

    @property
    def done(self) -> list[BulkOutcome]:
        return [outcome for outcome in self.outcomes if outcome.done]

    @property
    def failed(self) -> list[BulkOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.done]


def bulk_ids_cleaned(ids: list[str]) -> list[str]:
    """The ids asked for, once each, in the order asked, blanks dropped; at most `BULK_MAX`."""
    cleaned = list(dict.fromkeys(str(value).strip() for value in ids if str(value).strip()))
    if not cleaned:
        raise DomainError("nothing_selected", _("Tick at least one application first."))
    if len(cleaned) > BULK_MAX:
        raise DomainError(
            "too_many",
            _("At most %(limit)s applications per action: tick fewer.") % {"limit": BULK_MAX},
        )
    return cleaned


def bulk_applications(actor, ids: list[str]) -> dict[str, Application]:
    """The dossiers of these ids that the agent may see (their prefecture's), by id asked."""
    numbers = {value: int(value) for value in ids if value.isdigit() and len(value) < 19}
    found = application_list_visible_to(actor).filter(pk__in=set(numbers.values()))
    by_pk = {application.pk: application for application in found}
    return {value: by_pk[pk] for value, pk in numbers.items() if pk in by_pk}


def _operation(
    action: str,
    actor,
    *,
    assignee=None,
    message: str = "",
    deadline: date | None = None,
    document_type=None,
    handed_over_on: date | None = None,
    cards: dict[int, dict[str, Any]] | None = None,
) -> Callable[[Application], Any]:
    """The service call for one dossier, each its own transaction (the services are atomic)."""
    if action == ASSIGN_TO_ME:
        return lambda app: workbench.application_assign(application=app, agent=actor, actor=actor)
    if action == ASSIGN:
        if assignee is None:
            raise DomainError("assignee_required", _("Choose the agent to assign them to."))
        return lambda app: workbench.application_assign(
            application=app, agent=assignee, actor=actor
        )
    if action == REQUEST_CORRECTION:
        if document_type is None or deadline is None:
            raise DomainError(
                "correction_incomplete", _("Choose the missing piece and the deadline.")
            )
        return lambda app: dossier.correction_request_create(
            application=app,
            actor=actor,
            message=message,
            deadline=deadline,
            document_types=[document_type],
        )
    if action == CARD_AVAILABLE:
        return lambda app: dossier.application_record_card_available(application=app, actor=actor)
    if action == CARD_HANDED_OVER:
        cards = cards or {}

        def hand_over(app: Application):
            card = cards.get(app.pk)
            if not card:
                raise DomainError("card_required", _("Give the card's number and validity."))
            return dossier.application_record_card_handed_over(
                application=app, actor=actor, handed_over_on=handed_over_on, **card
            )

        if handed_over_on is None:
            raise DomainError("handover_date_required", _("Give the day the cards were handed."))
        return hand_over
    raise DomainError("unknown_action", _("Choose an action."))


def bulk_apply(*, actor, action: str, ids: list[str], **options: Any) -> BulkReport:
    """Apply `action` to each dossier of `ids` the agent may see, one transaction each, and say
    per id what was done or why not. `options`: `assignee` (ASSIGN), `message`, `deadline`,
    `document_type` (REQUEST_CORRECTION), `handed_over_on` and `cards` — per dossier pk its
    `card_number`, `valid_from`, `valid_until` (CARD_HANDED_OVER)."""
    if not is_prefecture_agent(actor):
        raise DomainError("not_yours", _("Only the prefecture's agents act on its applications."))
    ids = bulk_ids_cleaned(ids)
    operate = _operation(action, actor, **options)
    found = bulk_applications(actor, ids)
    report = BulkReport(action)
    for asked in ids:
        application = found.get(asked)
        if application is None:
            report.outcomes.append(BulkOutcome(asked, None, False, NOT_FOUND))
            continue
        try:
            operate(application)
        except DomainError as error:
            report.outcomes.append(BulkOutcome(asked, application, False, error.message))
        except Exception:  # one dossier's bug must not leave the others undone and unreported
            logger.exception("Bulk %s failed on application %s", action, application.pk)
            report.outcomes.append(BulkOutcome(asked, application, False, UNEXPECTED))
        else:
            report.outcomes.append(BulkOutcome(asked, application, True))
    return report
