"""Issue 18, "languages complete, including data": every catalogue text shown to people is
written in French, English and Arabic in the catalogue, the validation refuses a catalogue with a
missing translation, and the pages show the reader's language (French when a row lacks it)."""

import copy
import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from applications import services as dossier
from attestations import pdf, signing
from attestations.services import attestations_sweep
from reference.catalogue.loader import reference_data_read
from reference.models import DecisionReason, DocumentType, Ground, GroundRequirement, Prefecture
from reference.rules import catalogue_errors
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.helpers import complete, started
from tests.attestations.factories import api_due_day, paris_agent, renewal
from tests.attestations.test_verification import expiry, on, path_of, today

ENGLISH = {"accept-language": "en"}
ARABIC = {"accept-language": "ar"}


@pytest.fixture(scope="module")
def catalogue():
    return reference_data_read()


def _entry(catalogue, section, code):
    return next(entry for entry in catalogue[section] if entry["code"] == code)


# --- The validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "code", "key"),
    [
        ("grounds", "student", "work_limitation_ar"),
        ("grounds", "student", "label_en"),
        ("grounds", "talent_passport", "ceseda_article_en"),
        ("grounds", "refugee", "card_validity_ar"),
        ("document_types", "passport", "help_ar"),
        ("decision_reasons", "fraud", "remedies_ar"),
        ("decision_reasons", "fraud", "legal_basis_ar"),
        ("prefectures", "rhone", "name_ar"),
        ("prefectures", "rhone", "pan_opening_hours_en"),
    ],
)
def test_catalogue_errors_missing_translation_names_key_and_language(catalogue, section, code, key):
    broken = copy.deepcopy(catalogue)
    del _entry(broken, section, code)[key]
    language = {"en": "English", "ar": "Arabic"}[key.rsplit("_", 1)[1]]
    errors = catalogue_errors(broken)
    assert any(repr(code) in e and key in e and language in e for e in errors), errors


def test_catalogue_errors_empty_translation_is_an_error(catalogue):
    broken = copy.deepcopy(catalogue)
    _entry(broken, "document_types", "payslips")["label_ar"] = "  "
    assert any(
        "'payslips'" in error and "label_ar" in error and "Arabic" in error
        for error in catalogue_errors(broken)
    )


def test_catalogue_errors_missing_checklist_note_translation_names_the_document(catalogue):
    broken = copy.deepcopy(catalogue)
    student = _entry(broken, "grounds", "student")
    note = next(item for item in student["requirements"] if item["note_fr"])
    note["note_ar"] = ""
    assert any(
        "'student'" in error and repr(note["document"]) in error and "note_ar" in error
        for error in catalogue_errors(broken)
    )


def test_catalogue_errors_optional_text_left_empty_in_french_needs_no_translation(catalogue):
    edited = copy.deepcopy(catalogue)
    note = next(item for item in _entry(edited, "grounds", "student")["requirements"])
    note.update(note_fr="", note_en="", note_ar="")
    assert catalogue_errors(edited) == []


# --- The loader and the fallback ----------------------------------------------------------


@pytest.mark.django_db
def test_reference_load_stores_the_arabic_texts(reference_data):
    ground = Ground.objects.get(code="student")
    assert ground.work_limitation_ar.startswith("العمل المأجور إلى جانب الدراسة")
    assert DocumentType.objects.get(code="passport").label_ar == "جواز السفر"
    assert GroundRequirement.objects.exclude(note_fr="").filter(note_ar="").count() == 0
    assert DecisionReason.objects.get(code="fraud").legal_basis_ar.startswith("قانون CESEDA")
    assert Prefecture.objects.get(code="rhone").name_en == "Prefecture of Rhône"


def test_translated_text_missing_in_the_database_falls_back_to_french():
    ground = Ground(label_fr="Étudiant", label_en="Student", label_ar="")
    with translation.override("ar"):
        assert ground.label == "Étudiant"
    with translation.override("en"):
        assert ground.label == "Student"


# --- Pages: each kind of catalogue text in the reader's language ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
def test_home_grounds_rights_and_checklists_in_the_readers_language(
    client, reference_data, language
):
    response = client.get(reverse("home"), headers={"accept-language": language})
    student = Ground.objects.get(code="student")
    talent = Ground.objects.get(code="talent_passport")
    passport = DocumentType.objects.get(code="passport")
    note = GroundRequirement.objects.get(
        ground=student, document_type__code="enrolment_certificate"
    )
    for obj, field in [
        (student, "label"),
        (student, "description"),
        (student, "work_limitation"),
        (student, "card_validity"),
        (talent, "ceseda_article"),
        (passport, "label"),
        (note, "note"),
    ]:
        assert escape(getattr(obj, f"{field}_{language}")) in response.text, field
        assert escape(obj.french(field)) not in response.text, field


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
def test_new_application_procedures_in_the_readers_language(client, reference_data, language):
    profile = ApplicantProfileFactory(postal_code="75011")
    client.force_login(profile.user)
    response = client.get(reverse("portal:application_new"), headers={"accept-language": language})
    duplicate = Ground.objects.get(code="duplicate")
    assert escape(getattr(duplicate, f"label_{language}")) in response.text
    assert escape(duplicate.label_fr) not in response.text


