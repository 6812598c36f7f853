"""The agents' notes and the agent-side timeline (issue 20) stay on the agents' pages: the
applicant's dossier page and API, their helper's pages under a mandate and the contact centre's
console never show a note's text, nor who the dossier is assigned to. Each test fetches the page
or the API a real visitor would, with a note and an assignment on the dossier."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from applications.enums import ApplicationStatus
from applications.workbench import services
from reference.models import Prefecture
from support import services as support
from support.enums import TicketCategory
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    MandateFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
NOTE = "Note-interne-7731 : employeur joint par téléphone"
MARKER = "Note-interne-7731"


@pytest.fixture
def agent(reference_data):
    return PrefectureAgentFactory(
        prefecture=Prefecture.objects.get(departement_code="75"),
        first_name="Agathe",
        last_name="Assignée",  # the assignee's name: nowhere on these pages
    )


@pytest.fixture
def profile(reference_data):
    return ApplicantProfileFactory(postal_code="75011")


@pytest.fixture
def application(profile, agent):
    application = ApplicationFactory(
        applicant=profile.user, prefecture=agent.prefecture, status=ApplicationStatus.SUBMITTED
    )
    services.application_assign(application=application, agent=agent, actor=agent)
    services.annotation_create(application=application, actor=agent, body=NOTE)
    return application


def _hidden(content: bytes) -> bool:
    text = content.decode()
    return MARKER not in text and "Assignée" not in text


def test_workbench_privacy_agents_dossier_page_shows_the_note(client, application, agent):
    """The control: the marker is on the agents' page, so its absence elsewhere means something."""
    client.force_login(agent)
    response = client.get(
        reverse("backoffice:application_detail", args=[application.reference]), headers=EN
    )
    assert MARKER in response.text
    assert "Assigned to you" in response.text


def test_workbench_privacy_applicant_dossier_page_hides_notes_and_assignment(
    client, application, profile
):
    client.force_login(profile.user)
    response = client.get(
        reverse("portal:application_detail", args=[application.reference]), headers=EN
    )
    assert response.status_code == 200
    assert _hidden(response.content)


def test_workbench_privacy_applicant_dashboard_hides_notes(client, application, profile):
    client.force_login(profile.user)
    response = client.get(reverse("portal:home"), headers=EN)
    assert response.status_code == 200
    assert _hidden(response.content)


@pytest.mark.parametrize("route", ["api:application-detail", "api:application-events"])
def test_workbench_privacy_applicant_api_hides_notes_and_assignment(route, application, profile):
    api = APIClient()
    api.force_authenticate(profile.user)
    response = api.get(reverse(route, args=[application.reference]), headers=EN)
    assert response.status_code == 200
    assert _hidden(response.content)


def test_workbench_privacy_helper_under_mandate_dossier_page_hides_notes(
    client, application, profile
):
    helper = MandateFactory(person=profile.user).helper
    client.force_login(helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    response = client.get(
        reverse("portal:application_detail", args=[application.reference]), headers=EN
    )
    assert response.status_code == 200
    assert _hidden(response.content)


def test_workbench_privacy_contact_centre_ticket_about_the_dossier_hides_notes(
    client, application, profile
):
    ticket, _secret = support.ticket_open_from_portal(
        actor=profile.user,
        category=TicketCategory.OTHER,
        body="Where is my application?",
        application=application,
    )
    client.force_login(ContactCentreAgentFactory())
    response = client.get(
        reverse("support_console:ticket_detail", args=[ticket.number]), headers=EN
    )
    assert response.status_code == 200
    assert application.reference in response.text  # the ticket is about this dossier
    assert _hidden(response.content)
