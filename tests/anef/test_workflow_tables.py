"""Every table of the workflow engine (anef/workflow.py), on the database: for every model, every
action from every status either moves the row where the table says, with one timeline event and
one audit entry, or is refused without writing anything (no event, no audit row, status
unchanged). A (from, to) pair no action of the table allows can therefore never happen."""

import pytest
from auditlog.models import LogEntry
from django.utils import timezone, translation

from anef.workflow import TransitionNotAllowed, transition
from applications.models import Application
from applications.workflow import WORKFLOW as APPLICATION
from reference.enums import DecisionKind
from reference.models import DecisionReason
from substitution.enums import AppointmentStatus, CaseStatus
from substitution.models import Appointment, QueueTicket
from substitution.workflow import APPOINTMENT, CASE, QUEUE_TICKET
from support.models import Ticket
from support.workflow import WORKFLOW as TICKET
from tests.accounts.factories import ApplicantFactory, PrefectureAgentFactory
from tests.applications.factories import ApplicationFactory
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory
from tests.support.factories import web_ticket

pytestmark = pytest.mark.django_db


# --- One row in any status, and the fields a move to some statuses needs (constraints) ----------


def _application(status: str) -> Application:
    reason = DecisionReason.objects.filter(kind=DecisionKind.REFUSAL).first()
    return ApplicationFactory(
        applicant=ApplicantFactory(),
        status=status,
        decision_reason=reason,
        decision_explanation="Explained.",
        decision_legal_basis="L. 432-1 CESEDA",
        decision_remedies="Two months.",
    )


def _ticket(status: str) -> Ticket:
    ticket, _secret = web_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    return Ticket.objects.get(pk=ticket.pk)


def _case(status: str):
    closed_at = timezone.now() if status == CaseStatus.CLOSED else None
    return CaseFactory(status=status, closed_at=closed_at)


def _appointment(status: str) -> Appointment:
    cancelled_at = timezone.now() if status == AppointmentStatus.CANCELLED else None
    return Appointment.objects.create(
        slot=SlotFactory(),
        case=CaseFactory(status=CaseStatus.APPOINTMENT_BOOKED),
        status=status,
        cancelled_at=cancelled_at,
    )


def _queue_ticket(status: str) -> QueueTicket:
    return QueueTicket.objects.create(
        desk=DeskFactory(), day=timezone.localdate(), number=1, status=status
    )


def _fields(name: str, action: str) -> dict:
    now = timezone.now()
    return {
        ("case", "close"): {"closed_at": now},  # a case's closure is dated (constraint)
        ("appointment", "cancel"): {"cancelled_at": now},  # and an appointment's cancellation
    }.get((name, action), {})


WORKFLOWS = {
    "application": (APPLICATION, _application, lambda row: row.events),
    "ticket": (TICKET, _ticket, lambda row: row.events),
    "case": (CASE, _case, lambda row: row.events),
    "appointment": (APPOINTMENT, _appointment, lambda row: row.case.events),
    "queue_ticket": (QUEUE_TICKET, _queue_ticket, lambda row: row.events),
}

CASES = [
    pytest.param(name, action, status, id=f"{name}-{action}-{status}")
    for name, (workflow, _make, _events) in WORKFLOWS.items()
    for action in workflow.actions
    for status in workflow.statuses.values
]


def _audit_count(row) -> int:
    return LogEntry.objects.get_for_object(row).count()


