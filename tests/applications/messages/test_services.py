"""Posting a message and reading a thread (applications/messages/services.py, selectors.py)."""

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anef.errors import DomainError
from anef.models import OutgoingMessage
from applications.enums import ApplicationStatus, EventKind
from applications.messages import selectors
from applications.messages.models import Message, MessageAttachment, MessageSide
from applications.messages.rules import BODY_MAX_LENGTH
from applications.messages.services import message_post, thread_mark_read
from applications.models import Assignment, Event
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import PDF_BYTES, ApplicationFactory, pdf_upload

pytestmark = pytest.mark.django_db

SECRET = "My passport number is 12AB34567"


# --- Both directions, event and audit ------------------------------------------------------------


def test_message_post_by_applicant_is_received_by_prefecture(application, applicant):
    message = message_post(application=application, actor=applicant, body=SECRET)
    assert message.side == MessageSide.APPLICANT
    event = Event.objects.get(application=application, kind=EventKind.MESSAGE_RECEIVED)
    assert event.params == {"message": message.pk}


def test_message_post_by_agent_is_sent_to_applicant(application, agent):
    message = message_post(application=application, actor=agent, body="Bonjour")
    assert message.side == MessageSide.PREFECTURE
    assert Event.objects.filter(application=application, kind=EventKind.MESSAGE_SENT).exists()


def test_message_post_by_mandated_helper_is_on_applicant_side(application, mandated_helper):
    message = message_post(application=application, actor=mandated_helper, body="Pour elle")
    assert message.side == MessageSide.APPLICANT


def test_message_post_audit_entry_never_holds_the_text(application, applicant):
    message = message_post(application=application, actor=applicant, body=SECRET)
    entry = LogEntry.objects.get(additional_data__action="message_post")
    assert entry.object_pk == str(message.pk)
    assert entry.additional_data["length"] == len(SECRET)
    assert SECRET not in str(entry.additional_data) and SECRET not in str(entry.changes)


def test_message_post_event_never_holds_the_text(application, applicant):
    message_post(application=application, actor=applicant, body=SECRET)
    assert SECRET not in str(list(Event.objects.values_list("params", flat=True)))


# --- Who may write -------------------------------------------------------------------------------


def test_message_post_agent_of_other_prefecture_refused(application, other_agent):
    with pytest.raises(DomainError) as refused:
        message_post(application=application, actor=other_agent, body="Hello")
    assert refused.value.code == "not_yours"
    assert not Message.objects.exists()


def test_message_post_helper_without_mandate_refused(application, helper):
    with pytest.raises(DomainError):
        message_post(application=application, actor=helper, body="Hello")
    assert not Message.objects.exists()


def test_message_post_other_applicant_refused(application):
    other = ApplicantProfileFactory().user
    with pytest.raises(DomainError):
        message_post(application=application, actor=other, body="Hello")


def test_message_post_contact_centre_refused(application, contact_centre):
    with pytest.raises(DomainError):
        message_post(application=application, actor=contact_centre, body="Hello")


def test_message_post_on_draft_refused(applicant, paris):
    draft = ApplicationFactory(applicant=applicant, prefecture=paris)
    with pytest.raises(DomainError) as refused:
        message_post(application=draft, actor=applicant, body="Hello")
    assert refused.value.code == "not_filed"


# --- What may be written -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("   ", "empty"),
        ("x" * (BODY_MAX_LENGTH + 1), "too_long"),
        ("Hello\x00world", "control_character"),
        ("Hello\x1bworld", "control_character"),
    ],
)
def test_message_post_bad_body_refused(application, applicant, body, code):
    with pytest.raises(DomainError) as refused:
        message_post(application=application, actor=applicant, body=body)
    assert refused.value.code == code
    assert not Message.objects.exists()


def test_message_post_keeps_line_breaks(application, applicant):
    message = message_post(application=application, actor=applicant, body="Line 1\r\nLine 2\tend")
    assert message.body == "Line 1\r\nLine 2\tend"


def test_message_post_at_max_length_accepted(application, applicant):
    message = message_post(application=application, actor=applicant, body="x" * BODY_MAX_LENGTH)
    assert len(message.body) == BODY_MAX_LENGTH


# --- Attachments ---------------------------------------------------------------------------------


