"""A renewal prefilled from the last dossier (applications/services/carry_over.py): the files
still valid are copied (a real copy of the stored bytes), only the person's own, at the
boundaries of each document's validity; audited, in one transaction."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.enums import EventKind
from applications.models import Application, Document
from applications.selectors import application_missing_documents, documents_reusable_for
from reference.models import DocumentType
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ResidencePermitFactory, ground
from tests.applications.helpers import filed, started

pytestmark = pytest.mark.django_db

GROUND = "parent_of_french_child"
EN = {"accept-language": "en"}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def profile(reference_data):
    return ApplicantProfileFactory(postal_code="75014", city="Paris")


@pytest.fixture
def permit(profile, today):
    return ResidencePermitFactory(
        holder=profile.user, ground=ground(GROUND), valid_until=today + timedelta(days=100)
    )


@pytest.fixture
def last(profile):
    """The person's last dossier: a first application on the same ground, every piece given."""
    return filed(profile, GROUND)


def _renew(profile, permit, today=None):
    return services.application_create_renewal(
        applicant=profile.user,
        ground=ground(GROUND),
        actor=profile.user,
        renews_permit=permit,
        today=today,
    )


def _codes(documents) -> set[str]:
    return {document.document_type.code for document in documents}


def _given_on(last, code: str, day) -> Document:
    document = last.documents.get(document_type__code=code)
    Document.objects.filter(pk=document.pk).update(
        uploaded_at=timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12))
    )
    return document


def test_service_carry_over_copies_the_reusable_pieces_only(profile, permit, last):
    application, copies = _renew(profile, permit)
    assert _codes(copies) == {
        "passport",
        "identity_photos",
        "proof_of_address",
        "french_child_birth_certificate",
    }
    # Asked again: a piece never reused, and the current card (not in the last dossier).
    missing = {piece.code for piece in application_missing_documents(application)}
    assert "child_contribution_proof" in missing
    assert "current_residence_permit" in missing
    assert "passport" not in missing


def test_service_carry_over_stores_a_real_copy(profile, permit, last):
    _application, copies = _renew(profile, permit)
    copy = next(document for document in copies if document.document_type.code == "passport")
    original = copy.copied_from
    assert copy.file.name != original.file.name
    with copy.file.open("rb") as handle:
        content = handle.read()
    with original.file.open("rb") as handle:
        assert content == handle.read()
    # The retention policy later deletes the old dossier's file: the copy stays.
    original.file.storage.delete(original.file.name)
    assert copy.file.storage.exists(copy.file.name)


def test_service_carry_over_document_expiring_the_day_of_filing_copied(
    profile, permit, last, today
):
    # Proof of address (6 months): given on this day, its last valid day is today.
    given_on = today + timedelta(days=1) - relativedelta(months=6)
    _given_on(last, "proof_of_address", given_on)
    _application, copies = _renew(profile, permit, today=today)
    assert "proof_of_address" in _codes(copies)


def test_service_carry_over_document_expired_the_day_before_not_copied(
    profile, permit, last, today
):
    given_on = today - relativedelta(months=6)  # its last valid day was yesterday
    _given_on(last, "proof_of_address", given_on)
    application, copies = _renew(profile, permit, today=today)
    assert "proof_of_address" not in _codes(copies)
    assert "proof_of_address" in {
        piece.code for piece in application_missing_documents(application)
    }


def test_service_carry_over_copy_ages_from_the_first_day_given(profile, permit, last, today):
    given_on = today - relativedelta(months=5)
    _given_on(last, "proof_of_address", given_on)
    _application, copies = _renew(profile, permit, today=today)
    copy = next(
        document for document in copies if document.document_type.code == "proof_of_address"
    )
    assert copy.given_on == given_on


def test_service_carry_over_other_person_dossier_never_copied(profile, permit, reference_data):
    other = ApplicantProfileFactory(postal_code="75011")
    filed(other, GROUND)
    _application, copies = _renew(profile, permit)
    assert copies == []
    assert not Document.objects.filter(application__applicant=profile.user).exists()