@pytest.mark.parametrize(("name", "action", "status"), CASES)
def test_workflow_table_action_moves_or_refuses_without_writing(
    reference_data, name, action, status
):
    workflow, make, events = WORKFLOWS[name]
    row = make(status)
    actor = PrefectureAgentFactory()
    events_before, audit_before = events(row).count(), _audit_count(row)
    allowed = workflow.moves[action]
    if status in allowed:
        moved = transition(
            row, workflow=workflow, action=action, actor=actor, fields=_fields(name, action)
        )
        row.refresh_from_db()
        assert row.status == moved.status == allowed[status]
        kind = workflow.actions[action].event
        new_events = list(events(row).order_by("pk")[events_before:])
        assert [event.kind for event in new_events] == ([kind] if kind else [])
        assert all(event.actor == actor for event in new_events)
        entries = LogEntry.objects.get_for_object(row).order_by("pk")[audit_before:]
        assert [entry.additional_data["action"] for entry in entries] == [
            workflow.audit_name(action)
        ]
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            transition(
                row, workflow=workflow, action=action, actor=actor, fields=_fields(name, action)
            )
        assert (refused.value.code, refused.value.status) == ("transition_not_allowed", status)
        row.refresh_from_db()
        assert row.status == status
        assert events(row).count() == events_before
        assert _audit_count(row) == audit_before


def test_workflow_refusal_tells_the_status_in_plain_words():
    with pytest.raises(TransitionNotAllowed) as refused:
        CASE.target("deposit_file", CaseStatus.CLOSED)
    with translation.override("en"):
        assert str(refused.value.message) == "This is not possible while the case is « Closed »."


def test_workflow_unknown_action_refused():
    with pytest.raises(TransitionNotAllowed):
        TICKET.target("teleport", "new")


def test_workflow_event_not_in_the_table_is_a_programming_error(reference_data):
    row = _queue_ticket("waiting")
    with pytest.raises(ValueError, match="does not write"):
        transition(row, workflow=QUEUE_TICKET, action="call", actor=None, event="served")
    row.refresh_from_db()
    assert row.status == "waiting"


# --- The tables themselves, written out: a change to a table must change this test too ---------


def test_workflow_case_table():
    assert CASE.moves == {
        "appointment": {"open": "appointment_booked", "appointment_booked": "appointment_booked"},
        "appointment_cancelled": {"appointment_booked": "open"},
        "appointment_missed": {"appointment_booked": "open"},
        "deposit_file": {"open": "deposit_received", "appointment_booked": "deposit_received"},
        "close": {"open": "closed", "appointment_booked": "closed", "deposit_received": "closed"},
    }


def test_workflow_appointment_table():
    assert APPOINTMENT.moves == {
        "cancel": {"booked": "cancelled"},
        "mark_attended": {"booked": "attended"},
        "mark_no_show": {"booked": "no_show"},
    }


def test_workflow_queue_ticket_table():
    assert QUEUE_TICKET.moves == {"call": {"waiting": "called"}, "serve": {"called": "served"}}


def test_workflow_ticket_pairs():
    live = {"new", "open", "waiting_on_applicant", "escalated"}
    expected = (
        {(status, status) for status in live | {"resolved", "closed"}}  # notes, assignment…
        | {("new", "open")}  # taken
        | {(status, "waiting_on_applicant") for status in live}  # answered
        | {("waiting_on_applicant", "open"), ("resolved", "open"), ("closed", "open")}
        | {("new", "escalated"), ("open", "escalated"), ("waiting_on_applicant", "escalated")}
        | {(status, "resolved") for status in live}
        | {(status, "closed") for status in ("new", "open", "waiting_on_applicant", "resolved")}
    )
    assert TICKET.pairs() == expected


def test_workflow_final_states_have_no_way_out():
    assert CASE.allowed_actions("closed") == set()
    for status in ("cancelled", "attended", "no_show"):
        assert APPOINTMENT.allowed_actions(status) == set()
    for status in ("served", "left"):
        assert QUEUE_TICKET.allowed_actions(status) == set()


def test_workflow_unknown_status_in_a_table_refused_at_import():
    from anef.workflow import Workflow, move

    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow(
            name="broken",
            statuses=CaseStatus,
            timeline="substitution.CaseEvent",
            subject="case",
            refused="%(status)s",
            actions={"fly": move({"open"}, "in_the_air")},
        )
