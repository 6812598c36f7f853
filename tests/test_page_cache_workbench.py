"""The kept queue pages and the workbench (issue 20). The queue is kept per agent and address
under the generations of its prefecture and of the agent (applications.views.queue_page
`agent_queue`): an assignment bumps the prefecture, a follow bumps the follower only; « my
dossiers » is a page per agent. The dossier page is not kept: a note shows at once.

These tests commit (`transaction=True`): see tests/test_page_cache.py.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.workbench import services
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ApplicationFactory
from tests.page_cache_helpers import (
    client_of,
    get,
    hit,
    paris,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "/agents/"
MINE = "/agents/?scope=mine"


@pytest.fixture
def application(paris):  # noqa: F811
    """Made by the factory (no service, no bump): only the change under test moves pages on."""
    return ApplicationFactory(
        applicant=ApplicantProfileFactory(postal_code="75011").user,
        prefecture=paris,
        status=ApplicationStatus.SUBMITTED,
        filed_at=timezone.now(),
    )


@pytest.fixture
def sonia(paris):  # noqa: F811
    return PrefectureAgentFactory(prefecture=paris)


@pytest.fixture
def paul(paris):  # noqa: F811
    return PrefectureAgentFactory(prefecture=paris)


def _kept(client, url: str) -> None:
    get(client, url)
    assert hit(client, url)[1]


def test_page_cache_workbench_assignment_shows_at_once_in_every_queue(application, sonia, paul):
    sonia_client, paul_client = client_of(sonia), client_of(paul)
    _kept(sonia_client, QUEUE)
    _kept(paul_client, QUEUE)
    services.application_assign(application=application, agent=sonia, actor=sonia)
    page, kept = hit(sonia_client, QUEUE)
    assert not kept
    assert "Assigned to you" in page.text
    page, kept = hit(paul_client, QUEUE)
    assert not kept
    assert f"Assigned to {sonia.get_full_name()}" in page.text


def test_page_cache_workbench_my_dossiers_is_a_page_per_agent(application, sonia, paul):
    services.application_assign(application=application, agent=sonia, actor=sonia)
    sonia_client, paul_client = client_of(sonia), client_of(paul)
    _kept(sonia_client, MINE)
    _kept(paul_client, MINE)
    assert application.reference in get(sonia_client, MINE).text
    assert application.reference not in get(paul_client, MINE).text


def test_page_cache_workbench_unassignment_leaves_my_dossiers_at_once(application, sonia):
    services.application_assign(application=application, agent=sonia, actor=sonia)
    client = client_of(sonia)
    _kept(client, MINE)
    services.application_unassign(application=application, actor=sonia)
    page, kept = hit(client, MINE)
    assert not kept
    assert application.reference not in page.text


def test_page_cache_workbench_follow_refreshes_the_followers_queue_only(application, sonia, paul):
    sonia_client, paul_client = client_of(sonia), client_of(paul)
    _kept(sonia_client, QUEUE)
    _kept(paul_client, QUEUE)
    services.application_follow(application=application, actor=sonia)
    page, kept = hit(sonia_client, QUEUE)
    assert not kept
    assert "· followed" in page.text
    assert hit(paul_client, QUEUE)[1]


def test_page_cache_workbench_note_shows_at_once_on_the_dossier_page(application, sonia):
    client = client_of(sonia)
    url = reverse("backoffice:application_detail", args=[application.reference])
    assert "No note yet." in client.get(url).text
    services.annotation_create(application=application, actor=sonia, body="Vu au guichet")
    assert "Vu au guichet" in client.get(url).text
