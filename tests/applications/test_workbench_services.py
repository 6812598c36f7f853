"""The instruction workbench's writes (issue 20): assignment, following, notes and their export,
each checked against the dossier's prefecture, logged on the agent-side timeline and audited."""

import pytest
from auditlog.models import LogEntry

from anef.errors import DomainError
from applications import services as dossier
from applications.enums import ApplicationStatus
from applications.models import (
    Annotation,
    Assignment,
    Event,
    Follow,
    WorkbenchEvent,
    WorkbenchEventKind,
)
from applications.workbench import services
from tests.accounts.factories import (
    ApplicantProfileFactory,
    PrefectureAgentFactory,
    PrefectureSupervisorFactory,
)
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(paris):
    profile = ApplicantProfileFactory(postal_code="75011")
    return ApplicationFactory(
        applicant=profile.user, prefecture=paris, status=ApplicationStatus.SUBMITTED
    )


@pytest.fixture
def colleague(paris):
    return PrefectureAgentFactory(prefecture=paris)


@pytest.fixture
def supervisor(paris):
    return PrefectureSupervisorFactory(prefecture=paris)


def _audit(action: str):
    return LogEntry.objects.filter(additional_data__action=action)


# --- Assignment ----------------------------------------------------------------------------------


def test_workbench_agent_takes_unassigned_dossier_assigned_to_them(application, agent):
    services.application_assign(application=application, agent=agent, actor=agent)
    assert Assignment.objects.get(application=application).agent == agent


def test_workbench_assignment_logged_on_the_agent_side_timeline_only(application, agent):
    events_before = Event.objects.filter(application=application).count()
    services.application_assign(application=application, agent=agent, actor=agent)
    event = WorkbenchEvent.objects.get(application=application)
    assert (event.kind, event.actor, event.params["agent_id"]) == (
        WorkbenchEventKind.ASSIGNED,
        agent,
        agent.pk,
    )
    assert Event.objects.filter(application=application).count() == events_before


def test_workbench_assignment_audited_with_before_and_after(application, agent):
    services.application_assign(application=application, agent=agent, actor=agent)
    entry = _audit("application_assign").get()
    assert (entry.actor, entry.changes["assigned_to"]) == (agent, ["", str(agent.pk)])


def test_workbench_assign_by_agent_of_other_prefecture_refused(application, other_agent):
    with pytest.raises(DomainError) as refused:
        services.application_assign(application=application, agent=other_agent, actor=other_agent)
    assert refused.value.code == "not_yours"
    assert not Assignment.objects.exists()


def test_workbench_assign_to_agent_of_other_prefecture_refused_even_by_supervisor(
    application, supervisor, other_agent
):
    with pytest.raises(DomainError) as refused:
        services.application_assign(application=application, agent=other_agent, actor=supervisor)
    assert refused.value.code == "assignee_elsewhere"
    assert not Assignment.objects.exists()


def test_workbench_assign_to_inactive_agent_refused(application, supervisor, colleague):
    colleague.is_active = False
    colleague.save()
    with pytest.raises(DomainError):
        services.application_assign(application=application, agent=colleague, actor=supervisor)


def test_workbench_agent_assigning_a_colleague_refused(application, agent, colleague):
    with pytest.raises(DomainError) as refused:
        services.application_assign(application=application, agent=colleague, actor=agent)
    assert refused.value.code == "not_supervisor"


def test_workbench_agent_taking_a_colleagues_dossier_refused(application, agent, colleague):
    services.application_assign(application=application, agent=colleague, actor=colleague)
    with pytest.raises(DomainError) as refused:
        services.application_assign(application=application, agent=agent, actor=agent)
    assert refused.value.code == "already_assigned"
    assert Assignment.objects.get().agent == colleague


def test_workbench_supervisor_reassigns_to_a_colleague_logged(
    application, agent, colleague, supervisor
):
    services.application_assign(application=application, agent=agent, actor=agent)
    services.application_assign(application=application, agent=colleague, actor=supervisor)
    assert Assignment.objects.get().agent == colleague
    last = WorkbenchEvent.objects.filter(application=application).latest("pk")
    assert (last.params["agent_name"], last.params["previous_name"]) == (
        colleague.get_full_name(),
        agent.get_full_name(),
    )


def test_workbench_assign_again_to_the_same_agent_writes_nothing(application, agent):
    services.application_assign(application=application, agent=agent, actor=agent)
    services.application_assign(application=application, agent=agent, actor=agent)
    assert WorkbenchEvent.objects.count() == 1
    assert _audit("application_assign").count() == 1


