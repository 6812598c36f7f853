"""The workbench's pages (issue 20): the queue's lists and search of notes, the dossier page's
panel, the notes' export, the team's load; and the attacks of agents of another prefecture."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Annotation, Application, Assignment, Follow
from applications.workbench import services
from reference.models import Prefecture
from tests.accounts.factories import (
    ApplicantProfileFactory,
    PrefectureAgentFactory,
    PrefectureSupervisorFactory,
)
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
QUEUE = "/agents/"


@pytest.fixture
def lyon(reference_data):
    return Prefecture.objects.get(departement_code="69")


def _filed(prefecture, days_ago: int = 1, status=ApplicationStatus.SUBMITTED):
    return ApplicationFactory(
        applicant=ApplicantProfileFactory(postal_code="75011").user,
        prefecture=prefecture,
        status=status,
        filed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def application(paris):
    return _filed(paris)


def _signed_in(client, user):
    client.force_login(user)
    return client


def _references(response) -> set[str]:
    # The rows are HTML kept per row (applications/views/queue_rows.py), each with its dossier's id.
    pks = [row.pk for row in response.context["rows"]]
    return set(Application.objects.filter(pk__in=pks).values_list("reference", flat=True))


def _url(name: str, application) -> str:
    return reverse(f"backoffice:{name}", args=[application.reference])


# --- Queue lists ---------------------------------------------------------------------------------


def test_workbench_queue_mine_lists_only_the_agents_dossiers(client, paris, agent):
    mine, theirs, nobodys = _filed(paris), _filed(paris), _filed(paris)
    colleague = PrefectureAgentFactory(prefecture=paris)
    services.application_assign(application=mine, agent=agent, actor=agent)
    services.application_assign(application=theirs, agent=colleague, actor=colleague)
    response = _signed_in(client, agent).get(QUEUE + "?scope=mine", headers=EN)
    assert _references(response) == {mine.reference}
    assert nobodys.reference not in response.text


def test_workbench_queue_unassigned_lists_dossiers_assigned_to_nobody(client, paris, agent):
    taken, free = _filed(paris), _filed(paris)
    services.application_assign(application=taken, agent=agent, actor=agent)
    response = _signed_in(client, agent).get(QUEUE + "?scope=unassigned", headers=EN)
    assert _references(response) == {free.reference}


def test_workbench_queue_followed_lists_the_agents_followed_dossiers(client, paris, agent):
    followed, other = _filed(paris), _filed(paris)
    services.application_follow(application=followed, actor=agent)
    colleague = PrefectureAgentFactory(prefecture=paris)
    services.application_follow(application=other, actor=colleague)
    response = _signed_in(client, agent).get(QUEUE + "?scope=followed", headers=EN)
    assert _references(response) == {followed.reference}


def test_workbench_queue_row_names_the_assignee(client, paris, agent):
    application = _filed(paris)
    colleague = PrefectureAgentFactory(prefecture=paris, first_name="Inès", last_name="Garnier")
    services.application_assign(application=application, agent=colleague, actor=colleague)
    response = _signed_in(client, agent).get(QUEUE, headers=EN)
    assert "Assigned to Inès Garnier" in response.text


def test_workbench_queue_search_finds_words_of_a_note(client, paris, agent):
    noted, _other = _filed(paris), _filed(paris)
    services.annotation_create(application=noted, actor=agent, body="Employeur rappelé le 3 mai")
    response = _signed_in(client, agent).get(QUEUE + "?search=employeur rappel", headers=EN)
    assert _references(response) == {noted.reference}


def test_workbench_queue_search_of_notes_stays_in_the_agents_prefecture(
    client, lyon, agent, other_agent
):
    lyon_dossier = _filed(lyon)
    services.annotation_create(application=lyon_dossier, actor=other_agent, body="Mot-clé-lyonnais")
    response = _signed_in(client, agent).get(QUEUE + "?search=Mot-clé-lyonnais", headers=EN)
    assert _references(response) == set()


# --- Dossier page and actions --------------------------------------------------------------------


def test_workbench_dossier_page_agent_takes_then_sees_it_assigned_to_them(
    client, application, agent
):
    client = _signed_in(client, agent)
    response = client.post(_url("application_assign", application), follow=True, headers=EN)
    assert Assignment.objects.get(application=application).agent == agent
    assert "Assigned to you" in response.text
    assert "assigned the application to" in response.text  # the agents' timeline


def test_workbench_dossier_page_note_saved_and_shown_with_the_notice(client, application, agent):
    client = _signed_in(client, agent)
    response = client.post(
        _url("application_annotate", application),
        {"body": "Pièce d'identité vérifiée"},
        follow=True,
        headers=EN,
    )
    assert "Pièce d&#x27;identité vérifiée" in response.text
    assert "These notes are not secret" in response.text
    assert "L. 311-6" in response.text


def test_workbench_supervisor_assigns_to_an_agent_of_the_prefecture(client, paris, application):
    supervisor = PrefectureSupervisorFactory(prefecture=paris)
    colleague = PrefectureAgentFactory(prefecture=paris)
    _signed_in(client, supervisor).post(
        _url("application_assign", application), {"agent": colleague.pk}
    )
    assert Assignment.objects.get(application=application).agent == colleague


def test_workbench_export_is_csv_of_the_notes(client, application, agent):
    services.annotation_create(application=application, actor=agent, body="=HYPERLINK(x)")
    services.annotation_create(application=application, actor=agent, body="Deuxième note")
    response = _signed_in(client, agent).get(
        _url("application_annotations_export", application), headers=EN
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")
    assert "Deuxième note" in body
    assert "'=HYPERLINK(x)" in body  # never run as a formula by a spreadsheet
    assert LogEntry.objects.filter(
        additional_data__action="application_annotations_export"
    ).exists()


# --- Attacks: an agent of another prefecture ----------------------------------------------------


def test_workbench_attack_other_prefecture_agent_assigns_themself_not_found(
    client, application, other_agent
):
    response = _signed_in(client, other_agent).post(_url("application_assign", application))
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_workbench_attack_supervisor_assigns_an_agent_of_another_prefecture_refused(
    client, paris, application, other_agent
):
    supervisor = PrefectureSupervisorFactory(prefecture=paris)
    response = _signed_in(client, supervisor).post(
        _url("application_assign", application), {"agent": other_agent.pk}, headers=EN
    )
    assert response.status_code == 302
    assert not Assignment.objects.exists()


def test_workbench_attack_other_prefecture_agent_annotates_not_found(
    client, application, other_agent
):
    response = _signed_in(client, other_agent).post(
        _url("application_annotate", application), {"body": "Intrusion"}
    )
    assert response.status_code == 404
    assert not Annotation.objects.exists()


def test_workbench_attack_other_prefecture_agent_exports_notes_not_found(
    client, application, agent, other_agent
):
    services.annotation_create(application=application, actor=agent, body="Note interne")
    response = _signed_in(client, other_agent).get(
        _url("application_annotations_export", application)
    )
    assert response.status_code == 404
    assert b"Note interne" not in response.content
    assert not LogEntry.objects.filter(
        additional_data__action="application_annotations_export"
    ).exists()


def test_workbench_attack_other_prefecture_agent_follows_not_found(
    client, application, other_agent
):
    response = _signed_in(client, other_agent).post(_url("application_follow", application))
    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_workbench_attack_other_prefecture_agent_unassigns_not_found(
    client, application, agent, other_agent
):
    services.application_assign(application=application, agent=agent, actor=agent)
    response = _signed_in(client, other_agent).post(_url("application_unassign", application))
    assert response.status_code == 404
    assert Assignment.objects.get().agent == agent


# --- Team load -----------------------------------------------------------------------------------


def test_workbench_team_page_refused_to_an_agent_who_is_not_supervisor(client, agent):
    assert _signed_in(client, agent).get(reverse("backoffice:team")).status_code == 403


def test_workbench_team_page_counts_open_dossiers_per_agent_and_the_unassigned(
    client, paris, lyon, agent
):
    supervisor = PrefectureSupervisorFactory(prefecture=paris)
    old, recent = _filed(paris, days_ago=40), _filed(paris, days_ago=2)
    decided = _filed(paris, status=ApplicationStatus.CLOSED_CARD_HANDED_OVER)
    _filed(paris, days_ago=9)  # unassigned
    for application in (old, recent, decided):
        Assignment.objects.create(application=application, agent=agent, assigned_by=agent)
    _filed(lyon)  # another prefecture's: not counted
    response = _signed_in(client, supervisor).get(reverse("backoffice:team"), headers=EN)
    load = response.context["load"]
    counts = {user.pk: (user.open_count, user.oldest_filed_at) for user in load.agents}
    assert counts[agent.pk] == (2, old.filed_at)
    assert load.unassigned_count == 1
    assert "1 open application is assigned to nobody." in response.text


def test_workbench_team_page_lists_only_the_supervisors_prefecture(
    client, paris, agent, other_agent
):
    supervisor = PrefectureSupervisorFactory(prefecture=paris)
    response = _signed_in(client, supervisor).get(reverse("backoffice:team"), headers=EN)
    listed = {user.pk for user in response.context["load"].agents}
    assert agent.pk in listed
    assert other_agent.pk not in listed
