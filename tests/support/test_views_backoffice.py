"""Tickets escalated to a prefecture, in its back office."""

import pytest
from django.urls import reverse

from applications.enums import ApplicationStatus
from support import services
from support.enums import TicketCategory, TicketStatus
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated(reference_data, agent):
    applicant = ApplicantProfileFactory(postal_code="75011").user
    application = ApplicationFactory(applicant=applicant, status=ApplicationStatus.SUBMITTED)
    ticket, _token = services.ticket_open_from_portal(
        actor=applicant,
        category=TicketCategory.ERROR_IN_RECORD,
        body="My previous card handover is not recorded.",
        application=application,
    )
    services.ticket_note_add(ticket=ticket, actor=agent, body="Checked: handover missing")
    return services.ticket_escalate_to_prefecture(
        ticket=ticket, actor=agent, note="Please record the handover."
    )


def test_views_backoffice_ticket_list_agent_of_the_prefecture(client, escalated):
    client.force_login(PrefectureAgentFactory(prefecture=escalated.prefecture))
    response = client.get(reverse("support_backoffice:list"))
    assert response.status_code == 200
    assert escalated.number in response.text


def test_views_backoffice_ticket_other_prefecture_not_found(client, escalated):
    client.force_login(PrefectureAgentFactory(prefecture__departement_code="93"))
    assert escalated.number not in client.get(reverse("support_backoffice:list")).text
    url = reverse("support_backoffice:detail", args=[escalated.number])
    assert client.get(url).status_code == 404


def test_views_backoffice_ticket_reply_same_thread(client, escalated):
    client.force_login(PrefectureAgentFactory(prefecture=escalated.prefecture))
    detail = client.get(reverse("support_backoffice:detail", args=[escalated.number]))
    assert "Please record the handover." in detail.text  # the contact centre's note
    response = client.post(
        reverse("support_backoffice:reply", args=[escalated.number]),
        {"message": "The handover is now recorded."},
    )
    assert response.status_code == 302
    escalated.refresh_from_db()
    assert escalated.status == TicketStatus.WAITING_ON_APPLICANT
    last = escalated.messages.last()
    assert (last.side, last.kind) == ("prefecture", "reply")
