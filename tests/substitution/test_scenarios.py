"""DESIGN.md §7 scenarios 5 (its end: from the substitution case to the recorded deposit and its
deposit receipt, and the API rules) and 6 (automatic offer), through the Django test client."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.enums import ApplicationStatus, Channel
from applications.models import Application
from applications.selectors import application_checklist
from attestations.models import Attestation
from attestations.services import attestations_sweep
from substitution import services
from substitution.enums import AppointmentStatus, CaseOrigin, CaseStatus
from substitution.models import SubstitutionCase
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import PDF_BYTES, ApplicationFactory
from tests.substitution.factories import DeskFactory, SlotFactory, prefecture

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def test_scenario_5_case_to_recorded_deposit_with_receipt_and_api(
    client, reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    today = datetime.date.today()
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    slot = SlotFactory(desk=DeskFactory(prefecture=prefecture("75")))
    # The contact centre confirmed the technical impossibility: the case is opened (support app).
    with django_capture_on_commit_callbacks(execute=True):
        case = services.open_case(
            origin=CaseOrigin.CONTACT_CENTRE,
            contact_name="Awa Diallo",
            contact_email="awa.diallo@example.org",
            prefecture=prefecture("75"),
            opened_by=ContactCentreAgentFactory(),
        )
    link = reverse("substitution_public:case", kwargs={"token": case.access_token})
    assert link in mailoutbox[-1].body

    # The person, without an account, books through the private link.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("substitution_public:case_book", kwargs={"token": case.access_token}),
            {"slot": slot.pk},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPOINTMENT_BOOKED
    assert "Awa Diallo" in mailoutbox[-1].body or "awa" in mailoutbox[-1].to[0]

    # At the desk: the agent records the person and her paper renewal.
    client.force_login(agent)
    permit_end = today + datetime.timedelta(days=70)  # inside the R. 431-5 window
    response = client.post(
        reverse("substitution_backoffice:deposit_new"),
        {
            "case": case.reference,
            "channel": "desk",
            "first_name": "Awa",
            "last_name": "Diallo",
            "email": "awa.diallo@example.org",
            "birth_date": "1990-04-02",
            "nationality": "Sénégalaise",
            "address_line": "3 rue des Lilas",
            "postal_code": "75019",
            "city": "Paris",
            "ground": _ground_pk("salaried_worker"),
            "kind": "renewal",
            "permit_number": "FR12345678",
            "permit_card_type": "temporary",
            "permit_valid_from": (permit_end - datetime.timedelta(days=365)).isoformat(),
            "permit_valid_until": permit_end.isoformat(),
        },
        headers=EN,
    )
    assert response.status_code == 302, response.context["form"].errors
    case.refresh_from_db()
    application = case.application
    assert application.channel == Channel.DESK
    assert application.applicant.email == "awa.diallo@example.org"
    assert not application.applicant.has_usable_password()  # to claim later
    for item in application_checklist(application):
        if item.requirement.mandatory:
            code = item.requirement.document_type.code
            response = client.post(
                reverse(
                    "substitution_backoffice:deposit_upload",
                    kwargs={"reference": case.reference, "code": code},
                ),
                {"files": [SimpleUploadedFile(f"{code}.pdf", PDF_BYTES, "application/pdf")]},
            )
            assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("substitution_backoffice:deposit_file", kwargs={"reference": case.reference})
        )
    assert response.status_code == 302
    application.refresh_from_db()
    case.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert case.status == CaseStatus.DEPOSIT_RECEIVED
    assert Attestation.objects.filter(application=application, kind="deposit_receipt").exists()
    assert application.events.filter(kind="deposit_receipt").exists()
    slot_appointment = case.appointments.get()
    assert slot_appointment.status == AppointmentStatus.BOOKED

    # From here it is an application like any other: complete, then the sweep issues the API.
    client.post(
        reverse("backoffice:application_mark_complete", kwargs={"reference": application.reference})
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETE
    attestations_sweep(today=permit_end - datetime.timedelta(days=14))
    api = Attestation.objects.get(application=application, kind="api")
    assert api.valid_from == permit_end + datetime.timedelta(days=1)
    assert api.rights["stay"] is True


def _ground_pk(code: str) -> int:
    from reference.models import Ground

    return Ground.objects.get(code=code).pk


def _refused_upload(client, application, code: str):
    return client.post(
        reverse(
            "portal:document_upload",
            kwargs={"reference": application.reference, "code": code},
        ),
        {"files": [SimpleUploadedFile("photo.txt", b"not a document", "text/plain")]},
        headers=EN,
    )


def test_scenario_6_three_failed_uploads_offer_an_appointment_at_once(client, reference_data):
    profile = ApplicantProfileFactory(postal_code="75011")
    application = ApplicationFactory(applicant=profile.user)
    slot = SlotFactory(desk=DeskFactory(prefecture=prefecture("75")))
    code = next(
        item.requirement.document_type.code
        for item in application_checklist(application)
        if item.requirement.mandatory
    )
    client.force_login(profile.user)
    for _ in range(2):
        response = _refused_upload(client, application, code)
        assert response.status_code == 200
        assert 'id="substitution-offer"' not in response.text
    response = _refused_upload(client, application, code)
    assert 'id="substitution-offer"' in response.text
    assert "File with a person instead" in response.text
    assert f'value="{slot.pk}"' in response.text

    response = client.post(
        reverse("substitution_portal:offer_accept"),
        {
            "slot": slot.pk,
            "next": reverse("portal:application_detail", args=[application.reference]),
        },
    )
    case = SubstitutionCase.objects.get(person=profile.user)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "substitution_portal:case_detail", kwargs={"reference": case.reference}
    )
    assert case.origin == CaseOrigin.AUTOMATIC_DETECTION
    assert case.status == CaseStatus.APPOINTMENT_BOOKED
    assert case.appointments.get().slot == slot
    # The dossier page now links to the case instead of offering again.
    response = client.get(reverse("portal:application_detail", args=[application.reference]))
    assert reverse("substitution_portal:case_detail", args=[case.reference]) in response.text
    assert Application.objects.filter(pk=application.pk, status="draft").exists()
