"""The workbench's API (issue 20): the agent's lists, a dossier's notes, assigning — by token,
as integrations call it — and the attacks: another prefecture's agent, an applicant's token, a
contact-centre token."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from applications.enums import ApplicationStatus
from applications.models import Annotation, Assignment, Follow
from applications.workbench import services as workbench
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
    PrefectureSupervisorFactory,
)
from tests.applications.api_helpers import _assert_error, _url
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _dossier(paris, **extra):
    profile = ApplicantProfileFactory(postal_code="75011")
    return ApplicationFactory(
        applicant=profile.user, prefecture=paris, status=ApplicationStatus.SUBMITTED, **extra
    )


@pytest.fixture
def application(paris):
    return _dossier(paris)


def _as(api_client, user):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def _references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["results"]]


# --- Lists ---------------------------------------------------------------------------------------


def test_api_workbench_mine_lists_only_my_assigned_dossiers(api_client, paris, agent):
    mine, other = _dossier(paris), _dossier(paris)
    workbench.application_assign(application=mine, agent=agent, actor=agent)
    colleague = PrefectureAgentFactory(prefecture=paris)
    workbench.application_assign(application=other, agent=colleague, actor=colleague)

    response = _as(api_client, agent).get(_url("agent-workbench-mine"))

    assert _references(response) == [mine.reference]
    [item] = response.json()["results"]
    assert item["assigned_to"] == {"id": agent.pk, "name": agent.get_full_name()}


def test_api_workbench_unassigned_lists_no_assigned_dossier(api_client, paris, agent):
    taken, free = _dossier(paris), _dossier(paris)
    workbench.application_assign(application=taken, agent=agent, actor=agent)

    response = _as(api_client, agent).get(_url("agent-workbench-unassigned"))

    assert _references(response) == [free.reference]
    assert response.json()["results"][0]["assigned_to"] is None


def test_api_workbench_followed_lists_what_i_follow(api_client, paris, agent, application):
    _dossier(paris)
    workbench.application_follow(application=application, actor=agent)

    response = _as(api_client, agent).get(_url("agent-workbench-followed"))

    assert _references(response) == [application.reference]
    assert response.json()["results"][0]["followed_by_me"] is True


@pytest.mark.parametrize(
    "name", ["agent-workbench-mine", "agent-workbench-unassigned", "agent-workbench-followed"]
)
def test_api_workbench_lists_queries_do_not_grow_with_dossiers(api_client, paris, agent, name):
    client = _as(api_client, agent)

    def queries_for(count: int) -> int:
        for _ in range(count):
            dossier = _dossier(paris)
            if name == "agent-workbench-mine":
                workbench.application_assign(application=dossier, agent=agent, actor=agent)
            elif name == "agent-workbench-followed":
                workbench.application_follow(application=dossier, actor=agent)
        with CaptureQueriesContext(connection) as queries:
            assert len(_references(client.get(_url(name)))) >= count
        return len(queries)

    assert queries_for(1) == queries_for(4)


# --- Notes ---------------------------------------------------------------------------------------


def test_api_workbench_notes_read_oldest_first_with_author(api_client, agent, application):
    workbench.annotation_create(application=application, actor=agent, body="Premier")
    workbench.annotation_create(application=application, actor=agent, body="Second")

    response = _as(api_client, agent).get(
        _url("agent-application-notes", reference=application.reference)
    )

    assert response.status_code == 200
    assert [note["body"] for note in response.json()] == ["Premier", "Second"]
    assert response.json()[0]["author"]["id"] == agent.pk


def test_api_workbench_note_posted_saved_through_the_service(api_client, agent, application):
    response = _as(api_client, agent).post(
        _url("agent-application-notes", reference=application.reference),
        {"body": "Appeler la personne"},
        format="json",
    )

    assert response.status_code == 201, response.content
    note = Annotation.objects.get(application=application)
    assert (note.body, note.author_id, response.json()["id"]) == (
        "Appeler la personne",
        agent.pk,
        note.pk,
    )
    assert application.workbench_events.filter(kind="annotated").exists()


def test_api_workbench_empty_note_refused(api_client, agent, application):
    response = _as(api_client, agent).post(
        _url("agent-application-notes", reference=application.reference),
        {"body": "   "},
        format="json",
    )

    _assert_error(response, 400, "empty")
    assert not Annotation.objects.exists()


# --- Assignment ----------------------------------------------------------------------------------


def test_api_workbench_assign_without_agent_takes_it_myself(api_client, agent, application):
    response = _as(api_client, agent).post(
        _url("agent-application-assign", reference=application.reference), {}, format="json"
    )

    assert response.status_code == 200, response.content
    assert Assignment.objects.get(application=application).agent_id == agent.pk
    assert response.json()["assigned_to"]["id"] == agent.pk


def test_api_workbench_supervisor_assigns_to_a_colleague(api_client, paris, application):
    supervisor = PrefectureSupervisorFactory(prefecture=paris)
    colleague = PrefectureAgentFactory(prefecture=paris)

    response = _as(api_client, supervisor).post(
        _url("agent-application-assign", reference=application.reference),
        {"agent": colleague.pk},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert Assignment.objects.get(application=application).agent_id == colleague.pk


def test_api_workbench_agent_assigning_a_colleague_refused(api_client, paris, agent, application):
    colleague = PrefectureAgentFactory(prefecture=paris)

    response = _as(api_client, agent).post(
        _url("agent-application-assign", reference=application.reference),
        {"agent": colleague.pk},
        format="json",
    )

    _assert_error(response, 403, "not_supervisor")
    assert not Assignment.objects.exists()


def test_api_workbench_taking_a_colleagues_dossier_conflict(api_client, paris, agent, application):
    colleague = PrefectureAgentFactory(prefecture=paris)
    workbench.application_assign(application=application, agent=colleague, actor=colleague)

    response = _as(api_client, agent).post(
        _url("agent-application-assign", reference=application.reference), {}, format="json"
    )

    _assert_error(response, 409, "already_assigned")
    assert Assignment.objects.get(application=application).agent_id == colleague.pk


# --- Attacks -------------------------------------------------------------------------------------


def test_api_workbench_attack_assign_to_agent_of_other_prefecture_not_found(
    api_client, paris, other_agent, application
):
    supervisor = PrefectureSupervisorFactory(prefecture=paris)

    response = _as(api_client, supervisor).post(
        _url("agent-application-assign", reference=application.reference),
        {"agent": other_agent.pk},
        format="json",
    )

    _assert_error(response, 400)
    assert not Assignment.objects.exists()


def test_api_workbench_attack_other_prefecture_agent_finds_no_dossier(
    api_client, agent, other_agent, application
):
    workbench.annotation_create(application=application, actor=agent, body="Secret de service")
    workbench.application_assign(application=application, agent=agent, actor=agent)
    client = _as(api_client, other_agent)
    reference = application.reference

    notes = client.get(_url("agent-application-notes", reference=reference))
    posted = client.post(
        _url("agent-application-notes", reference=reference), {"body": "x"}, format="json"
    )
    assigned = client.post(_url("agent-application-assign", reference=reference), {}, format="json")
    listed = [
        _references(client.get(_url(name)))
        for name in ("agent-workbench-mine", "agent-workbench-unassigned")
    ]

    for response in (notes, posted, assigned):
        _assert_error(response, 404)
    assert "Secret de service" not in notes.content.decode()
    assert listed == [[], []]
    assert Annotation.objects.count() == 1
    assert Assignment.objects.get(application=application).agent_id == agent.pk


@pytest.mark.parametrize("role", ["applicant", "contact_centre"])
def test_api_workbench_attack_applicant_or_contact_centre_token_refused(
    api_client, agent, application, role
):
    workbench.annotation_create(application=application, actor=agent, body="Secret de service")
    Follow.objects.create(application=application, agent=agent)
    user = application.applicant if role == "applicant" else ContactCentreAgentFactory()
    client = _as(api_client, user)
    reference = application.reference

    responses = [
        client.get(_url("agent-application-notes", reference=reference)),
        client.post(
            _url("agent-application-notes", reference=reference), {"body": "x"}, format="json"
        ),
        client.post(_url("agent-application-assign", reference=reference), {}, format="json"),
        *(
            client.get(_url(name))
            for name in (
                "agent-workbench-mine",
                "agent-workbench-unassigned",
                "agent-workbench-followed",
            )
        ),
    ]

    for response in responses:
        _assert_error(response, 403)
        assert "Secret de service" not in response.content.decode()
    assert Annotation.objects.count() == 1
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_api_workbench_note_edit_or_delete_method_refused(api_client, agent, application, method):
    """Notes are kept as written (they may be given to the person on request): the API, like
    the back office, offers no way to change or remove one."""
    workbench.annotation_create(application=application, actor=agent, body="Premier")
    url = _url("agent-application-notes", reference=application.reference)
    response = getattr(_as(api_client, agent), method)(url, {"body": "Changed"}, format="json")
    assert response.status_code == 405
    assert list(Annotation.objects.values_list("body", flat=True)) == ["Premier"]
