"""Ticket services: one transaction per change, event + audit, e-mails after commit."""

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from anef.errors import DomainError
from attestations.enums import AttestationKind
from attestations.models import Attestation
from reference.models import Prefecture
from substitution.enums import CaseOrigin
from substitution.models import SubstitutionCase
from support import services
from support.enums import (
    MessageKind,
    TicketCategory,
    TicketEventKind,
    TicketPriority,
    TicketStatus,
)
from support.models import Ticket, token_hash
from support.selectors import ticket_get_by_token
from support.workflow import TicketTransitionNotAllowed
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.support.factories import PNG_BYTES, web_ticket

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def _actions(instance) -> list[str]:
    return [
        (entry.additional_data or {}).get("action")
        for entry in LogEntry.objects.get_for_object(instance).order_by("pk")
    ]


def test_services_ticket_open_contact_form_records_and_mails(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, token = web_ticket()
    assert ticket.status == TicketStatus.NEW
    assert ticket.number.startswith("T")
    assert ticket.follow_up_token_hash == token_hash(token) != token
    assert token not in str(Ticket.objects.filter(pk=ticket.pk).values().get())
    assert ticket_get_by_token(token) == ticket
    assert ticket.messages.get().side == "requester"
    assert ticket.events.get().kind == TicketEventKind.CREATED
    assert _actions(ticket) == ["ticket_open"]
    assert len(mail.outbox) == 1
    assert ticket.number in mail.outbox[0].body
    assert f"/contact/follow/{token}/" in mail.outbox[0].body


def test_services_ticket_open_requires_a_way_to_answer():
    with pytest.raises(DomainError) as error:
        web_ticket(email="", phone="")
    assert error.value.code == "contact_required"
    assert not Ticket.objects.exists()


def test_services_ticket_open_deadlines_in_working_time():
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=PARIS)
    ticket, _token = services.ticket_open(
        channel="web_form",
        category=TicketCategory.OTHER,
        body="Hello",
        name="A B",
        email="a@example.org",
        now=friday_evening,
    )
    assert ticket.first_response_due_at == datetime(2026, 12, 1, 17, 0, tzinfo=PARIS)


def test_services_ticket_open_screenshot_sniffed_from_bytes():
    ticket, _token = web_ticket(
        attachments=[SimpleUploadedFile("shot.txt", PNG_BYTES, content_type="text/plain")]
    )
    attachment = ticket.messages.get().attachments.get()
    assert attachment.content_type == "image/png"
    assert "shot" not in attachment.file.name  # never the sender's name in storage