def test_message_post_attachment_stored_through_pipeline(application, applicant):
    message = message_post(
        application=application,
        actor=applicant,
        body="Here it is",
        attachments=[pdf_upload("../../etc/proof.exe")],
    )
    attachment = message.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "proof.pdf"  # no directory, the sniffed type's extension
    assert attachment.file.name.startswith(f"messages/{application.reference}/")
    assert attachment.file.name.endswith(".pdf")
    assert "proof" not in attachment.file.name


def test_message_post_attachment_not_pdf_refused_and_nothing_written(application, applicant):
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as refused:
        message_post(application=application, actor=applicant, body="Hi", attachments=[fake])
    assert refused.value.code == "file_type"
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()


def test_message_post_attachment_over_document_limit_refused(application, applicant, settings):
    settings.DOCUMENT_MAX_BYTES = len(PDF_BYTES) - 1
    with pytest.raises(DomainError) as refused:
        message_post(
            application=application, actor=applicant, body="Hi", attachments=[pdf_upload()]
        )
    assert refused.value.code == "file_too_large"


# --- Notification --------------------------------------------------------------------------------


def test_message_post_by_agent_enqueues_link_without_content(application, agent, applicant):
    message_post(application=application, actor=agent, body=SECRET)
    email = OutgoingMessage.objects.get()
    assert email.recipient == applicant.email
    assert SECRET not in email.body and SECRET not in email.subject
    assert f"/portal/applications/{application.reference}/#thread" in email.body


def test_message_post_notification_in_recipient_language(application, agent, applicant):
    applicant.preferred_language = "en"
    applicant.save(update_fields=["preferred_language"])
    message_post(application=application, actor=agent, body="Bonjour")
    email = OutgoingMessage.objects.get()
    assert email.language == "en"
    assert "The prefecture sent you a message" in email.body


def test_message_post_by_applicant_unassigned_notifies_nobody(application, applicant):
    message_post(application=application, actor=applicant, body=SECRET)
    assert not OutgoingMessage.objects.exists()


def test_message_post_by_applicant_notifies_assigned_agent(application, applicant, agent):
    Assignment.objects.create(application=application, agent=agent, assigned_by=agent)
    message_post(application=application, actor=applicant, body=SECRET)
    email = OutgoingMessage.objects.get()
    assert email.recipient == agent.email
    assert SECRET not in email.body
    assert f"/agents/applications/{application.reference}/#thread" in email.body


def test_message_post_notification_enqueued_once_per_message(application, agent):
    message = message_post(application=application, actor=agent, body="Hello")
    assert OutgoingMessage.objects.get().idempotency_key.startswith(f"message:{message.pk}")


# --- Unread counts and reading -------------------------------------------------------------------


def test_unread_counts_for_agent_counts_applicant_messages_only(application, applicant, agent):
    message_post(application=application, actor=applicant, body="One")
    message_post(application=application, actor=applicant, body="Two")
    message_post(application=application, actor=agent, body="Answer")
    counts = selectors.unread_counts_for_agent(application.prefecture, [application.pk])
    assert counts == {application.pk: 2}


def test_unread_counts_for_agent_other_prefecture_ids_left_out(application, applicant, other_agent):
    message_post(application=application, actor=applicant, body="One")
    assert selectors.unread_counts_for_agent(other_agent.prefecture, [application.pk]) == {}


def test_thread_mark_read_by_agent_clears_agent_count(application, applicant, agent):
    message_post(application=application, actor=applicant, body="One")
    assert thread_mark_read(application=application, reader=agent) == 1
    assert selectors.unread_counts_for_agent(application.prefecture, [application.pk]) == {}


def test_thread_mark_read_by_applicant_clears_person_count(application, applicant, agent):
    message_post(application=application, actor=agent, body="One")
    thread_mark_read(application=application, reader=applicant)
    assert selectors.unread_counts_for_person([application]) == {}


def test_thread_mark_read_by_helper_leaves_person_count(application, mandated_helper, agent):
    message_post(application=application, actor=agent, body="One")
    assert thread_mark_read(application=application, reader=mandated_helper) == 0
    assert selectors.unread_counts_for_person([application]) == {application.pk: 1}


def test_thread_mark_read_never_marks_own_side(application, applicant, agent):
    message_post(application=application, actor=applicant, body="One")
    thread_mark_read(application=application, reader=applicant)
    assert Message.objects.get().read_at is None


def test_message_post_after_decision_accepted(application, applicant):
    application.status = ApplicationStatus.FAVOURABLE
    application.decided_at = timezone.now()
    application.save()
    assert message_post(application=application, actor=applicant, body="Question").pk
