"""substitution answers what the apps below it announce, without being imported by them (issue
19, docs/architecture.md item 3): support's confirmed technical impossibility
(`support.signals.technical_impossibility_confirmed`) and the portal's failed steps
(`anef.step_failures.step_failed`). Each receiver is proved by disconnecting it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anef.step_failures import step_failed
from applications.services import application_create
from attestations.models import Attestation
from reference.enums import ProcedureKind
from substitution import receivers
from substitution.enums import CaseOrigin, FailureStep
from substitution.models import FailureRecord, SubstitutionCase
from support import services as support_services
from support.enums import TicketStatus
from support.signals import technical_impossibility_confirmed
from tests.accounts.factories import ApplicantProfileFactory, ContactCentreAgentFactory
from tests.applications.factories import ground, pdf_upload
from tests.support.factories import web_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_impossibility_receiver():
    uid = "substitution_technical_impossibility_confirmed"
    assert technical_impossibility_confirmed.disconnect(dispatch_uid=uid)
    yield
    technical_impossibility_confirmed.connect(
        receivers.technical_impossibility_confirmed, dispatch_uid=uid
    )


@pytest.fixture
def without_step_failed_receiver():
    assert step_failed.disconnect(dispatch_uid="substitution_step_failed")
    yield
    step_failed.connect(receivers.step_failed, dispatch_uid="substitution_step_failed")


def _confirm(ticket):
    return support_services.ticket_confirm_technical_impossibility(
        ticket=ticket,
        actor=ContactCentreAgentFactory(),
        blocking_description="Sign-up refuses a birth date before 1950.",
        first_name="Awa",
        last_name="Konaté",
    )


# --- A confirmed technical impossibility --------------------------------------------------------


def test_receivers_technical_impossibility_confirmed_case_opened_and_linked(reference_data):
    ticket, _token = web_ticket(postal_code="75011", phone="0102030405")
    confirmed = _confirm(ticket)
    case = SubstitutionCase.objects.get()
    assert confirmed.substitution_case == case
    assert case.origin == CaseOrigin.CONTACT_CENTRE
    assert case.acknowledgement == confirmed.acknowledgement
    assert case.contact_name == "Awa Konaté"
    assert (case.contact_email, case.contact_phone) == ("awa.konate@example.org", "0102030405")
    assert case.summary == "Sign-up refuses a birth date before 1950."
    assert case.prefecture == confirmed.prefecture


def test_receivers_technical_impossibility_receiver_disconnected_confirmation_rolled_back(
    reference_data, without_impossibility_receiver
):
    """The mutation check of the wiring: without substitution's receiver no acknowledgement is
    issued alone (the person would be told of an appointment nobody offers)."""
    ticket, _token = web_ticket(postal_code="75011")
    with pytest.raises(ImproperlyConfigured):
        _confirm(ticket)
    assert not Attestation.objects.exists()
    assert not SubstitutionCase.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert ticket.acknowledgement is None


# --- The portal's failed steps (issue 6) --------------------------------------------------------


@pytest.fixture
def applicant(reference_data):
    return ApplicantProfileFactory(postal_code="75011", city="Paris").user


@pytest.fixture
def applicant_client(client, applicant, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client.force_login(applicant)
    return client


@pytest.fixture
def draft(applicant):
    return application_create(
        applicant=applicant,
        ground=ground("parent_of_french_child"),
        kind=ProcedureKind.FIRST_APPLICATION,
        actor=applicant,
    )


def _upload_refused(client, application):
    executable = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    url = reverse(
        "portal:document_upload", kwargs={"reference": application.reference, "code": "passport"}
    )
    return client.post(url, {"files": [executable]})


def test_receivers_portal_upload_refused_failure_recorded(applicant_client, draft):
    _upload_refused(applicant_client, draft)
    record = FailureRecord.objects.get()
    assert (record.step, record.user, record.code) == (
        FailureStep.UPLOAD,
        draft.applicant,
        "passport",
    )


def test_receivers_portal_upload_accepted_nothing_recorded(applicant_client, draft):
    url = reverse(
        "portal:document_upload", kwargs={"reference": draft.reference, "code": "passport"}
    )
    applicant_client.post(url, {"files": [pdf_upload()]})
    assert draft.documents.count() == 1
    assert not FailureRecord.objects.exists()


def test_receivers_portal_submission_refused_failure_recorded(applicant_client, draft):
    url = reverse("portal:application_submit", kwargs={"reference": draft.reference})
    applicant_client.post(url)
    record = FailureRecord.objects.get()
    assert (record.step, record.user) == (FailureStep.SUBMISSION, draft.applicant)
    assert record.code  # the refusal's code, e.g. missing documents


def test_receivers_step_failed_receiver_disconnected_nothing_recorded(
    applicant_client, draft, without_step_failed_receiver
):
    """The mutation check of the wiring: the refusal is still shown, but substitution no
    longer counts it (and would never offer another way in)."""
    assert _upload_refused(applicant_client, draft).status_code == 200
    assert not FailureRecord.objects.exists()