def test_services_ticket_open_refuses_a_file_that_is_not_an_image_or_pdf():
    fake = SimpleUploadedFile("shot.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    with pytest.raises(DomainError) as error:
        web_ticket(attachments=[fake])
    assert error.value.code == "file_type"
    assert not Ticket.objects.exists()


def test_services_ticket_open_refuses_a_file_too_large(settings):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(DomainError) as error:
        web_ticket(attachments=[SimpleUploadedFile("a.png", PNG_BYTES)])
    assert error.value.code == "file_too_large"


def test_services_ticket_reply_agent_is_a_first_response_and_mails_link_only(
    agent, django_capture_on_commit_callbacks
):
    ticket, token = web_ticket()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, actor=agent, body="Try with another browser.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_ON_APPLICANT
    assert ticket.first_responded_at is not None
    assert ticket.assignee == agent
    assert len(mail.outbox) == 1
    assert f"/contact/follow/{token}/" in mail.outbox[0].body
    assert "ticket_reply" in _actions(ticket)


def test_services_ticket_note_agent_is_not_a_response_and_never_mailed(
    agent, django_capture_on_commit_callbacks
):
    ticket, _token = web_ticket()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_note_add(ticket=ticket, actor=agent, body="SECRET NOTE: account locked")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    assert ticket.status == TicketStatus.NEW
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1
    assert mail.outbox == []


def test_services_ticket_reply_requester_reopens_waiting_ticket(agent):
    ticket, _token = web_ticket()
    services.ticket_reply(ticket=ticket, actor=agent, body="Which browser?")
    services.ticket_reply_from_requester(ticket=ticket, body="Firefox")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_services_ticket_reply_requester_on_closed_ticket_refused(agent):
    ticket, _token = web_ticket()
    services.ticket_close(ticket=ticket, actor=agent)
    with pytest.raises(TicketTransitionNotAllowed):
        services.ticket_reply_from_requester(ticket=Ticket.objects.get(pk=ticket.pk), body="Hi")
    assert ticket.messages.count() == 1


def test_services_ticket_escalate_needs_a_prefecture(agent):
    ticket, _token = web_ticket()
    with pytest.raises(DomainError) as error:
        services.ticket_escalate_to_prefecture(ticket=ticket, actor=agent, note="Please check")
    assert error.value.code == "prefecture_required"


def test_services_ticket_reply_prefecture_only_by_its_agents(agent, reference_data):
    paris = Prefecture.objects.get(departement_code="75")
    ticket, _token = web_ticket()
    services.ticket_escalate_to_prefecture(
        ticket=ticket, actor=agent, note="Card handover not recorded", prefecture=paris
    )
    other = PrefectureAgentFactory(prefecture__departement_code="93")
    with pytest.raises(DomainError):
        services.ticket_reply_from_prefecture(ticket=ticket, actor=other, body="Hello")
    ticket.refresh_from_db()
    services.ticket_reply_from_prefecture(
        ticket=ticket, actor=PrefectureAgentFactory(prefecture=paris), body="Fixed."
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_ON_APPLICANT
    assert ticket.first_responded_at is not None


def _confirm(ticket, agent, **overrides):
    data = {
        "ticket": ticket,
        "actor": agent,
        "blocking_description": "Sign-up refuses a birth date before 1950.",
        "first_name": "Awa",
        "last_name": "Konaté",
    }
    data.update(overrides)
    return services.ticket_confirm_technical_impossibility(**data)


def test_services_ticket_confirm_technical_impossibility_agent(
    agent, reference_data, django_capture_on_commit_callbacks
):
    ticket, token = web_ticket(postal_code="75011")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = _confirm(ticket, agent)
    assert confirmed.status == TicketStatus.RESOLVED
    attestation = confirmed.acknowledgement
    assert attestation.kind == AttestationKind.TECHNICAL_IMPOSSIBILITY
    assert attestation.holder_snapshot["last_name"] == "Konaté"
    assert attestation.prefecture.departement_code == "75"
    case = confirmed.substitution_case
    assert case.origin == CaseOrigin.CONTACT_CENTRE
    assert case.acknowledgement == attestation
    assert case.contact_email == "awa.konate@example.org"
    assert confirmed.first_responded_at is not None
    public = confirmed.messages.filter(kind=MessageKind.REPLY).last()
    assert attestation.number in public.body
    assert "ticket_confirm_technical_impossibility" in _actions(confirmed)
    to_person = [m for m in mail.outbox if m.to == ["awa.konate@example.org"]]
    ours = [m for m in to_person if f"/contact/follow/{token}/" in m.body]
    assert len(ours) == 1  # (the substitution case sends its own notice too)
    assert all(not m.attachments for m in to_person)  # never the document itself


def test_services_ticket_confirm_technical_impossibility_twice_refused(agent, reference_data):
    ticket, _token = web_ticket()
    _confirm(ticket, agent)
    ticket = Ticket.objects.get(pk=ticket.pk)
    services.ticket_reopen(ticket=ticket, actor=agent)
    with pytest.raises(DomainError) as error:
        _confirm(Ticket.objects.get(pk=ticket.pk), agent)
    assert error.value.code == "already_confirmed"
    assert Attestation.objects.filter(kind=AttestationKind.TECHNICAL_IMPOSSIBILITY).count() == 1
    assert SubstitutionCase.objects.count() == 1


def test_services_ticket_confirm_database_links_once(agent, reference_data):
    """The OneToOne links: one acknowledgement and one case can never serve two tickets."""
    first, _token = web_ticket()
    confirmed = _confirm(first, agent)
    second, _token = web_ticket(email="other@example.org")
    second.acknowledgement = confirmed.acknowledgement
    second.substitution_case = confirmed.substitution_case
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_services_ticket_confirm_requires_a_description(agent):
    ticket, _token = web_ticket()
    with pytest.raises(DomainError) as error:
        _confirm(ticket, agent, blocking_description="  ")
    assert error.value.code == "description_required"
    assert not Attestation.objects.exists()


def test_services_ticket_confirm_rolled_back_when_the_case_cannot_open(agent, monkeypatch):
    ticket, _token = web_ticket()

    def broken(**kwargs):
        raise RuntimeError("substitution down")

    monkeypatch.setattr("substitution.services.open_case", broken)
    with pytest.raises(RuntimeError):
        _confirm(ticket, agent)
    assert not Attestation.objects.exists()
    ticket.refresh_from_db()
    assert ticket.acknowledgement is None
    assert ticket.status == TicketStatus.NEW


def test_services_account_password_reset_sends_allauth_link(
    agent, client, django_capture_on_commit_callbacks
):
    person = ApplicantProfileFactory().user
    ticket, _token = web_ticket(email=person.email)
    Ticket.objects.filter(pk=ticket.pk).update(person=person)
    ticket.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.account_password_reset_send(ticket=ticket, actor=agent)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/key/" in line)
    url = next(word for word in link.split() if "/password/reset/key/" in word)
    path = urlsplit(url).path  # whatever the site's address (SITE_URL)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "password1" in response.text  # allauth accepts the key: the form to choose one
    assert "account_password_reset_send" in _actions(person)


def test_services_saved_answer_save_supervisor_only(agent, supervisor):
    with pytest.raises(DomainError):
        services.saved_answer_save(actor=agent, title="T", body_fr="F", body_en="E")
    answer = services.saved_answer_save(actor=supervisor, title="T", body_fr="F", body_en="E")
    assert answer.updated_by == supervisor


def test_services_tickets_escalate_overdue_once_with_frozen_clock(
    agent, supervisor, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 11, 27, 18, 0, tzinfo=PARIS), tick=False):
        ticket, _token = web_ticket()
        services.ticket_note_add(ticket=ticket, actor=agent, body="Looking into it")
    mail.outbox.clear()
    # Tuesday 1 December at 16:59: still in time (the note is not an answer, but not late yet).
    with time_machine.travel(datetime(2026, 12, 1, 16, 59, tzinfo=PARIS), tick=False):
        assert services.tickets_escalate_overdue() == 0
    with (
        time_machine.travel(datetime(2026, 12, 1, 17, 1, tzinfo=PARIS), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.tickets_escalate_overdue() == 1
    ticket.refresh_from_db()
    assert ticket.priority == TicketPriority.HIGH
    assert ticket.first_response_breached_at is not None
    assert ticket.events.filter(kind=TicketEventKind.DEADLINE_MISSED).count() == 1
    assert [m.to for m in mail.outbox] == [[supervisor.email]]
    # A second sweep does nothing more.
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=PARIS), tick=False):
        assert services.tickets_escalate_overdue() == 0
    ticket.refresh_from_db()
    assert ticket.priority == TicketPriority.HIGH
