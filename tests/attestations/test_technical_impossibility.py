"""The contact centre's written acknowledgement of a technical impossibility (DESIGN.md §3
"support"): issued for a person with or without an account, it names the blocking, proves no
right to stay by itself, and verifies like any other attestation."""

import datetime

import pytest
from django.utils.html import escape

from attestations import pdf
from attestations.enums import AttestationKind
from attestations.numbers import is_well_formed
from attestations.services import issue_technical_impossibility
from attestations.verification import VerificationStatus, verification_facts_for
from reference.models import Prefecture
from tests.accounts.factories import ApplicantProfileFactory

TODAY = datetime.date(2026, 11, 28)
BLOCKING = "La création du compte échoue : « numéro étranger déjà utilisé » (capture jointe)."
PERSON = {"first_name": "Fatou", "last_name": "Camara", "foreigner_number": ""}


@pytest.mark.django_db
def test_service_technical_impossibility_for_a_person_without_account():
    attestation = issue_technical_impossibility(
        holder_snapshot=PERSON, blocking_description=BLOCKING, today=TODAY
    )
    assert attestation.kind == AttestationKind.TECHNICAL_IMPOSSIBILITY
    assert attestation.holder is None and attestation.application is None
    assert is_well_formed(attestation.number)
    assert attestation.valid_from == TODAY and attestation.valid_until is None
    assert attestation.ended_on is None and attestation.is_valid_on(TODAY)
    assert attestation.rights["blocking"] == BLOCKING
    assert attestation.rights["stay"] is False


@pytest.mark.django_db
def test_service_technical_impossibility_for_an_account_holder(reference_data):
    profile = ApplicantProfileFactory(postal_code="75011")
    attestation = issue_technical_impossibility(
        holder=profile.user,
        holder_snapshot={"first_name": "A", "last_name": "B"},
        blocking_description=BLOCKING,
        prefecture=Prefecture.objects.get(departement_code="75"),
        today=TODAY,
    )
    assert attestation.holder == profile.user
    assert attestation.prefecture.departement_code == "75"
    assert list(profile.user.attestations.all()) == [attestation]


@pytest.mark.django_db
@pytest.mark.parametrize("description", ["", "   \n"])
def test_service_technical_impossibility_refuses_an_empty_description(description):
    with pytest.raises(ValueError, match="description"):
        issue_technical_impossibility(holder_snapshot=PERSON, blocking_description=description)


@pytest.mark.django_db
def test_service_technical_impossibility_refuses_an_unnamed_person():
    with pytest.raises(ValueError, match="name"):
        issue_technical_impossibility(
            holder_snapshot={"first_name": "", "last_name": ""}, blocking_description=BLOCKING
        )


@pytest.mark.django_db
def test_pdf_technical_impossibility_states_the_blocking_and_no_right_to_stay():
    attestation = issue_technical_impossibility(
        holder_snapshot=PERSON, blocking_description=BLOCKING, today=TODAY
    )
    html = pdf.attestation_pdf_html(attestation)
    assert escape("Attestation d'impossibilité technique") in html
    assert escape(BLOCKING) in html
    assert "CAMARA Fatou" in html
    assert "Conseil d" in html and "502860" in html


@pytest.mark.django_db
def test_verify_technical_impossibility_is_valid_with_no_end(settings):
    settings.LANGUAGE_CODE = "en"
    attestation = issue_technical_impossibility(
        holder_snapshot=PERSON, blocking_description=BLOCKING, today=TODAY
    )
    facts = verification_facts_for(attestation, today=TODAY + datetime.timedelta(days=400))
    assert facts.status == VerificationStatus.VALID
    assert facts.last_day is None
    assert facts.rights.may_stay is False
