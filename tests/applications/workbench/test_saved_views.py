"""Saved views of the queue (issue 20): named filters, private to their agent, unique names per
agent, at most 20, listed above the queue as links, deleted by their agent only."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from anef.errors import DomainError
from applications.models import SavedQueueView
from applications.workbench import saved_views
from reference.models import Prefecture
from tests.accounts.factories import PrefectureAgentFactory

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
QUEUE = "/agents/"


@pytest.fixture
def colleague(agent):
    return PrefectureAgentFactory(prefecture=agent.prefecture)


def _client(client, user):
    client.force_login(user)
    return client


def test_saved_view_create_agent_keeps_only_the_queue_filters(agent):
    view = saved_views.saved_view_create(
        agent=agent, name="Students", query="page=3&status=complete&evil=1&ground=student&kind="
    )
    assert view.query == "status=complete&ground=student"


def test_saved_view_create_same_name_other_case_refused(agent):
    saved_views.saved_view_create(agent=agent, name="Students", query="")
    with pytest.raises(DomainError) as refused:
        saved_views.saved_view_create(agent=agent, name="  STUDENTS ", query="status=complete")
    assert refused.value.code == "duplicate"


def test_saved_view_create_same_name_another_agent_allowed(agent, colleague):
    saved_views.saved_view_create(agent=agent, name="Students", query="")
    saved_views.saved_view_create(agent=colleague, name="Students", query="")
    assert SavedQueueView.objects.filter(name="Students").count() == 2


def test_saved_view_create_twenty_first_refused(agent):
    for index in range(saved_views.SAVED_VIEWS_MAX):
        saved_views.saved_view_create(agent=agent, name=f"View {index}", query="")
    with pytest.raises(DomainError) as refused:
        saved_views.saved_view_create(agent=agent, name="One more", query="")
    assert refused.value.code == "too_many"
    assert SavedQueueView.objects.filter(agent=agent).count() == saved_views.SAVED_VIEWS_MAX


def test_saved_view_create_empty_name_refused(agent):
    with pytest.raises(DomainError):
        saved_views.saved_view_create(agent=agent, name="   ", query="")


def test_saved_view_create_applicant_refused(applicant):
    with pytest.raises(DomainError):
        saved_views.saved_view_create(agent=applicant, name="Mine", query="")


def test_saved_view_create_audited(agent):
    view = saved_views.saved_view_create(agent=agent, name="Students", query="status=complete")
    entry = LogEntry.objects.get(additional_data__action="saved_view_create")
    assert entry.object_pk == str(view.pk)


def test_saved_view_list_colleague_sees_none_of_mine(agent, colleague):
    saved_views.saved_view_create(agent=agent, name="Students", query="")
    assert list(saved_views.saved_view_list(colleague)) == []


def test_view_saved_view_listed_above_the_queue_as_a_link(client, agent):
    saved_views.saved_view_create(agent=agent, name="Students", query="status=complete")
    html = _client(client, agent).get(QUEUE, headers=EN).content.decode()
    assert 'href="/agents/?status=complete"' in html
    assert "Students" in html


def test_view_saved_view_create_posts_the_current_filters(client, agent):
    response = _client(client, agent).post(
        reverse("backoffice:saved_view_create"),
        {"name": "Complete", "query": "status=complete&page=2"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/agents/?status=complete"
    assert SavedQueueView.objects.get(agent=agent).query == "status=complete"


def test_view_saved_view_delete_own_view(client, agent):
    view = saved_views.saved_view_create(agent=agent, name="Students", query="")
    response = _client(client, agent).post(reverse("backoffice:saved_view_delete", args=[view.pk]))
    assert response.status_code == 302
    assert not SavedQueueView.objects.filter(pk=view.pk).exists()


def test_view_saved_view_delete_colleagues_view_not_found(client, agent, colleague):
    view = saved_views.saved_view_create(agent=colleague, name="Students", query="")
    response = _client(client, agent).post(reverse("backoffice:saved_view_delete", args=[view.pk]))
    assert response.status_code == 404
    assert SavedQueueView.objects.filter(pk=view.pk).exists()


def test_view_saved_view_delete_other_prefecture_agent_not_found(client, agent):
    view = saved_views.saved_view_create(agent=agent, name="Students", query="")
    lyon = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))
    response = _client(client, lyon).post(reverse("backoffice:saved_view_delete", args=[view.pk]))
    assert response.status_code == 404
    assert SavedQueueView.objects.filter(pk=view.pk).exists()
