"""The contact-centre console (/support/)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Document
from reference.models import DocumentType
from support import services
from support.enums import TicketCategory, TicketStatus
from support.models import PersonalDataAccess, SavedAnswer, Ticket
from tests.accounts.factories import ApplicantProfileFactory, ContactCentreAgentFactory
from tests.applications.factories import PDF_BYTES, ApplicationFactory
from tests.support.factories import SavedAnswerFactory, web_ticket

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
PARIS = ZoneInfo("Europe/Paris")


def _tickets(count: int, agent) -> None:
    for index in range(count):
        ticket, _token = web_ticket(
            email=f"person{index}@example.org", category=TicketCategory.values[index % 7]
        )
        if index % 2:
            services.ticket_take(ticket=ticket, actor=agent)


def test_views_console_home_constant_queries(client, agent, django_assert_max_num_queries):
    client.force_login(agent)
    _tickets(3, agent)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/support/").status_code == 200
    _tickets(20, agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/support/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 23


def test_views_console_home_search_by_number_name_email_foreigner_number(client, agent):
    client.force_login(agent)
    target, _token = web_ticket(
        name="Moussa Traoré", email="moussa@example.org", foreigner_number="1234567890"
    )
    web_ticket(name="Someone Else", email="else@example.org")
    for term in (target.number, "traoré", "MOUSSA@example.org", "12345 67890"):
        response = client.get("/support/", {"search": term})
        assert [ticket.pk for ticket, _late in response.context["rows"]] == [target.pk], term


def test_views_console_home_filters_category_and_status(client, agent):
    client.force_login(agent)
    upload, _token = web_ticket(category=TicketCategory.UPLOAD_FAILS)
    web_ticket(email="b@example.org", category=TicketCategory.OTHER)
    services.ticket_resolve(ticket=upload, actor=agent)
    live = client.get("/support/", {"category": "upload_fails"})
    assert live.context["rows"] == []
    resolved = client.get("/support/", {"category": "upload_fails", "status": "resolved"})
    assert [ticket.pk for ticket, _late in resolved.context["rows"]] == [upload.pk]


def test_views_console_home_figures_per_queue(client, agent):
    client.force_login(agent)
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=PARIS), tick=False):
        answered, _token = web_ticket(category=TicketCategory.CANNOT_LOG_IN)
        _late, _token = web_ticket(email="late@example.org", category=TicketCategory.CANNOT_LOG_IN)
    with time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=PARIS), tick=False):
        services.ticket_reply(ticket=answered, actor=agent, body="Try this.")
    with time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=PARIS), tick=False):
        response = client.get("/support/")
    figure = next(f for f in response.context["figures"] if f.category == "cannot_log_in")
    assert figure.open == 2
    assert figure.overdue == 1
    assert figure.median_first_response_hours == 3.0
    assert figure.by_status == {"new": 1, "waiting_on_applicant": 1}


def test_views_console_ticket_breach_shown_with_frozen_clock(client, agent):
    client.force_login(agent)
    with time_machine.travel(datetime(2026, 11, 27, 18, 0, tzinfo=PARIS), tick=False):
        ticket, _token = web_ticket()
    url = reverse("support_console:ticket_detail", args=[ticket.number])
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=PARIS), tick=False):
        assert "breach-first-response" not in client.get(url).text
    with time_machine.travel(datetime(2026, 12, 1, 17, 30, tzinfo=PARIS), tick=False):
        services.tickets_escalate_overdue()
        response = client.get(url, headers=EN)
    assert "First answer late" in response.text
    assert Ticket.objects.get(pk=ticket.pk).get_priority_display() == "High"


def test_views_console_ticket_detail_logs_personal_data_access(client, agent, reference_data):
    profile = ApplicantProfileFactory(postal_code="75011")
    ApplicationFactory(applicant=profile.user, status=ApplicationStatus.SUBMITTED)
    ticket, _token = services.ticket_open_from_portal(
        actor=profile.user, category=TicketCategory.OTHER, body="Hello"
    )
    client.force_login(agent)
    response = client.get(reverse("support_console:ticket_detail", args=[ticket.number]))
    assert response.status_code == 200
    assert profile.foreigner_number in response.text
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.person, access.ticket) == (agent, profile.user, ticket)


def test_views_console_ticket_detail_shows_notes_to_staff(client, agent):
    ticket, _token = web_ticket()
    services.ticket_note_add(ticket=ticket, actor=agent, body="INTERNAL remark")
    client.force_login(agent)
    response = client.get(reverse("support_console:ticket_detail", args=[ticket.number]))
    assert "INTERNAL remark" in response.text


def test_views_console_take_reply_note_and_resolve(client, agent):
    ticket, _token = web_ticket()
    client.force_login(agent)
    base = f"/support/tickets/{ticket.number}/"
    assert client.post(base + "take/").status_code == 302
    assert client.post(base + "note/", {"note": "Checked the logs"}).status_code == 302
    assert client.post(base + "reply/", {"message": "Fixed, try again."}).status_code == 302
    assert client.post(base + "status/resolve/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.messages.count() == 3


def test_views_console_reply_empty_shows_the_form_again(client, agent):
    ticket, _token = web_ticket()
    client.force_login(agent)
    response = client.post(f"/support/tickets/{ticket.number}/reply/", {"message": ""})
    assert response.status_code == 400
    assert ticket.messages.count() == 1


def test_views_console_assign_to_another_agent(client, agent):
    other = ContactCentreAgentFactory()
    ticket, _token = web_ticket()
    client.force_login(agent)
    client.post(f"/support/tickets/{ticket.number}/assign/", {"assignee": other.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == other
    assert ticket.status == TicketStatus.OPEN


def test_views_console_confirm_technical_impossibility_requires_description(client, agent):
    ticket, _token = web_ticket()
    client.force_login(agent)
    response = client.post(
        f"/support/tickets/{ticket.number}/technical-impossibility/",
        {"last_name": "Konaté", "blocking_description": ""},
    )
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.acknowledgement is None


def test_views_console_confirmed_ticket_lets_the_agent_book_for_the_person(client, agent):
    ticket, _token = web_ticket()
    services.ticket_confirm_technical_impossibility(
        ticket=ticket,
        actor=agent,
        blocking_description="Sign-up fails every time.",
        first_name="Awa",
        last_name="Konaté",
    )
    ticket.refresh_from_db()
    client.force_login(agent)
    page = client.get(reverse("support_console:ticket_detail", args=[ticket.number]))
    booking = reverse("substitution_public:case", args=[ticket.substitution_case.access_token])
    assert booking in page.text
    assert client.get(booking).status_code == 200  # the case's page, with its picker


def test_views_console_phone_ticket_agent(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("support_console:phone_new"),
        {
            "name": "Fatou Diop",
            "phone": "0612345678",
            "email": "",
            "foreigner_number": "",
            "category": "cannot_log_in",
            "message": "Forgot which e-mail she used.",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.channel, ticket.opened_by, ticket.phone) == ("phone", agent, "0612345678")


def test_views_console_saved_answer_edit_supervisor(client, supervisor):
    answer = SavedAnswerFactory()
    client.force_login(supervisor)
    response = client.post(
        reverse("support_console:saved_answer_edit", args=[answer.pk]),
        {
            "title": "Login help",
            "category": "cannot_log_in",
            "body_fr": "Bonjour",
            "body_en": "Hello",
            "active": "on",
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.title, answer.updated_by) == ("Login help", supervisor)


def test_views_console_saved_answer_edit_plain_agent_denied(client, agent):
    answer = SavedAnswerFactory()
    client.force_login(agent)
    response = client.post(
        reverse("support_console:saved_answer_edit", args=[answer.pk]),
        {"title": "Changed", "body_fr": "x", "body_en": "y"},
    )
    assert response.status_code == 403
    assert SavedAnswer.objects.get().title == answer.title


# --- Confidentiality: documents are never within reach of the contact centre ---------------------


@pytest.fixture
def document(reference_data):
    profile = ApplicantProfileFactory(postal_code="75011")
    application = ApplicationFactory(
        applicant=profile.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )
    document = Document(
        application=application,
        document_type=DocumentType.objects.get(code="passport"),
        original_name="passport.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=profile.user,
    )
    document.file.save("passport.pdf", ContentFile(PDF_BYTES), save=True)
    return document


def test_views_document_download_contact_centre_not_found(client, agent, document):
    client.force_login(agent)
    assert client.get(f"/documents/{document.pk}/").status_code == 404


def test_api_document_file_contact_centre_denied(client, agent, document):
    client.force_login(agent)
    response = client.get(reverse("api:document-file", args=[document.pk]))
    assert response.status_code in (403, 404)


def test_views_console_ticket_page_never_links_documents(client, agent, document):
    ticket, _token = services.ticket_open_from_portal(
        actor=document.application.applicant,
        category=TicketCategory.UPLOAD_FAILS,
        body="My passport upload",
        application=document.application,
    )
    client.force_login(agent)
    response = client.get(reverse("support_console:ticket_detail", args=[ticket.number]))
    assert document.application.reference in response.text  # the status is shown
    assert f"/documents/{document.pk}/" not in response.text
    assert "passport.pdf" not in response.text


def test_views_console_saved_answer_prefills_the_reply(client, agent):
    answer = SavedAnswerFactory(body_en="Hello, use the link below.")
    ticket, _token = web_ticket()
    client.force_login(agent)
    url = reverse("support_console:ticket_detail", args=[ticket.number])
    response = client.get(url, {"answer": answer.pk, "language": "en"})
    assert response.context["reply_form"].initial["message"] == "Hello, use the link below."
    assert client.get(url, {"answer": "x"}).status_code == 200
