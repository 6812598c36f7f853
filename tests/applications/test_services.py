"""Dossier services: each checks its transition, writes the timeline and the audit log."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError

from accounts.models import PreviousAddress
from anef.errors import DomainError
from applications import services
from applications.enums import ApplicationStatus, EventKind, RequestedCard
from applications.models import Application
from applications.workflow import TransitionNotAllowed
from reference.enums import ProcedureKind
from reference.models import DecisionReason, DocumentType, Ground
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import PNG_BYTES, ResidencePermitFactory, pdf_upload
from tests.applications.helpers import complete, filed, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(reference_data):
    return ApplicantProfileFactory(postal_code="75011", city="Paris")


@pytest.fixture
def agent(reference_data):
    return PrefectureAgentFactory(prefecture__departement_code="75")


def kinds(application):
    return list(application.events.values_list("kind", flat=True))


# --- Several applications, duplicates -----------------------------------------------------------


def test_service_application_create_sets_prefecture_from_address(profile):
    application = started(profile)
    assert application.status == ApplicationStatus.DRAFT
    assert application.prefecture.departement_code == "75"
    assert kinds(application) == [EventKind.CREATED]


def test_service_two_open_applications_on_different_grounds(profile):
    first = started(profile, "parent_of_french_child")
    second = started(profile, "salaried_worker")
    assert {first.status, second.status} == {ApplicationStatus.DRAFT}
    assert Application.objects.filter(applicant=profile.user).count() == 2


def test_service_same_ground_other_procedure_is_not_a_duplicate(profile):
    permit = ResidencePermitFactory(holder=profile.user)
    started(profile, "parent_of_french_child")
    renewal = started(
        profile, "parent_of_french_child", kind=ProcedureKind.RENEWAL, renews_permit=permit
    )
    assert renewal.kind == ProcedureKind.RENEWAL


def test_service_exact_duplicate_is_refused_with_the_existing_reference(profile):
    existing = started(profile)
    with pytest.raises(DomainError) as error:
        started(profile)
    assert error.value.code == "duplicate"
    assert existing.reference in str(error.value.message)


def test_service_duplicate_allowed_after_withdrawal(profile):
    first = started(profile)
    services.application_withdraw(application=first, actor=profile.user)
    assert started(profile).pk != first.pk


def test_database_refuses_a_second_open_duplicate(profile):
    first = started(profile)
    with pytest.raises(IntegrityError):
        Application.objects.create(
            applicant=profile.user,
            ground=first.ground,
            kind=first.kind,
            prefecture=first.prefecture,
        )


def test_service_renewal_requires_a_permit(profile):
    with pytest.raises(DomainError) as error:
        started(profile, "salaried_worker", kind=ProcedureKind.RENEWAL)
    assert error.value.code == "permit_required"


def test_service_renewal_of_someone_else_permit_is_refused(profile):
    with pytest.raises(DomainError):
        started(
            profile,
            "salaried_worker",
            kind=ProcedureKind.RENEWAL,
            renews_permit=ResidencePermitFactory(),
        )


def test_service_renewal_may_ask_for_a_resident_card(profile):
    application = started(
        profile,
        "salaried_worker",
        kind=ProcedureKind.RENEWAL,
        renews_permit=ResidencePermitFactory(holder=profile.user),
        requested_card=RequestedCard.RESIDENT,
    )
    assert application.requested_card == RequestedCard.RESIDENT


def test_service_first_application_cannot_ask_for_a_longer_card(profile):
    with pytest.raises(DomainError):
        started(profile, requested_card=RequestedCard.MULTI_YEAR)


def test_service_procedure_not_offered_by_the_ground_is_refused(profile):
    with pytest.raises(DomainError) as error:
        started(profile, "duplicate", kind=ProcedureKind.RENEWAL)
    assert error.value.code == "procedure_not_offered"


def test_service_applicant_without_profile_is_told_to_fill_it(reference_data):
    from tests.accounts.factories import ApplicantFactory

    user = ApplicantFactory()
    with pytest.raises(DomainError) as error:
        services.application_create(
            applicant=user,
            ground=Ground.objects.get(code="student"),
            kind=ProcedureKind.FIRST_APPLICATION,
            actor=user,
        )
    assert error.value.code == "profile_missing"


def test_service_address_without_prefecture_is_explained(reference_data):
    profile = ApplicantProfileFactory(postal_code="01000", city="Bourg-en-Bresse")
    with pytest.raises(DomainError) as error:
        started(profile)
    assert error.value.code == "no_prefecture"


# --- Documents ----------------------------------------------------------------------------------


def passport():
    return DocumentType.objects.get(code="passport")


def test_service_document_pdf_is_stored_under_a_random_key(profile):
    application = started(profile)
    document = services.document_add(
        application=application,
        document_type=passport(),
        uploaded_file=pdf_upload("mon passeport.pdf"),
        actor=profile.user,
    )
    assert document.content_type == "application/pdf"
    assert document.original_name == "mon passeport.pdf"
    assert "passeport" not in document.file.name
    assert document.file.name.startswith(f"documents/{application.reference}/")
    assert len(document.sha256) == 64


def test_service_document_type_comes_from_bytes_not_name(profile):
    document = services.document_add(
        application=started(profile),
        document_type=passport(),
        uploaded_file=pdf_upload("photo.pdf", PNG_BYTES),
        actor=profile.user,
    )
    assert document.content_type == "image/png"


def test_service_document_executable_named_pdf_is_refused_naming_the_file(profile):
    with pytest.raises(DomainError) as error:
        services.document_add(
            application=started(profile),
            document_type=passport(),
            uploaded_file=pdf_upload("passeport.pdf", b"MZ\x90\x00" + b"\x00" * 100),
            actor=profile.user,
        )
    assert error.value.code == "file_type"
    assert "passeport.pdf" in str(error.value.message)


def test_service_document_over_the_size_limit_is_refused(profile, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    with pytest.raises(DomainError) as error:
        services.document_add(
            application=started(profile),
            document_type=passport(),
            uploaded_file=pdf_upload("big.pdf", b"%PDF-1.4" + b"0" * 200),
            actor=profile.user,
        )
    assert error.value.code == "file_too_large"
    assert "big.pdf" in str(error.value.message)


def test_service_document_empty_file_is_refused(profile):
    with pytest.raises(DomainError):
        services.document_add(
            application=started(profile),
            document_type=passport(),
            uploaded_file=pdf_upload("empty.pdf", b""),
            actor=profile.user,
        )


def test_service_many_files_for_one_piece(profile):
    application = started(profile)
    for page in range(5):
        services.document_add(
            application=application,
            document_type=passport(),
            uploaded_file=pdf_upload(f"page-{page}.pdf"),
            actor=profile.user,
        )
    assert application.documents.filter(document_type=passport()).count() == 5


def test_service_document_outside_the_checklist_is_refused(profile):
    with pytest.raises(DomainError) as error:
        services.document_add(
            application=started(profile),
            document_type=DocumentType.objects.get(code="enrolment_certificate"),
            uploaded_file=pdf_upload(),
            actor=profile.user,
        )
    assert error.value.code == "document_not_in_checklist"


def test_service_document_cannot_be_added_after_a_decision(profile, agent):
    application = services.application_decide_favourable(
        application=complete(profile, agent), actor=agent
    )
    with pytest.raises(DomainError) as error:
        services.document_add(
            application=application,
            document_type=passport(),
            uploaded_file=pdf_upload(),
            actor=profile.user,
        )
    assert error.value.code == "documents_closed"


def test_service_document_remove_last_file_of_filed_piece_is_refused(profile):
    application = filed(profile)
    document = application.documents.filter(document_type=passport()).get()
    with pytest.raises(DomainError) as error:
        services.document_remove(document=document, actor=profile.user)
    assert error.value.code == "last_file"


def test_service_document_replace_by_adding_then_removing(profile):
    application = filed(profile)
    old = application.documents.get(document_type=passport())
    services.document_add(
        application=application,
        document_type=passport(),
        uploaded_file=pdf_upload("new.pdf"),
        actor=profile.user,
    )
    services.document_remove(document=old, actor=profile.user)
    assert list(
        application.documents.filter(document_type=passport()).values_list(
            "original_name", flat=True
        )
    ) == ["new.pdf"]


# --- Submission ---------------------------------------------------------------------------------


def test_service_submit_refused_while_pieces_are_missing(profile):
    application = started(profile)
    with pytest.raises(DomainError) as error:
        services.application_submit(application=application, actor=profile.user)
    assert error.value.code == "missing_documents"
    assert "passport" in error.value.params["missing"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_service_submit_with_every_piece_files_and_gives_a_deposit_receipt(profile):
    application = filed(profile)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.filed_at is not None
    assert kinds(application)[-2:] == [EventKind.SUBMITTED, EventKind.DEPOSIT_RECEIPT]


def test_service_transition_writes_an_audit_entry_with_actor(profile):
    application = filed(profile)
    entry = (
        LogEntry.objects.get_for_object(application).filter(additional_data__action="submit").get()
    )
    assert entry.actor == profile.user
    assert entry.changes_dict["status"] == ["draft", "submitted"]


def test_service_submit_twice_is_refused(profile):
    application = filed(profile)
    with pytest.raises(TransitionNotAllowed):
        services.application_submit(application=application, actor=profile.user)


# --- Corrections --------------------------------------------------------------------------------


def test_service_correction_request_and_answer(profile, agent):
    application = filed(profile)
    deadline = datetime.date.today() + datetime.timedelta(days=30)
    services.correction_request_create(
        application=application,
        actor=agent,
        message="Le passeport est illisible.",
        deadline=deadline,
        document_types=[passport()],
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION_REQUESTED
    with pytest.raises(DomainError):  # the passport asked for is not there yet
        services.correction_answer(application=application, actor=profile.user, answer="ok")
    services.document_add(
        application=application,
        document_type=passport(),
        uploaded_file=pdf_upload("lisible.pdf"),
        actor=profile.user,
    )
    answered = services.correction_answer(
        application=application, actor=profile.user, answer="Voici un scan net."
    )
    assert answered.status == ApplicationStatus.SUBMITTED
    assert application.correction_requests.get().status == "answered"


def test_service_correction_deadline_in_the_past_is_refused(profile, agent):
    with pytest.raises(DomainError):
        services.correction_request_create(
            application=filed(profile),
            actor=agent,
            message="x",
            deadline=datetime.date.today(),
        )


# --- Decisions ----------------------------------------------------------------------------------


def refusal_reason():
    return DecisionReason.objects.get(code="conditions_not_met")


def closure_reason():
    return DecisionReason.objects.get(code="no_answer_to_correction")


@pytest.mark.parametrize("missing", ["reason", "explanation", "legal_basis", "remedies"])
def test_service_refusal_without_every_reason_is_impossible(profile, agent, missing):
    application = complete(profile, agent)
    values = {
        "reason": refusal_reason(),
        "explanation": "Les ressources ne sont pas justifiées.",
        "legal_basis": "CESEDA L. 423-7",
        "remedies": "Recours gracieux : 2 mois.",
    }
    values[missing] = None if missing == "reason" else "  "
    with pytest.raises(DomainError):
        services.application_decide_unfavourable(application=application, actor=agent, **values)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETE


def test_service_refusal_with_a_closure_reason_is_refused(profile, agent):
    with pytest.raises(DomainError):
        services.application_decide_unfavourable(
            application=complete(profile, agent),
            actor=agent,
            reason=closure_reason(),
            explanation="x",
            legal_basis="y",
            remedies="z",
        )


def test_database_refuses_a_refusal_without_reasons(profile, agent):
    application = complete(profile, agent)
    with pytest.raises(IntegrityError):
        Application.objects.filter(pk=application.pk).update(status="unfavourable")


def test_service_closure_keeps_reasons_for_the_applicant(profile, agent):
    closed = services.application_close(
        application=filed(profile),
        actor=agent,
        reason=closure_reason(),
        explanation="Vous n'avez pas répondu à la demande de pièces.",
        legal_basis=closure_reason().legal_basis,
        remedies=closure_reason().remedies_fr,
    )
    assert closed.status == ApplicationStatus.CLOSED
    assert closed.decision_reason == closure_reason()
    assert closed.decision_remedies.startswith("Vous pouvez")


def test_service_favourable_then_card_then_handover_records_the_new_permit(profile, agent):
    application = services.application_decide_favourable(
        application=complete(profile, agent), actor=agent
    )
    application = services.application_record_card_available(application=application, actor=agent)
    permit = services.application_record_card_handed_over(
        application=application,
        actor=agent,
        card_number="ab1234567",
        valid_from=datetime.date(2026, 12, 1),
        valid_until=datetime.date(2027, 11, 30),
        handed_over_on=datetime.date(2026, 12, 10),
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED_CARD_HANDED_OVER
    assert (permit.number, permit.handed_over, permit.holder) == ("AB1234567", True, profile.user)


# --- Error reports (scenario 2) -----------------------------------------------------------------


def refused_renewal(profile, agent):
    permit = ResidencePermitFactory(holder=profile.user, handed_over=False, handed_over_on=None)
    application = complete(
        profile, agent, "salaried_worker", kind=ProcedureKind.RENEWAL, renews_permit=permit
    )
    return services.application_decide_unfavourable(
        application=application,
        actor=agent,
        reason=refusal_reason(),
        explanation="La remise de votre carte précédente n'est pas enregistrée.",
        legal_basis="CESEDA L. 433-1",
        remedies="Recours gracieux : 2 mois.",
    )


def test_service_error_report_accepted_records_handover_and_reopens(profile, agent):
    application = refused_renewal(profile, agent)
    report = services.error_report_create(
        application=application,
        actor=profile.user,
        category="previous_card_handover",
        description="J'ai bien reçu ma carte le 3 mars, voici le récépissé.",
        evidence=[pdf_upload("recepisse.pdf")],
    )
    assert report.evidence.count() == 1
    services.error_report_accept(
        report=report,
        actor=agent,
        note="Remise vérifiée.",
        handed_over_on=datetime.date(2025, 3, 3),
        reopen=True,
    )
    application.refresh_from_db()
    application.renews_permit.refresh_from_db()
    assert application.renews_permit.handed_over
    assert application.status == ApplicationStatus.COMPLETE
    assert application.decision_reason is None
    assert EventKind.REOPENED in kinds(application)


def test_service_error_report_reject_requires_a_reason(profile, agent):
    report = services.error_report_create(
        application=filed(profile),
        actor=profile.user,
        category="wrong_identity",
        description="Mon nom est mal écrit.",
    )
    with pytest.raises(DomainError):
        services.error_report_reject(report=report, actor=agent, note="")
    rejected = services.error_report_reject(
        report=report, actor=agent, note="Le nom correspond à votre passeport."
    )
    assert rejected.status == "rejected"


def test_service_error_report_answered_twice_is_refused(profile, agent):
    report = services.error_report_create(
        application=filed(profile), actor=profile.user, category="other", description="x"
    )
    services.error_report_accept(report=report, actor=agent, note="ok")
    with pytest.raises(DomainError):
        services.error_report_reject(report=report, actor=agent, note="non")


def test_service_error_report_on_a_draft_is_refused(profile):
    with pytest.raises(DomainError):
        services.error_report_create(
            application=started(profile), actor=profile.user, category="other", description="x"
        )


# --- Foreigner number (scenario 4) and address (scenario 7) ---------------------------------------


def test_service_foreigner_number_attached_later_by_an_agent(reference_data, agent):
    profile = ApplicantProfileFactory(foreigner_number=None, postal_code="75011")
    application = filed(profile)
    services.foreigner_number_attach(profile=profile, number="7512345678", actor=agent)
    profile.refresh_from_db()
    assert profile.foreigner_number == "7512345678"
    assert EventKind.FOREIGNER_NUMBER_ATTACHED in kinds(application)


@pytest.mark.parametrize("number", ["123", "12345678901", "abcdefghij", ""])
def test_service_foreigner_number_must_have_ten_digits(profile, agent, number):
    with pytest.raises(DomainError):
        services.foreigner_number_attach(profile=profile, number=number, actor=agent)


def test_service_foreigner_number_of_another_person_is_refused(profile, agent):
    other = ApplicantProfileFactory(foreigner_number="7599999999")
    with pytest.raises(DomainError) as error:
        services.foreigner_number_attach(
            profile=profile, number=other.foreigner_number, actor=agent
        )
    assert error.value.code == "foreigner_number_taken"


def test_service_address_change_moves_open_dossiers_to_the_new_prefecture(profile, agent):
    application = filed(profile)
    moved = services.address_change(
        profile=profile,
        address_line="3 rue de la République",
        postal_code="93200",
        city="Saint-Denis",
        actor=profile.user,
    )
    application.refresh_from_db()
    assert moved == [application]
    assert application.prefecture.departement_code == "93"
    assert kinds(application)[-2:] == [EventKind.ADDRESS_CHANGED, EventKind.TRANSFERRED]
    assert PreviousAddress.objects.get(profile=profile).postal_code == "75011"


def test_service_address_change_within_the_departement_moves_nothing(profile):
    application = filed(profile)
    assert (
        services.address_change(
            profile=profile,
            address_line="1 rue de Rivoli",
            postal_code="75001",
            city="Paris",
            actor=profile.user,
        )
        == []
    )
    application.refresh_from_db()
    assert application.prefecture.departement_code == "75"


def test_service_address_change_leaves_ended_dossiers_where_they_were(profile):
    application = started(profile)
    services.application_withdraw(application=application, actor=profile.user)
    services.address_change(
        profile=profile,
        address_line="3 rue de la République",
        postal_code="93200",
        city="Saint-Denis",
        actor=profile.user,
    )
    application.refresh_from_db()
    assert application.prefecture.departement_code == "75"


def test_service_address_change_to_an_unknown_departement_is_refused(profile):
    with pytest.raises(DomainError):
        services.address_change(
            profile=profile,
            address_line="1 rue",
            postal_code="01000",
            city="Bourg",
            actor=profile.user,
        )
    profile.refresh_from_db()
    assert profile.postal_code == "75011"


def test_service_correction_for_a_document_outside_the_checklist_is_refused(profile, agent):
    with pytest.raises(DomainError) as error:
        services.correction_request_create(
            application=filed(profile),
            actor=agent,
            message="x",
            deadline=datetime.date.today() + datetime.timedelta(days=10),
            document_types=[DocumentType.objects.get(code="enrolment_certificate")],
        )
    assert error.value.code == "document_not_in_checklist"


def test_service_error_report_reopen_of_an_undecided_dossier_is_refused_first(profile, agent):
    application = filed(profile)
    report = services.error_report_create(
        application=application, actor=profile.user, category="other", description="x"
    )
    with pytest.raises(DomainError) as error:
        services.error_report_accept(report=report, actor=agent, note="ok", reopen=True)
    assert error.value.code == "cannot_reopen"
    report.refresh_from_db()
    assert report.status == "open"


def test_service_error_report_evidence_cannot_be_removed(profile):
    report = services.error_report_create(
        application=filed(profile),
        actor=profile.user,
        category="other",
        description="x",
        evidence=[pdf_upload("preuve.pdf")],
    )
    with pytest.raises(DomainError) as error:
        services.document_remove(document=report.evidence.get(), actor=profile.user)
    assert error.value.code == "evidence_kept"


def test_service_address_change_tells_the_sweep_about_decided_dossiers(profile):
    decided = filed(profile)
    Application.objects.filter(pk=decided.pk).update(
        status=ApplicationStatus.WITHDRAWN, attestations_dirty=False
    )
    services.address_change(
        profile=profile,
        address_line="1 rue de Rivoli",
        postal_code="75001",
        city="Paris",
        actor=profile.user,
    )
    decided.refresh_from_db()
    assert decided.attestations_dirty is True
