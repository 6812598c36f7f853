"""The applicant portal in the browser: dashboard, guided creation, the dossier page."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus, RequestedCard
from applications.models import Application, Document, ErrorReport
from applications.selectors import application_checklist
from applications.services import (
    application_create,
    application_decide_unfavourable,
    application_mark_complete,
    application_submit,
    correction_request_create,
    document_add,
)
from reference.enums import ProcedureKind
from reference.models import DecisionReason
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import (
    PNG_BYTES,
    ApplicationFactory,
    ResidencePermitFactory,
    ground,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary directory, not to var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def applicant(reference_data):
    return ApplicantProfileFactory(postal_code="75011", city="Paris").user


@pytest.fixture
def draft(applicant):
    return application_create(
        applicant=applicant,
        ground=ground("parent_of_french_child"),
        kind=ProcedureKind.FIRST_APPLICATION,
        actor=applicant,
    )


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def _detail(application) -> str:
    return reverse("portal:application_detail", kwargs={"reference": application.reference})


def _upload_url(application, code: str = "passport") -> str:
    return reverse(
        "portal:document_upload", kwargs={"reference": application.reference, "code": code}
    )


def _fill_checklist(application) -> None:
    for item in application_checklist(application):
        if item.requirement.mandatory and not item.documents:
            document_add(
                application=application,
                document_type=item.requirement.document_type,
                uploaded_file=pdf_upload(f"{item.requirement.document_type.code}.pdf"),
                actor=application.applicant,
            )


def _submitted(application) -> Application:
    _fill_checklist(application)
    return application_submit(application=application, actor=application.applicant)


# --- Dashboard ----------------------------------------------------------------------------------


def test_views_portal_dashboard_lists_only_own_applications(applicant_client, draft):
    other = ApplicationFactory(ground=ground("salaried_worker"))
    response = applicant_client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert draft.reference in response.text
    assert other.reference not in response.text
    assert [application for application, _ in response.context["rows"]] == [draft]


def test_views_portal_dashboard_offers_to_start_an_application(applicant_client):
    response = applicant_client.get(reverse("portal:home"))
    assert reverse("portal:application_new") in response.text


def test_views_portal_dashboard_constant_query_count(
    applicant_client, applicant, django_assert_max_num_queries
):
    for code in ("parent_of_french_child", "salaried_worker", "student"):
        ApplicationFactory(applicant=applicant, ground=ground(code))
    # 7: one of them reads the cards whose renewal reminder may be due (applications/reminders);
    # 8: one more reads the new messages of the prefecture by dossier (issue 20).
    with django_assert_max_num_queries(8):
        response = applicant_client.get(reverse("portal:home"))
    assert len(response.context["rows"]) == 3


# --- Guided creation ----------------------------------------------------------------------------


def test_views_portal_new_application_shows_grounds_with_checklist(applicant_client):
    url = reverse("portal:application_new")
    response = applicant_client.get(url, headers={"accept-language": "en"})
    worker = ground("salaried_worker")
    contract = worker.requirements.get(document_type__code="employment_contract")
    assert worker.label_en in response.text
    assert worker.description_en in response.text
    assert worker.ceseda_article in response.text
    assert contract.document_type.label_en in response.text
    assert (
        reverse("portal:application_new_procedure", kwargs={"ground_code": "salaried_worker"})
        in response.text
    )


def test_views_portal_create_first_application(applicant_client, applicant):
    url = reverse("portal:application_new_procedure", kwargs={"ground_code": "salaried_worker"})
    assert applicant_client.get(url).status_code == 200
    response = applicant_client.post(url, {"kind": ProcedureKind.FIRST_APPLICATION})
    application = Application.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response["Location"] == _detail(application)
    assert application.kind == ProcedureKind.FIRST_APPLICATION
    assert application.ground.code == "salaried_worker"
    assert application.prefecture.departement_code == "75"


def test_views_portal_create_renewal_of_a_declared_permit(applicant_client, applicant):
    permit = ResidencePermitFactory(holder=applicant, ground=ground("salaried_worker"))
    step2 = reverse("portal:application_new_procedure", kwargs={"ground_code": "salaried_worker"})
    response = applicant_client.post(step2, {"kind": ProcedureKind.RENEWAL})
    step3 = reverse("portal:application_new_renewal", kwargs={"ground_code": "salaried_worker"})
    assert response["Location"] == step3
    assert permit.number in applicant_client.get(step3).text
    response = applicant_client.post(
        step3, {"permit": permit.pk, "requested_card": RequestedCard.MULTI_YEAR}
    )
    application = Application.objects.get(applicant=applicant)
    assert response["Location"] == _detail(application)
    assert application.kind == ProcedureKind.RENEWAL
    assert application.renews_permit == permit
    assert application.requested_card == RequestedCard.MULTI_YEAR


def test_views_portal_renewal_without_permit_links_to_declare_one(applicant_client):
    step3 = reverse("portal:application_new_renewal", kwargs={"ground_code": "salaried_worker"})
    response = applicant_client.get(step3)
    assert reverse("portal:permit_new") in response.text
    assert not Application.objects.exists()


def test_views_portal_renewal_cannot_name_another_persons_permit(applicant_client):
    someone_else = ResidencePermitFactory()
    step3 = reverse("portal:application_new_renewal", kwargs={"ground_code": "salaried_worker"})
    response = applicant_client.post(
        step3, {"permit": someone_else.pk, "requested_card": RequestedCard.SAME}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["permit"]
    assert not Application.objects.exists()


def test_views_portal_change_of_status_names_the_card_held(applicant_client, applicant):
    student_card = ResidencePermitFactory(holder=applicant, ground=ground("student"))
    step2 = reverse("portal:application_new_procedure", kwargs={"ground_code": "salaried_worker"})
    response = applicant_client.post(step2, {"kind": ProcedureKind.CHANGE_OF_STATUS})
    step3 = reverse(
        "portal:application_new_change_of_status", kwargs={"ground_code": "salaried_worker"}
    )
    assert response["Location"] == step3
    assert student_card.number in applicant_client.get(step3).text
    response = applicant_client.post(step3, {"permit": student_card.pk})
    application = Application.objects.get(applicant=applicant)
    assert response["Location"] == _detail(application)
    assert application.kind == ProcedureKind.CHANGE_OF_STATUS
    assert application.renews_permit == student_card


def test_views_portal_change_of_status_without_permit_links_to_declare_one(applicant_client):
    step3 = reverse(
        "portal:application_new_change_of_status", kwargs={"ground_code": "salaried_worker"}
    )
    response = applicant_client.get(step3)
    assert reverse("portal:permit_new") in response.text
    assert not Application.objects.exists()


def test_views_portal_change_of_status_cannot_name_another_persons_permit(applicant_client):
    someone_else = ResidencePermitFactory()
    step3 = reverse(
        "portal:application_new_change_of_status", kwargs={"ground_code": "salaried_worker"}
    )
    response = applicant_client.post(step3, {"permit": someone_else.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["permit"]
    assert not Application.objects.exists()


def test_views_portal_duplicate_is_refused_with_a_link_to_the_existing_one(applicant_client, draft):
    url = reverse(
        "portal:application_new_procedure", kwargs={"ground_code": "parent_of_french_child"}
    )
    response = applicant_client.post(url, {"kind": ProcedureKind.FIRST_APPLICATION})
    assert response.status_code == 200
    assert draft.reference in response.text
    assert _detail(draft) in response.text
    assert Application.objects.count() == 1


def test_views_portal_create_without_profile_asks_for_it(client, reference_data):
    user = ApplicantProfileFactory().user
    user.applicant_profile.delete()
    client.force_login(user)
    url = reverse("portal:application_new_procedure", kwargs={"ground_code": "student"})
    response = client.post(url, {"kind": ProcedureKind.FIRST_APPLICATION})
    assert response.status_code == 200
    assert reverse("portal:profile") in response.text
    assert not Application.objects.exists()


# --- The dossier page ---------------------------------------------------------------------------


def test_views_portal_detail_shows_checklist_summary_and_timeline(applicant_client, draft):
    response = applicant_client.get(_detail(draft), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "You started this application." in response.text
    assert "Passport" in response.text
    assert 'multiple accept="application/pdf,image/jpeg,image/png"' in response.text
    assert "capture=" in response.text
    assert "js/upload.js" in response.text
    assert response.context["summary"].next_step in response.text


def test_views_portal_other_applicants_dossier_is_not_found(applicant_client):
    other = ApplicationFactory()
    assert applicant_client.get(_detail(other)).status_code == 404
    response = applicant_client.post(_upload_url(other), {"files": [pdf_upload()]})
    assert response.status_code == 404
    assert not Document.objects.exists()


# Every portal route: (method, kwargs it needs). A route without a row fails the next test.
PORTAL_ROUTES = {
    "home": ("get", ()),
    "profile": ("get", ()),
    "address_change": ("post", ()),
    "permits": ("get", ()),
    "permit_new": ("get", ()),
    "application_new": ("get", ()),
    "application_new_procedure": ("get", ("ground_code",)),
    "application_new_renewal": ("get", ("ground_code",)),
    "application_new_change_of_status": ("get", ("ground_code",)),
    "application_detail": ("get", ("reference",)),
    "document_upload": ("post", ("reference", "code")),
    "document_remove": ("post", ("reference", "pk")),
    "application_submit": ("post", ("reference",)),
    "application_withdraw": ("get", ("reference",)),
    "correction_answer": ("post", ("reference",)),
    "error_report_create": ("post", ("reference",)),
    # The message thread (issue 20): tests/applications/messages/.
    "message_post": ("post", ("reference",)),
    "message_attachment": ("get", ("reference", "pk")),
}


def _route_url(name: str, application) -> str:
    values = {
        "ground_code": "salaried_worker",
        "reference": application.reference,
        "code": "passport",
        "pk": 1,
    }
    _, needed = PORTAL_ROUTES[name]
    return reverse(f"portal:{name}", kwargs={key: values[key] for key in needed})


def test_views_portal_every_route_is_in_the_access_table():
    from applications import urls_portal

    assert {pattern.name for pattern in urls_portal.urlpatterns} == set(PORTAL_ROUTES)


@pytest.mark.parametrize("name", PORTAL_ROUTES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("prefecture_agent", 403), ("contact_centre_agent", 403)],
)
def test_views_portal_route_access_by_role(client, draft, name, role, expected):
    if role == "prefecture_agent":
        client.force_login(PrefectureAgentFactory(prefecture=draft.prefecture))
    elif role == "contact_centre_agent":
        client.force_login(ContactCentreAgentFactory())
    method, _ = PORTAL_ROUTES[name]
    response = getattr(client, method)(_route_url(name, draft))
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "name", [name for name, (_, needed) in PORTAL_ROUTES.items() if "reference" in needed]
)
def test_views_portal_route_on_another_persons_dossier_is_not_found(client, draft, name):
    client.force_login(ApplicantProfileFactory().user)
    method, _ = PORTAL_ROUTES[name]
    assert getattr(client, method)(_route_url(name, draft)).status_code == 404


def test_views_portal_agent_cannot_upload_through_the_portal(client, draft):
    client.force_login(PrefectureAgentFactory(prefecture=draft.prefecture))
    response = client.post(_upload_url(draft), {"files": [pdf_upload()]})
    assert response.status_code == 403


def test_views_portal_anonymous_is_sent_to_sign_in(client, draft):
    response = client.get(_detail(draft))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- Documents ----------------------------------------------------------------------------------


def test_views_portal_upload_real_pdf(applicant_client, draft):
    response = applicant_client.post(_upload_url(draft), {"files": [pdf_upload("passport.pdf")]})
    assert response.status_code == 302
    assert response["Location"] == _detail(draft) + "#piece-passport"
    document = Document.objects.get(application=draft)
    assert document.document_type.code == "passport"
    assert document.content_type == "application/pdf"
    page = applicant_client.get(_detail(draft))
    assert reverse("document_download", kwargs={"pk": document.pk}) in page.text


def test_views_portal_upload_png_named_pdf_is_kept_as_png(applicant_client, draft):
    upload = SimpleUploadedFile("photo.pdf", PNG_BYTES, content_type="application/pdf")
    applicant_client.post(_upload_url(draft), {"files": [upload]})
    assert Document.objects.get(application=draft).content_type == "image/png"


def test_views_portal_upload_executable_named_pdf_is_refused_by_name(applicant_client, draft):
    upload = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    response = applicant_client.post(_upload_url(draft), {"files": [upload]})
    assert response.status_code == 200
    assert "invoice.pdf" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Document.objects.exists()


def test_views_portal_upload_too_large_is_refused(applicant_client, draft, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    upload = pdf_upload("big.pdf", b"%PDF-1.4\n" + b"0" * 200)
    response = applicant_client.post(_upload_url(draft), {"files": [upload]})
    assert "big.pdf" in response.text
    assert not Document.objects.exists()


def test_views_portal_upload_several_files_for_one_piece(applicant_client, draft):
    files = [pdf_upload("page1.pdf"), pdf_upload("page2.pdf")]
    applicant_client.post(_upload_url(draft), {"files": files})
    names = sorted(
        Document.objects.filter(application=draft).values_list("original_name", flat=True)
    )
    assert names == ["page1.pdf", "page2.pdf"]


def test_views_portal_upload_keeps_good_files_when_one_is_refused(applicant_client, draft):
    bad = SimpleUploadedFile("virus.pdf", b"MZ" + b"\x00" * 64)
    response = applicant_client.post(_upload_url(draft), {"files": [pdf_upload("ok.pdf"), bad]})
    assert "virus.pdf" in response.text
    assert list(Document.objects.values_list("original_name", flat=True)) == ["ok.pdf"]


def test_views_portal_upload_with_javascript_answers_json(applicant_client, draft):
    bad = SimpleUploadedFile("virus.pdf", b"MZ" + b"\x00" * 64)
    response = applicant_client.post(
        _upload_url(draft),
        {"files": [pdf_upload("ok.pdf"), bad]},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 400
    assert response.json()["added"] == ["ok.pdf"]
    assert "virus.pdf" in response.json()["errors"][0]
    # The messages wait for the page the script reloads.
    page = applicant_client.get(_detail(draft))
    assert "virus.pdf" in page.text


def test_views_portal_upload_without_file_says_so(applicant_client, draft):
    response = applicant_client.post(_upload_url(draft), {})
    assert response.status_code == 200
    assert response.context["pieces"][0]["form"].errors["files"]


def test_views_portal_remove_a_file(applicant_client, draft):
    applicant_client.post(_upload_url(draft), {"files": [pdf_upload("wrong.pdf")]})
    document = Document.objects.get()
    url = reverse(
        "portal:document_remove", kwargs={"reference": draft.reference, "pk": document.pk}
    )
    response = applicant_client.post(url)
    assert response.status_code == 302
    assert not Document.objects.exists()


# --- Submitting, withdrawing --------------------------------------------------------------------


def test_views_portal_submit_refused_while_pieces_are_missing(applicant_client, draft):
    url = reverse("portal:application_submit", kwargs={"reference": draft.reference})
    response = applicant_client.post(url, follow=True, headers={"accept-language": "en"})
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert "Some documents are missing" in response.text


def test_views_portal_submit_accepted_when_complete(applicant_client, draft):
    _fill_checklist(draft)
    url = reverse("portal:application_submit", kwargs={"reference": draft.reference})
    response = applicant_client.post(url)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED


def test_views_portal_withdraw_asks_for_confirmation(applicant_client, draft):
    url = reverse("portal:application_withdraw", kwargs={"reference": draft.reference})
    response = applicant_client.get(url)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    applicant_client.post(url)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.WITHDRAWN


def test_views_portal_withdrawn_dossier_shows_no_action_buttons(applicant_client, draft):
    applicant_client.post(
        reverse("portal:application_withdraw", kwargs={"reference": draft.reference})
    )
    response = applicant_client.get(_detail(draft))
    assert reverse("portal:application_submit", kwargs={"reference": draft.reference}) not in (
        response.text
    )
    assert _upload_url(draft) not in response.text


# --- Corrections, error reports, decisions ------------------------------------------------------


def test_views_portal_correction_answer(applicant_client, draft):
    submitted = _submitted(draft)
    agent = PrefectureAgentFactory(prefecture=submitted.prefecture)
    correction_request_create(
        application=submitted,
        actor=agent,
        message="Your passport scan is blurred.",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        document_types=[
            submitted.ground.requirements.get(document_type__code="passport").document_type
        ],
    )
    page = applicant_client.get(_detail(draft))
    assert "Your passport scan is blurred." in page.text
    url = reverse("portal:correction_answer", kwargs={"reference": draft.reference})
    refused = applicant_client.post(url, {"answer": "Here it is."})
    assert refused.status_code == 200
    assert refused.context["correction_form"].non_field_errors()
    applicant_client.post(_upload_url(draft), {"files": [pdf_upload("passport-sharp.pdf")]})
    response = applicant_client.post(url, {"answer": "Here it is."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    assert draft.correction_requests.get().answer == "Here it is."


def test_views_portal_error_report_with_evidence(applicant_client, draft):
    _submitted(draft)
    url = reverse("portal:error_report_create", kwargs={"reference": draft.reference})
    response = applicant_client.post(
        url,
        {
            "category": "previous_card_handover",
            "description": "My card was handed over on 3 March.",
            "evidence": [pdf_upload("receipt.pdf")],
        },
    )
    assert response.status_code == 302
    report = ErrorReport.objects.get(application=draft)
    assert report.evidence.get().original_name == "receipt.pdf"
    page = applicant_client.get(_detail(draft))
    assert "My card was handed over on 3 March." in page.text
    assert "receipt.pdf" in page.text


def test_views_portal_error_report_with_bad_evidence_names_the_file(applicant_client, draft):
    _submitted(draft)
    url = reverse("portal:error_report_create", kwargs={"reference": draft.reference})
    response = applicant_client.post(
        url,
        {
            "category": "other",
            "description": "Wrong.",
            "evidence": [SimpleUploadedFile("proof.pdf", b"MZ" + b"\x00" * 64)],
        },
    )
    assert response.status_code == 200
    assert "proof.pdf" in response.text
    assert not ErrorReport.objects.exists()


def test_views_portal_refusal_shows_reason_legal_basis_and_remedies(applicant_client, draft):
    submitted = _submitted(draft)
    agent = PrefectureAgentFactory(prefecture=submitted.prefecture)
    complete = application_mark_complete(application=submitted, actor=agent)
    application_decide_unfavourable(
        application=complete,
        actor=agent,
        reason=DecisionReason.objects.filter(kind="refusal").first(),
        explanation="The child's birth certificate does not name you.",
        legal_basis="CESEDA L. 423-7",
        remedies="Appeal to the administrative court within 30 days.",
    )
    response = applicant_client.get(_detail(draft))
    assert "The child&#x27;s birth certificate does not name you." in response.text
    assert "CESEDA L. 423-7" in response.text
    assert "Appeal to the administrative court within 30 days." in response.text


# --- Permits ------------------------------------------------------------------------------------


def test_views_portal_declare_a_permit(applicant_client, applicant):
    response = applicant_client.post(
        reverse("portal:permit_new"),
        {
            "number": "fr1234567",
            "card_type": "temporary",
            "ground": ground("salaried_worker").pk,
            "valid_from": "2025-03-01",
            "valid_until": "2026-03-01",
            "handed_over": "no",
            "handed_over_on": "",
        },
    )
    assert response.status_code == 302
    permit = applicant.residence_permits.get()
    assert permit.number == "FR1234567"
    assert permit.handed_over is False
    assert "FR1234567" in applicant_client.get(reverse("portal:permits")).text


def test_views_portal_declare_a_permit_with_dates_reversed(applicant_client, applicant):
    response = applicant_client.post(
        reverse("portal:permit_new"),
        {
            "number": "X1",
            "card_type": "temporary",
            "valid_from": "2026-03-01",
            "valid_until": "2025-03-01",
            "handed_over": "yes",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["valid_until"]
    assert not applicant.residence_permits.exists()


def test_views_portal_declare_a_permit_then_back_to_the_renewal(applicant_client, applicant):
    step3 = reverse("portal:application_new_renewal", kwargs={"ground_code": "salaried_worker"})
    response = applicant_client.post(
        f"{reverse('portal:permit_new')}?next={step3}",
        {
            "number": "FR7654321",
            "card_type": "temporary",
            "valid_from": "2025-03-01",
            "valid_until": "2026-03-01",
            "handed_over": "yes",
        },
    )
    assert response["Location"] == step3
    assert "FR7654321" in applicant_client.get(step3).text


def test_views_portal_declare_a_permit_ignores_an_outside_next(applicant_client, applicant):
    response = applicant_client.post(
        f"{reverse('portal:permit_new')}?next=https://evil.example/",
        {
            "number": "FR7654321",
            "card_type": "temporary",
            "valid_from": "2025-03-01",
            "valid_until": "2026-03-01",
            "handed_over": "yes",
        },
    )
    assert response["Location"] == reverse("portal:permits")
