"""The public contact form (no account) and the private follow-up link."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from support import services
from support.enums import TicketStatus
from support.models import Ticket
from tests.support.factories import PNG_BYTES, contact_form_data, web_ticket

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
CONTACT = "/contact/"


def test_views_contact_form_get_anonymous(client):
    response = client.get(CONTACT, headers=EN)
    assert response.status_code == 200
    assert "You do not need an account" in response.text


def test_views_contact_form_post_anonymous_gives_number_and_private_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CONTACT,
            contact_form_data(screenshot=SimpleUploadedFile("error.png", PNG_BYTES)),
            headers=EN,
        )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == "web_form"
    assert ticket.messages.get().attachments.count() == 1
    assert ticket.number in response.text
    link = response.context["link"]
    assert "/contact/follow/" in link
    assert link.split("testserver", 1)[1] in mail.outbox[0].body
    assert client.get(link).status_code == 200


def test_views_contact_form_needs_email_or_phone(client):
    response = client.post(CONTACT, contact_form_data(email=""), headers=EN)
    assert response.status_code == 400
    assert "e-mail address or a phone number" in response.text
    assert not Ticket.objects.exists()


def test_views_contact_form_phone_only_is_enough(client):
    response = client.post(CONTACT, contact_form_data(email="", phone="06 12 34 56 78"), headers=EN)
    assert response.status_code == 200
    assert Ticket.objects.get().phone == "06 12 34 56 78"


def test_views_contact_form_foreigner_number_has_ten_digits(client):
    response = client.post(CONTACT, contact_form_data(foreigner_number="12345"), headers=EN)
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_views_contact_form_refuses_a_fake_screenshot(client):
    fake = SimpleUploadedFile("error.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(CONTACT, contact_form_data(screenshot=fake), headers=EN)
    assert response.status_code == 400
    assert "« error.png » is not a PDF, JPEG or PNG file" in response.text
    assert not Ticket.objects.exists()


def test_views_contact_form_honeypot_refused_with_clear_message(client):
    response = client.post(CONTACT, contact_form_data(website="http://spam.example"), headers=EN)
    assert response.status_code == 400
    assert "must stay empty" in response.text
    assert not Ticket.objects.exists()


def test_views_contact_form_rate_limited_by_ip(client, settings):
    settings.SUPPORT_CONTACT_RATE_LIMITS = {"PER_IP": 2, "PER_EMAIL": 10, "WINDOW_SECONDS": 60}
    for index in range(2):
        data = contact_form_data(email=f"p{index}@example.org")
        assert client.post(CONTACT, data).status_code == 200
    response = client.post(CONTACT, contact_form_data(email="p3@example.org"), headers=EN)
    assert response.status_code == 429
    assert "wait one hour" in response.text
    assert Ticket.objects.count() == 2
    # Another address on the Internet is not blocked.
    other = client.post(CONTACT, contact_form_data(email="p4@example.org"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_views_contact_form_rate_limited_by_email(client, settings):
    settings.SUPPORT_CONTACT_RATE_LIMITS = {"PER_IP": 10, "PER_EMAIL": 1, "WINDOW_SECONDS": 60}
    assert client.post(CONTACT, contact_form_data(), REMOTE_ADDR="10.0.0.1").status_code == 200
    data = contact_form_data(email="AWA@example.org")
    response = client.post(CONTACT, data, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert Ticket.objects.count() == 1


def test_views_follow_up_shows_only_its_own_ticket(client):
    _ticket, token = web_ticket(body="My own question")
    other, _other_token = web_ticket(email="someone@example.org", body="Someone else's question")
    response = client.get(reverse("support_public:follow_up", args=[token]))
    assert response.status_code == 200
    assert "My own question" in response.text
    assert "Someone else" not in response.text
    assert other.number not in response.text


def test_views_follow_up_wrong_token_not_found(client):
    ticket, token = web_ticket()
    assert (
        client.get(reverse("support_public:follow_up", args=[token[:-1] + "x"])).status_code == 404
    )
    assert client.get(reverse("support_public:follow_up", args=[ticket.number])).status_code == 404


def test_views_follow_up_never_shows_internal_notes(client, agent):
    ticket, token = web_ticket()
    services.ticket_note_add(ticket=ticket, actor=agent, body="INTERNAL: looks like fraud")
    services.ticket_reply(ticket=ticket, actor=agent, body="Please try again tomorrow.")
    response = client.get(reverse("support_public:follow_up", args=[token]))
    assert "Please try again tomorrow." in response.text
    assert "INTERNAL" not in response.text


def test_views_follow_up_reply_anonymous(client, agent):
    ticket, token = web_ticket()
    services.ticket_reply(ticket=ticket, actor=agent, body="Which browser?")
    url = reverse("support_public:follow_up", args=[token])
    response = client.post(url, {"message": "Firefox on a phone"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.messages.last().body == "Firefox on a phone"
    assert ticket.messages.last().author is None


def test_views_follow_up_attachment_only_public_ones(client, agent):
    ticket, token = web_ticket(attachments=[SimpleUploadedFile("a.png", PNG_BYTES)])
    attachment = ticket.messages.get().attachments.get()
    url = reverse("support_public:follow_up_attachment", args=[token, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    _other, other_token = web_ticket(email="x@example.org")
    assert (
        client.get(
            reverse("support_public:follow_up_attachment", args=[other_token, attachment.pk])
        ).status_code
        == 404
    )


def test_views_follow_up_acknowledgement_absent_is_not_found(client):
    _ticket, token = web_ticket()
    url = reverse("support_public:follow_up_acknowledgement", args=[token])
    assert client.get(url).status_code == 404
