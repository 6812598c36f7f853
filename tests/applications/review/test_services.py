"""The review's writes: a verdict per file through one service (agent-side event, audit entry),
and one correction request for the files rejected since the last one."""

import pytest
from auditlog.models import LogEntry

from anef.errors import DomainError
from applications.enums import ApplicationStatus, EventKind
from applications.models import CorrectionRequest, DocumentReview, Event, WorkbenchEvent
from applications.review import services
from applications.review.rules import RejectionReason, Verdict
from applications.services import correction_answer, document_add
from tests.accounts.factories import ContactCentreAgentFactory
from tests.applications.factories import pdf_upload

pytestmark = pytest.mark.django_db


def _reject(document, agent, reason=RejectionReason.ILLEGIBLE, note=""):
    return services.document_review(
        document=document, actor=agent, verdict=Verdict.REJECTED, reason=reason, note=note
    )


def test_review_agent_accepts_file_recorded_with_event_and_audit(documents, agent):
    review = services.document_review(document=documents[0], actor=agent, verdict=Verdict.ACCEPTED)
    assert review.verdict == Verdict.ACCEPTED
    assert WorkbenchEvent.objects.filter(kind="document_accepted").count() == 1
    assert LogEntry.objects.filter(additional_data__action="document_review").count() == 1


def test_review_rejection_writes_nothing_on_person_timeline(application, documents, agent):
    before = Event.objects.filter(application=application).count()
    _reject(documents[0], agent)
    assert Event.objects.filter(application=application).count() == before


def test_review_agent_of_other_prefecture_refused(documents, other_agent):
    with pytest.raises(DomainError) as refused:
        _reject(documents[0], other_agent)
    assert refused.value.code == "not_yours"
    assert not DocumentReview.objects.exists()


def test_review_contact_centre_refused(documents, reference_data):
    with pytest.raises(DomainError) as refused:
        _reject(documents[0], ContactCentreAgentFactory())
    assert refused.value.code == "not_yours"


def test_review_applicant_refused(documents, profile):
    with pytest.raises(DomainError):
        _reject(documents[0], profile.user)
    assert not DocumentReview.objects.exists()


def test_review_refusal_rolls_back_everything(documents, agent):
    with pytest.raises(DomainError) as refused:
        _reject(documents[0], agent, reason=RejectionReason.OTHER, note="")
    assert refused.value.code == "note_required"
    assert not DocumentReview.objects.exists()
    assert not WorkbenchEvent.objects.exists()


def test_review_evidence_of_error_report_refused(application, agent, profile):
    from applications.services import error_report_create

    report = error_report_create(
        application=application,
        actor=profile.user,
        category="other",
        description="Wrong",
        evidence=[pdf_upload("proof.pdf")],
    )
    with pytest.raises(DomainError) as refused:
        _reject(report.evidence.get(), agent)
    assert refused.value.code == "not_a_piece"


# --- Asking for the rejected pieces ---------------------------------------------------------------


def test_request_three_rejected_files_one_correction_listing_them(application, documents, agent):
    assert len(documents) >= 3
    for document in documents[:3]:
        _reject(document, agent, reason=RejectionReason.EXPIRED)
    correction = services.rejected_pieces_request(application=application, actor=agent)
    assert CorrectionRequest.objects.filter(application=application).count() == 1
    assert set(correction.document_types.all()) == {d.document_type for d in documents[:3]}
    for document in documents[:3]:
        assert document.original_name in correction.message
    assert set(correction.rejected_documents.values_list("pk", flat=True)) == {
        d.pk for d in documents[:3]
    }
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION_REQUESTED
    assert Event.objects.filter(
        application=application, kind=EventKind.CORRECTION_REQUESTED
    ).exists()


def test_request_accepted_files_not_listed(application, documents, agent):
    _reject(documents[0], agent)
    services.document_review(document=documents[1], actor=agent, verdict=Verdict.ACCEPTED)
    correction = services.rejected_pieces_request(application=application, actor=agent)
    assert list(correction.document_types.all()) == [documents[0].document_type]


def test_request_nothing_rejected_no_correction(application, documents, agent):
    services.document_review(document=documents[0], actor=agent, verdict=Verdict.ACCEPTED)
    with pytest.raises(DomainError) as refused:
        services.rejected_pieces_request(application=application, actor=agent)
    assert refused.value.code == "nothing_rejected"
    assert not CorrectionRequest.objects.exists()


def test_request_only_files_rejected_since_last_request(application, documents, agent, profile):
    _reject(documents[0], agent)
    first = services.rejected_pieces_request(application=application, actor=agent)
    document_add(
        application=application,
        document_type=documents[0].document_type,
        uploaded_file=pdf_upload("new.pdf"),
        actor=profile.user,
    )
    correction_answer(application=application, actor=profile.user, answer="Here it is")
    _reject(documents[1], agent)
    second = services.rejected_pieces_request(application=application, actor=agent)
    assert second.pk != first.pk
    assert list(second.rejected_documents.values_list("document_id", flat=True)) == [
        documents[1].pk
    ]


def test_request_while_correction_open_refused(application, documents, agent):
    _reject(documents[0], agent)
    services.rejected_pieces_request(application=application, actor=agent)
    _reject(documents[1], agent)
    with pytest.raises(DomainError) as refused:
        services.rejected_pieces_request(application=application, actor=agent)
    assert refused.value.code == "correction_open"


def test_review_rejection_already_asked_cannot_change(application, documents, agent):
    _reject(documents[0], agent)
    services.rejected_pieces_request(application=application, actor=agent)
    with pytest.raises(DomainError) as refused:
        services.document_review(document=documents[0], actor=agent, verdict=Verdict.ACCEPTED)
    assert refused.value.code == "already_asked"


def test_request_agent_of_other_prefecture_refused(application, documents, agent, other_agent):
    _reject(documents[0], agent)
    with pytest.raises(DomainError) as refused:
        services.rejected_pieces_request(application=application, actor=other_agent)
    assert refused.value.code == "not_yours"
    assert not CorrectionRequest.objects.exists()
