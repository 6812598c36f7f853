"""One workflow engine for every status that moves: dossiers, tickets, substitution cases,
appointments and walk-in tickets (issue 19).

Each app declares its table once (`<app>/workflow.py`): for every action, the statuses it may
start from and the status each leads to, the timeline event it writes and the timeline the event
goes to. `transition` is the one function that moves a status. In one transaction it locks the
row (SELECT … FOR UPDATE), checks the move against the table, sets the status and the fields the
caller gives, writes the timeline event and the audit entry, and returns the row. A move the table
does not allow raises `TransitionNotAllowed` before anything is written.

Why the lock lives here and not in each caller: two agents acting on the same row at once must
see each other's result; the second one waits for the first commit, reads the new status, and is
refused by the table instead of writing a second event (tests/anef/test_workflow_engine.py).

Who may do an action is decided by the apps' `permissions.py` (`get_abilities`), which read the
same table through `Workflow.allowed_actions`; the table names the actions they grant.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.db import models, transaction
from django.utils.functional import lazy

from anef.audit import audit_action
from anef.errors import DomainError

M = TypeVar("M", bound=models.Model)


def _refusal_text(template: Any, label: Any) -> str:
    return str(template) % {"status": label}


_refusal_lazy = lazy(_refusal_text, str)


class TransitionNotAllowed(DomainError):
    """The row is not in a status from which this action is possible (now, or any more: another
    person may have acted first). Nothing was written. `message` is plain language for the person
    or the agent; `code` is for the API; the answer is a 409."""

    def __init__(self, *, workflow: "Workflow", action: str, status: str):
        self.workflow_name = workflow.name
        self.action, self.status = action, status
        super().__init__(
            "transition_not_allowed",
            workflow.refusal(status),
            http_status=409,
            action=action,
            status=status,
        )


@dataclass(frozen=True)
class Action:
    """One action of a table: from each allowed source status, the status it leads to (the same
    one for an action that changes something else, such as taking a ticket)."""

    moves: Mapping[str, str]
    # The timeline kinds it may write, the first by default; none when another event of the same
    # transaction tells it (a case open again because its appointment was cancelled).
    events: tuple[str, ...] = ()
    audit: str = ""  # the audit log's name of the action, when not the table's prefix + action

    @property
    def event(self) -> str | None:
        return self.events[0] if self.events else None


def move(
    sources: Iterable[str], target: str, *, events: Iterable[str] = (), audit: str = ""
) -> Action:
    """An action leading from every one of `sources` to `target`."""
    return Action(moves=dict.fromkeys(sources, target), events=tuple(events), audit=audit)


@dataclass(frozen=True)
class Workflow:
    """The declarative table of one model's statuses.

    `timeline` is the concrete `anef.models.TimelineEvent` ("app_label.Model") the events go to,
    `subject` its foreign key to what the event is about, and `subject_of` the attribute of the
    row that gives that foreign key's value ("pk" when the row has its own timeline; "case_id"
    for an appointment, told on its case's timeline)."""

    name: str
    statuses: type[models.TextChoices]
    actions: Mapping[str, Action]
    timeline: str
    subject: str
    refused: Any  # a lazy message with %(status)s, the current status's label
    subject_of: str = "pk"
    audit_prefix: str = ""
    status_field: str = field(default="status")
    # What else a change of this model implies, in the same transaction (the page-cache
    # generations of the people and queues that see it: anef/generations.py).
    on_change: Callable[[Any], None] | None = None

    def __post_init__(self) -> None:
        known = set(self.statuses.values)
        for action, spec in self.actions.items():
            unknown = (set(spec.moves) | set(spec.moves.values())) - known
            if unknown:
                raise ValueError(f"{self.name}.{action}: unknown statuses {sorted(unknown)}")

    # --- Reading the table -------------------------------------------------------------------

    @property
    def moves(self) -> dict[str, dict[str, str]]:
        """action → {source: target}."""
        return {action: dict(spec.moves) for action, spec in self.actions.items()}

    def pairs(self) -> set[tuple[str, str]]:
        """Every (from, to) that some action allows."""
        return {pair for spec in self.actions.values() for pair in spec.moves.items()}

    def target(self, action: str, status: str) -> str:
        """The status `action` leads to from `status`, or TransitionNotAllowed."""
        spec = self.actions.get(action)
        if spec is None or status not in spec.moves:
            raise TransitionNotAllowed(workflow=self, action=action, status=status)
        return spec.moves[status]

    def allowed_actions(self, status: str) -> set[str]:
        return {action for action, spec in self.actions.items() if status in spec.moves}

    def audit_name(self, action: str) -> str:
        return self.actions[action].audit or f"{self.audit_prefix}{action}"

    def refusal(self, status: str) -> str:
        label = dict(self.statuses.choices).get(status, status)
        return _refusal_lazy(self.refused, label)

    def timeline_model(self) -> type[models.Model]:
        return apps.get_model(self.timeline)


def transition(
    instance: M,
    *,
    workflow: Workflow,
    action: str,
    actor: Any,
    event: str | None = None,
    fields: dict[str, Any] | None = None,
    bookkeeping: dict[str, Any] | None = None,
    event_params: dict[str, Any] | None = None,
    audit_details: dict[str, Any] | None = None,
) -> M:
    """Move `instance` by `action`, in one transaction; returns the row as saved.

    `fields` are set with the status and recorded in the audit entry as (before, after);
    `bookkeeping` are set and saved but not audited (flags such as "attestations to refresh").
    The event of the action is written with `event_params`: the table's first kind for it, or
    `event` when the table lists several (a ticket's account recovery is told three ways); the
    audit entry names the actor (and, under a mandate, for whom: `anef.audit`).

    The row is read again under its lock: whatever the caller holds may be stale, and the status
    checked is the one the row has once no one else is changing it."""
    spec = workflow.actions.get(action)
    if spec is not None:  # a mistake in the calling code, not a refusal: fail loudly
        if event is not None and event not in spec.events:
            raise ValueError(f"{workflow.name}.{action} does not write {event!r}")
        if not spec.events and event_params:
            raise ValueError(f"{workflow.name}.{action} writes no event: no event_params")
        event = event or spec.event
    with transaction.atomic():
        model = type(instance)
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        before = getattr(locked, workflow.status_field)
        after = workflow.target(action, before)
        changes: dict[str, tuple[Any, Any]] = {}
        if after != before:
            changes[workflow.status_field] = (before, after)
        setattr(locked, workflow.status_field, after)
        for name, value in (fields or {}).items():
            current = getattr(locked, name)
            if current != value:
                changes[name] = (current, value)
            setattr(locked, name, value)
        for name, value in (bookkeeping or {}).items():
            setattr(locked, name, value)
        locked.save()
        if event is not None:
            workflow.timeline_model().record(
                kind=event,
                actor=actor,
                params=event_params or {},
                **{f"{workflow.subject}_id": getattr(locked, workflow.subject_of)},
            )
        audit_action(
            instance=locked,
            actor=actor,
            action=workflow.audit_name(action),
            changes=changes,
            details=audit_details,
        )
        if workflow.on_change is not None:
            workflow.on_change(locked)
    return locked