@pytest.mark.django_db
def test_dossier_arabic_document_types_notes_and_prefecture_in_arabic(client, reference_data):
    profile = ApplicantProfileFactory(postal_code="69003")
    application = started(profile, "student")
    client.force_login(profile.user)
    url = reverse("portal:application_detail", kwargs={"reference": application.reference})
    response = client.get(url, headers=ARABIC)
    enrolment = GroundRequirement.objects.get(
        ground__code="student", document_type__code="enrolment_certificate"
    )
    for text in (
        enrolment.document_type.label_ar,
        enrolment.document_type.help_ar,
        enrolment.note_ar,
        escape(application.ground.label_ar),
    ):
        assert text in response.text
    for text in (enrolment.document_type.label_fr, enrolment.note_fr, "Préfecture du Rhône"):
        assert escape(text) not in response.text
    # The prefecture and the reference sit inside an Arabic sentence: isolated.
    assert "<bdi>محافظة Rhône</bdi>" in response.text
    assert f"<bdi>{application.reference}</bdi>" in response.text


@pytest.mark.django_db
def test_dossier_english_prefecture_name_in_english(client, reference_data):
    profile = ApplicantProfileFactory(postal_code="75011")
    application = started(profile, "student")
    client.force_login(profile.user)
    url = reverse("portal:application_detail", kwargs={"reference": application.reference})
    response = client.get(url, headers=ENGLISH)
    assert "<bdi>Paris Police Prefecture</bdi>" in response.text
    assert "Préfecture de police" not in response.text


def _refused(reason_code: str, **stated):
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    application = complete(ApplicantProfileFactory(postal_code="75011"), agent, "student")
    reason = DecisionReason.objects.get(code=reason_code)
    return dossier.application_decide_unfavourable(
        application=application,
        actor=agent,
        reason=reason,
        explanation="Les ressources ne sont pas suffisantes.",
        legal_basis=stated.get("legal_basis", reason.legal_basis),
        remedies=stated.get("remedies", reason.remedies_fr),
    )


def _detail(client, application, headers):
    client.force_login(application.applicant)
    url = reverse("portal:application_detail", kwargs={"reference": application.reference})
    return client.get(url, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
def test_refusal_reason_legal_basis_and_remedies_in_the_readers_language(
    client, reference_data, language
):
    application = _refused("conditions_not_met")
    response = _detail(client, application, {"accept-language": language})
    reason = application.decision_reason
    expected_basis = {
        "en": "CESEDA, L. 422-1 and L. 432-1",
        "ar": "قانون CESEDA، المادتان L. 422-1 وL. 432-1",
    }[language]
    assert f'lang="{language}" dir="auto">{expected_basis}</dd>' in response.text
    assert escape(getattr(reason, f"remedies_{language}")) in response.text
    assert escape(getattr(reason, f"label_{language}")) in response.text
    for french in (reason.label_fr, reason.remedies_fr, application.decision_legal_basis):
        assert escape(french) not in response.text


@pytest.mark.django_db
def test_refusal_legal_basis_written_by_the_agent_stays_as_written_in_french(
    client, reference_data
):
    application = _refused("conditions_not_met", legal_basis="CESEDA, L. 422-1 et L. 412-5")
    response = _detail(client, application, ARABIC)
    assert 'lang="fr" dir="auto">CESEDA, L. 422-1 et L. 412-5</dd>' in response.text


# --- Attestations: the limits on work in the reader's language ---------------------------


@pytest.fixture
def student_limits_api(reference_data):
    """An API whose renewed permit states the salaried worker's limits on work (the French the
    permit copied from its ground), held by a reader of Arabic."""

    def make(language: str = "fr"):
        limits = Ground.objects.get(code="salaried_worker").work_limitation_fr
        application = renewal(paris_agent(), today=today(), work_limitation=limits)
        holder = application.applicant
        holder.preferred_language = language
        holder.save(update_fields=["preferred_language"])
        attestations_sweep(today=api_due_day(application))
        return application.attestations.get(kind="api")

    return make


@pytest.mark.django_db
def test_verify_english_shows_the_english_work_limitation(client, student_limits_api):
    api = student_limits_api()
    ground = Ground.objects.get(code="salaried_worker")
    with on(expiry(api) + datetime.timedelta(days=1)):
        response = client.get(path_of(signing.verification_url(api)), headers=ENGLISH)
    assert f'<bdi lang="en">{escape(ground.work_limitation_en)}</bdi>' in response.text
    assert escape(ground.work_limitation_fr) not in response.text


@pytest.mark.django_db
def test_pdf_english_part_states_the_english_work_limitation(student_limits_api):
    ground = Ground.objects.get(code="salaried_worker")
    html = pdf.attestation_pdf_html(student_limits_api("ar"))
    assert escape(ground.work_limitation_fr) in html  # the French part
    assert escape(ground.work_limitation_en) in html
    assert escape(ground.work_limitation_ar) in html.split('dir="rtl"', 2)[2]
