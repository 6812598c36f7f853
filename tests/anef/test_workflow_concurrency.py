"""Two people moving the same row from the same status at once: the engine's row lock makes the
second wait for the first commit, read the new status and be refused, so the timeline tells the
move once (on PostgreSQL: SQLite ignores `select_for_update`)."""

import time

import pytest

from anef import workflow as engine
from anef.workflow import TransitionNotAllowed, transition
from applications import services as application_services
from applications.enums import ApplicationStatus, EventKind
from substitution.enums import CaseEventKind, CaseStatus
from substitution.models import CaseEvent
from substitution.workflow import CASE
from tests.accounts.factories import ApplicantFactory, PrefectureAgentFactory
from tests.applications.factories import ApplicationFactory
from tests.concurrency import postgresql_only, run_at_once
from tests.substitution.factories import CaseFactory


@pytest.fixture
def slow_audit(monkeypatch):
    """Each transaction lingers after its checks (while writing its audit entry), so that two
    runs truly overlap: without the lock, both would read the old status before either commits."""
    original = engine.audit_action

    def audit_action(**kwargs):
        time.sleep(0.3)
        return original(**kwargs)

    monkeypatch.setattr(engine, "audit_action", audit_action)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrency_workflow_decision_twice_at_once_one_event(reference_data, slow_audit):
    application = ApplicationFactory(
        applicant=ApplicantFactory(), status=ApplicationStatus.COMPLETE
    )
    agents = [PrefectureAgentFactory(), PrefectureAgentFactory()]
    errors = run_at_once(
        lambda agent: application_services.application_decide_favourable(
            application=application, actor=agent
        ),
        agents,
    )
    assert [type(error) for error in errors] == [TransitionNotAllowed]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FAVOURABLE
    assert application.events.filter(kind=EventKind.DECIDED_FAVOURABLE).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrency_workflow_case_closed_twice_at_once_one_event(reference_data, slow_audit):
    case = CaseFactory()
    agents = [PrefectureAgentFactory(), PrefectureAgentFactory()]
    errors = run_at_once(
        lambda agent: transition(
            case,
            workflow=CASE,
            action="close",
            actor=agent,
            fields={"closed_at": case.opened_at},
        ),
        agents,
    )
    assert [type(error) for error in errors] == [TransitionNotAllowed]
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.CLOSED).count() == 1
