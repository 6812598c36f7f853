"""The portal side: applicants and helpers open and follow tickets; consultations page."""

import pytest
from django.urls import reverse

from applications.enums import ApplicationStatus
from support import services
from support.enums import PersonalDataScope, TicketCategory
from support.models import Ticket
from tests.accounts.factories import ApplicantProfileFactory, HelperFactory
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def applicant(reference_data):
    return ApplicantProfileFactory(postal_code="75011").user


def test_views_portal_ticket_new_applicant_about_own_dossier(client, applicant):
    application = ApplicationFactory(applicant=applicant, status=ApplicationStatus.SUBMITTED)
    client.force_login(applicant)
    response = client.post(
        reverse("support_portal:new"),
        {"category": "attestation_missing", "application": application.pk, "message": "Where?"},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.channel, ticket.requester, ticket.person) == ("portal", applicant, applicant)
    assert ticket.application == application
    assert ticket.prefecture == application.prefecture


def test_views_portal_ticket_new_other_applicants_dossier_refused(client, applicant):
    other = ApplicationFactory(applicant=ApplicantProfileFactory().user)
    client.force_login(applicant)
    response = client.post(
        reverse("support_portal:new"),
        {"category": "other", "application": other.pk, "message": "Hello"},
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_views_portal_ticket_new_helper(client):
    helper = HelperFactory()
    client.force_login(helper)
    client.post(reverse("support_portal:new"), {"category": "other", "message": "Hello"})
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.person) == (helper, None)


def test_views_portal_ticket_detail_other_applicant_not_found(client, applicant):
    ticket, _token = services.ticket_open_from_portal(
        actor=applicant, category=TicketCategory.OTHER, body="Hello"
    )
    client.force_login(ApplicantProfileFactory().user)
    assert client.get(reverse("support_portal:detail", args=[ticket.number])).status_code == 404


def test_views_portal_ticket_detail_thread_without_notes_and_reply(client, applicant, agent):
    ticket, _token = services.ticket_open_from_portal(
        actor=applicant, category=TicketCategory.OTHER, body="Hello"
    )
    services.ticket_note_add(ticket=ticket, actor=agent, body="INTERNAL hint")
    services.ticket_reply(ticket=ticket, actor=agent, body="Public answer")
    client.force_login(applicant)
    url = reverse("support_portal:detail", args=[ticket.number])
    response = client.get(url)
    assert "Public answer" in response.text
    assert "INTERNAL" not in response.text
    assert client.post(url, {"message": "Thanks"}).status_code == 302
    assert ticket.messages.last().author == applicant


def test_views_portal_consultations_applicant_sees_who_looked(client, applicant, agent):
    ticket, _token = services.ticket_open_from_portal(
        actor=applicant, category=TicketCategory.OTHER, body="Hello"
    )
    client.force_login(agent)
    client.get(reverse("support_console:ticket_detail", args=[ticket.number]))
    client.force_login(applicant)
    response = client.get("/me/consultations/", headers=EN)
    assert response.status_code == 200
    assert ticket.number in response.text
    assert agent.get_full_name() in response.text
    assert str(PersonalDataScope.DOSSIERS.label) in response.text


def test_views_portal_consultations_only_mine(client, applicant, agent):
    other = ApplicantProfileFactory().user
    services.personal_data_access_record(viewer=agent, person=other, ticket=None)
    client.force_login(applicant)
    response = client.get("/me/consultations/", headers=EN)
    assert response.context["accesses"] == []


def test_views_portal_ticket_new_mandated_helper_about_the_persons_dossier(client, applicant):
    from tests.accounts.factories import MandateFactory

    application = ApplicationFactory(applicant=applicant, status=ApplicationStatus.SUBMITTED)
    helper = MandateFactory(person=applicant).helper
    client.force_login(helper)
    response = client.post(
        reverse("support_portal:new"),
        {"category": "other", "application": application.pk, "message": "For my client"},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.person, ticket.application) == (helper, applicant, application)


def test_views_portal_ticket_detail_acknowledgement_for_its_holder(client, applicant, agent):
    ticket, _token = services.ticket_open_from_portal(
        actor=applicant, category=TicketCategory.UPLOAD_FAILS, body="Upload fails every time"
    )
    confirmed = services.ticket_confirm_technical_impossibility(
        ticket=ticket,
        actor=agent,
        blocking_description="Uploads time out for this account.",
        first_name=applicant.first_name,
        last_name=applicant.last_name,
    )
    assert confirmed.acknowledgement.holder == applicant
    assert confirmed.substitution_case.person == applicant
    client.force_login(applicant)
    response = client.get(reverse("support_portal:detail", args=[ticket.number]), headers=EN)
    assert "You can file your application another way" in response.text
    assert (
        reverse("attestations_portal:pdf", args=[confirmed.acknowledgement.number]) in response.text
    )