def test_selector_reusable_for_source_of_another_person_empty(profile, permit, reference_data):
    other_dossier = filed(ApplicantProfileFactory(postal_code="75011"), GROUND)
    application = started(profile, GROUND, kind="renewal", renews_permit=permit)
    assert documents_reusable_for(application, other_dossier, timezone.localdate()) == []


def test_service_carry_over_tampered_file_not_copied(profile, permit, last):
    passport = last.documents.get(document_type__code="passport")
    Document.objects.filter(pk=passport.pk).update(sha256="0" * 64)
    _application, copies = _renew(profile, permit)
    assert "passport" not in _codes(copies)


def test_service_carry_over_audited_with_one_event_per_file(profile, permit, last):
    application, copies = _renew(profile, permit)
    entry = LogEntry.objects.get(additional_data__action="documents_carry_over")
    assert entry.object_pk == str(application.pk)
    assert entry.additional_data["source"] == last.reference
    events = application.events.filter(kind=EventKind.DOCUMENT_ADDED)
    assert events.count() == len(copies)
    assert {event.params["copied_from"] for event in events} == {last.reference}


def test_service_carry_over_failure_rolls_back_row_and_files(profile, permit, last, monkeypatch):
    stored_before = set(_stored_names(last))

    def broken(**_kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr("applications.services.carry_over.audit_action", broken)
    with pytest.raises(RuntimeError):
        _renew(profile, permit)
    assert not Application.objects.filter(kind="renewal").exists()
    assert set(_stored_names(last)) == stored_before


def _stored_names(last):
    storage = last.documents.first().file.storage
    _dirs, files = storage.listdir(f"documents/{last.reference}")
    everything = set(files)
    _dirs, _top = storage.listdir("documents")
    for folder in _dirs:
        everything |= {f"{folder}/{name}" for name in storage.listdir(f"documents/{folder}")[1]}
    return everything


def test_views_portal_renew_now_copies_and_lists_the_documents(client, profile, permit, last):
    client.force_login(profile.user)
    url = reverse("portal:application_new_renewal", kwargs={"ground_code": GROUND})
    response = client.post(
        f"{url}?permit={permit.pk}",
        {"permit": permit.pk, "requested_card": "same"},
        headers=EN,
        follow=True,
    )
    renewal = Application.objects.get(applicant=profile.user, kind="renewal")
    assert response.redirect_chain[-1][0].endswith(renewal.reference + "/")
    assert "We copied 4 documents still valid from your last application" in response.text
    assert response.text.count("data-copied>") == 4
    assert response.text.count("data-copied-piece") == 4


def test_views_portal_renew_now_other_person_card_attack(client, profile, permit, last):
    intruder = ApplicantProfileFactory(postal_code="75011")
    filed(intruder, GROUND)
    client.force_login(intruder.user)
    url = reverse("portal:application_new_renewal", kwargs={"ground_code": GROUND})
    response = client.post(
        f"{url}?permit={permit.pk}", {"permit": permit.pk, "requested_card": "same"}, headers=EN
    )
    assert response.status_code == 200  # the form refuses a card that is not the intruder's
    assert not Application.objects.filter(kind="renewal").exists()
    assert Document.objects.filter(application__applicant=intruder.user).count() == (
        Document.objects.filter(application__applicant=intruder.user, copied_from=None).count()
    )
    assert permit.number not in response.text


def test_document_type_catalogue_reuse_rules_loaded(reference_data):
    proof = DocumentType.objects.get(code="proof_of_address")
    assert (proof.reusable, proof.validity_months) == (True, 6)
    assert not DocumentType.objects.get(code="tax_stamp").reusable


def test_service_carry_over_own_last_dossier_despite_a_newer_one_of_another_person(
    profile, permit, last
):
    filed(ApplicantProfileFactory(postal_code="75011"), GROUND)  # newer, someone else's
    _application, copies = _renew(profile, permit)
    assert copies
    assert {copy.copied_from.application_id for copy in copies} == {last.pk}
