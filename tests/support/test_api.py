"""The ticket API: the person's endpoints never carry an internal note."""

import pytest
from django.urls import reverse

from support import services
from support.enums import TicketCategory
from support.models import PersonalDataAccess, Ticket
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(reference_data):
    return ApplicantProfileFactory(postal_code="75011").user


@pytest.fixture
def ticket(applicant, agent):
    ticket, _token = services.ticket_open_from_portal(
        actor=applicant, category=TicketCategory.OTHER, body="Question"
    )
    services.ticket_note_add(ticket=ticket, actor=agent, body="INTERNAL only")
    services.ticket_reply(ticket=ticket, actor=agent, body="Public answer")
    return Ticket.objects.get(pk=ticket.pk)


def test_api_ticket_create_applicant_about_own_application(client, applicant):
    application = ApplicationFactory(applicant=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("api:ticket-list"),
        {
            "category": "upload_fails",
            "message": "Upload fails",
            "application": application.reference,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["application"] == application.reference
    assert [message["body"] for message in body["messages"]] == ["Upload fails"]


def test_api_ticket_create_other_applicants_application_not_found(client, applicant):
    other = ApplicationFactory(applicant=ApplicantProfileFactory().user)
    client.force_login(applicant)
    response = client.post(
        reverse("api:ticket-list"),
        {"category": "other", "message": "Hi", "application": other.reference},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Ticket.objects.exists()


def test_api_ticket_list_applicant_only_own(client, applicant, ticket):
    ApplicantProfileFactory()
    client.force_login(applicant)
    body = client.get(reverse("api:ticket-list")).json()
    assert [row["number"] for row in body["results"]] == [ticket.number]


def test_api_ticket_detail_never_internal_notes(client, applicant, ticket):
    client.force_login(applicant)
    detail = client.get(reverse("api:ticket-detail", args=[ticket.number]))
    messages = client.get(reverse("api:ticket-messages", args=[ticket.number]))
    for response in (detail, messages):
        assert response.status_code == 200
        assert "INTERNAL" not in response.content.decode()
        assert "Public answer" in response.content.decode()


def test_api_ticket_reply_applicant(client, applicant, ticket):
    client.force_login(applicant)
    response = client.post(
        reverse("api:ticket-messages", args=[ticket.number]),
        {"message": "Thank you"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["side"] == "requester"


def test_api_ticket_reply_closed_ticket_conflict(client, applicant, ticket, agent):
    services.ticket_close(ticket=ticket, actor=agent)
    client.force_login(applicant)
    response = client.post(
        reverse("api:ticket-messages", args=[ticket.number]),
        {"message": "Again"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_api_ticket_detail_other_applicant_not_found(client, ticket):
    client.force_login(ApplicantProfileFactory().user)
    assert client.get(reverse("api:ticket-detail", args=[ticket.number])).status_code == 404


def test_api_support_ticket_detail_contact_centre_sees_notes_and_logs(client, agent, ticket):
    client.force_login(agent)
    response = client.get(reverse("api:support-ticket-detail", args=[ticket.number]))
    assert response.status_code == 200
    kinds = [message["kind"] for message in response.json()["messages"]]
    assert kinds == ["reply", "note", "reply"]
    assert PersonalDataAccess.objects.filter(viewer=agent, ticket=ticket).count() == 1


def test_api_support_ticket_list_search(client, agent, ticket):
    client.force_login(agent)
    body = client.get(reverse("api:support-ticket-list"), {"search": ticket.number}).json()
    assert [row["number"] for row in body["results"]] == [ticket.number]


def test_api_support_ticket_reply_and_note(client, agent, ticket):
    client.force_login(agent)
    reply = client.post(
        reverse("api:support-ticket-reply", args=[ticket.number]),
        {"message": "More help"},
        content_type="application/json",
    )
    note = client.post(
        reverse("api:support-ticket-note", args=[ticket.number]),
        {"message": "Noted"},
        content_type="application/json",
    )
    assert (reply.status_code, note.status_code) == (201, 201)
    assert note.json()["kind"] == "note"


def test_api_support_ticket_reply_empty_is_a_clear_error(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("api:support-ticket-reply", args=[ticket.number]),
        {"message": "   "},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "empty_message"}


def test_api_support_ticket_list_applicant_denied(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("api:support-ticket-list")).status_code == 403