def test_workbench_draft_cannot_be_assigned(application, agent):
    application.status = ApplicationStatus.DRAFT
    application.save()
    with pytest.raises(DomainError) as refused:
        services.application_assign(application=application, agent=agent, actor=agent)
    assert refused.value.code == "not_filed"


def test_workbench_assignee_unassigns_logged_and_audited(application, agent):
    services.application_assign(application=application, agent=agent, actor=agent)
    services.application_unassign(application=application, actor=agent)
    assert not Assignment.objects.exists()
    assert WorkbenchEvent.objects.latest("pk").kind == WorkbenchEventKind.UNASSIGNED
    assert _audit("application_unassign").get().changes["assigned_to"] == [str(agent.pk), ""]


def test_workbench_colleague_unassigning_refused(application, agent, colleague):
    services.application_assign(application=application, agent=agent, actor=agent)
    with pytest.raises(DomainError) as refused:
        services.application_unassign(application=application, actor=colleague)
    assert refused.value.code == "not_supervisor"
    assert Assignment.objects.get().agent == agent


def test_workbench_transfer_to_another_prefecture_ends_assignment_and_follows(application, agent):
    services.application_assign(application=application, agent=agent, actor=agent)
    services.application_follow(application=application, actor=agent)
    profile = application.applicant.applicant_profile
    dossier.address_change(
        profile=profile,
        address_line="1 place Bellecour",
        postal_code="69002",
        city="Lyon",
        actor=application.applicant,
    )
    assert not Assignment.objects.exists()
    assert not Follow.objects.exists()
    assert WorkbenchEvent.objects.latest("pk").params["reason"] == "transferred"


# --- Following -----------------------------------------------------------------------------------


def test_workbench_follow_twice_is_once(application, agent):
    services.application_follow(application=application, actor=agent)
    services.application_follow(application=application, actor=agent)
    assert Follow.objects.filter(agent=agent).count() == 1


def test_workbench_follow_by_agent_of_other_prefecture_refused(application, other_agent):
    with pytest.raises(DomainError):
        services.application_follow(application=application, actor=other_agent)
    assert not Follow.objects.exists()


# --- Notes ---------------------------------------------------------------------------------------


def test_workbench_annotation_saved_logged_and_audited(application, agent):
    annotation = services.annotation_create(
        application=application, actor=agent, body="  Passeport vérifié au guichet.  "
    )
    assert annotation.body == "Passeport vérifié au guichet."
    assert WorkbenchEvent.objects.get().kind == WorkbenchEventKind.ANNOTATED
    entry = _audit("application_annotate").get()
    assert (entry.actor, entry.additional_data["application"]) == (agent, application.reference)


def test_workbench_annotation_by_agent_of_other_prefecture_refused(application, other_agent):
    with pytest.raises(DomainError) as refused:
        services.annotation_create(application=application, actor=other_agent, body="Vu.")
    assert refused.value.code == "not_yours"
    assert not Annotation.objects.exists()


def test_workbench_annotation_empty_refused(application, agent):
    with pytest.raises(DomainError) as refused:
        services.annotation_create(application=application, actor=agent, body="   ")
    assert refused.value.code == "empty"


def test_workbench_annotation_too_long_refused(application, agent):
    with pytest.raises(DomainError) as refused:
        services.annotation_create(
            application=application,
            actor=agent,
            body="x" * (services.ANNOTATION_MAX_LENGTH + 1),
        )
    assert refused.value.code == "too_long"


def test_workbench_export_logged_as_personal_data_access(application, agent):
    services.annotation_create(application=application, actor=agent, body="Note 1")
    services.annotation_create(application=application, actor=agent, body="Note 2")
    export = services.annotations_export(application=application, actor=agent)
    assert [note.body for note in export.annotations] == ["Note 1", "Note 2"]
    entry = _audit("application_annotations_export").get()
    assert entry.additional_data["personal_data_access"] is True
    assert entry.additional_data["annotations"] == 2
    assert WorkbenchEvent.objects.latest("pk").params["count"] == 2


def test_workbench_export_by_agent_of_other_prefecture_refused_and_not_logged(
    application, agent, other_agent
):
    services.annotation_create(application=application, actor=agent, body="Note")
    with pytest.raises(DomainError):
        services.annotations_export(application=application, actor=other_agent)
    assert not _audit("application_annotations_export").exists()
