"""Scenarios 2, 3, 4, 7 and 9 of DESIGN.md §7, end to end through the pages, as the applicant
and the agents click through them (Django test client; browser tests come with the portal
issue)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import ApplicantProfile, User
from applications.enums import ApplicationStatus
from applications.models import Application, ResidencePermit
from applications.selectors import application_missing_documents
from reference.models import DecisionReason
from tests.accounts.factories import PASSWORD, ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_paris(reference_data):
    return PrefectureAgentFactory(prefecture__departement_code="75")


@pytest.fixture
def agent_93(reference_data):
    return PrefectureAgentFactory(prefecture__departement_code="93")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start(client: Client, ground_code: str, kind: str = "first_application") -> Application:
    response = client.post(
        reverse("portal:application_new_procedure", args=[ground_code]), {"kind": kind}
    )
    assert response.status_code == 302, response.content[:500]
    return Application.objects.get(reference=response["Location"].rstrip("/").split("/")[-1])


def upload_missing(client: Client, application: Application) -> None:
    for document_type in application_missing_documents(application):
        response = client.post(
            reverse("portal:document_upload", args=[application.reference, document_type.code]),
            {"files": [pdf_upload(f"{document_type.code}.pdf")]},
        )
        assert response.status_code == 302


def submit(client: Client, application: Application) -> None:
    client.post(reverse("portal:application_submit", args=[application.reference]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def agent_post(client: Client, name: str, application: Application, data=None, **kwargs):
    url = reverse(f"backoffice:{name}", kwargs={"reference": application.reference, **kwargs})
    response = client.post(url, data or {})
    assert response.status_code in (200, 302), response.content[:500]
    application.refresh_from_db()
    return response


def reasoned(code: str) -> dict:
    reason = DecisionReason.objects.get(code=code)
    return {
        "reason": reason.code,
        "explanation": "Explication en mots simples.",
        "legal_basis": reason.legal_basis,
        "remedies": reason.remedies_fr,
        "obligation_to_leave": "no",  # a refusal says whether it comes with an OQTF (issue 18)
    }


def test_scenario_2_wrong_refusal_is_fixed_after_an_error_report(agent_paris):
    """A renewal refused because the previous card's handover was not recorded; she reports the
    error with proof; the agent corrects the record and re-opens."""
    profile = ApplicantProfileFactory(postal_code="75011")
    person = logged_in(profile.user)
    person.post(
        reverse("portal:permit_new"),
        {
            "number": "AB123456",
            "card_type": "temporary",
            "ground": "",
            "valid_from": "2025-12-01",
            "valid_until": "2026-12-31",
            "handed_over": "no",
        },
    )
    permit = ResidencePermit.objects.get(holder=profile.user)
    assert not permit.handed_over
    response = person.post(
        reverse("portal:application_new_renewal", args=["salaried_worker"]),
        {"permit": permit.pk, "requested_card": "same"},
    )
    application = Application.objects.get(applicant=profile.user)
    assert response.status_code == 302
    upload_missing(person, application)
    submit(person, application)

    agent = logged_in(agent_paris)
    agent_post(agent, "application_mark_complete", application)
    agent_post(agent, "application_refuse", application, reasoned("conditions_not_met"))
    assert application.status == ApplicationStatus.UNFAVOURABLE
    page = person.get(reverse("portal:application_detail", args=[application.reference]))
    assert "Explication en mots simples." in page.text
    refusal = DecisionReason.objects.get(code="conditions_not_met")
    printed_basis = refusal.legal_basis_for(application.ground)
    assert "{" not in printed_basis and application.ground.ceseda_article in printed_basis
    assert escape(printed_basis) in page.text

    person.post(
        reverse("portal:error_report_create", args=[application.reference]),
        {
            "category": "previous_card_handover",
            "description": "Ma carte m'a été remise le 5 décembre 2025.",
            "evidence": [pdf_upload("recepisse-remise.pdf")],
        },
    )
    report = application.error_reports.get()
    assert report.evidence.count() == 1
    agent_post(
        agent,
        "error_report_accept",
        application,
        {
            f"accept-{report.pk}-note": "Remise vérifiée.",
            f"accept-{report.pk}-handed_over_on": "2025-12-05",
            f"accept-{report.pk}-reopen": "on",
        },
        report_pk=report.pk,
    )
    permit.refresh_from_db()
    assert permit.handed_over
    assert application.status == ApplicationStatus.COMPLETE
    agent_post(agent, "application_decide_favourable", application, {"favourable-confirm": "on"})
    assert application.status == ApplicationStatus.FAVOURABLE


def test_scenario_3_two_grounds_at_once_with_independent_lifecycles(agent_paris):
    profile = ApplicantProfileFactory(postal_code="75018")
    person = logged_in(profile.user)
    parent = start(person, "parent_of_french_child")
    worker = start(person, "salaried_worker")
    for application in (parent, worker):
        upload_missing(person, application)
        submit(person, application)

    agent = logged_in(agent_paris)
    page = agent.get(reverse("backoffice:application_detail", args=[parent.reference]))
    assert worker.reference in page.text  # the other open application, before any decision
    agent_post(agent, "application_mark_complete", parent)
    agent_post(agent, "application_decide_favourable", parent, {"favourable-confirm": "on"})
    worker.refresh_from_db()
    assert (parent.status, worker.status) == ("favourable", "submitted")


def test_scenario_4_no_foreigner_number_then_attached_by_an_agent(
    mailoutbox, agent_93, django_capture_on_commit_callbacks
):
    person = Client()
    with django_capture_on_commit_callbacks(execute=True):  # allauth's e-mail, via the outbox
        response = person.post(
            reverse("account_signup"),
            {
                "email": "yonas@anef.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "first_name": "Yonas",
                "last_name": "Tesfaye",
                "birth_date": "2007-09-02",
                "birth_place": "Asmara",
                "nationality": "Érythréenne",
                "identity_document_reference": "OFPRA-123",
                "foreigner_number": "",
                "address_line": "8 rue Gabriel Péri",
                "postal_code": "93100",
                "city": "Montreuil",
            },
        )
    assert response.status_code == 302
    confirmation = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mailoutbox[0].body)
    person.post(confirmation.group(1))
    assert person.login(email="yonas@anef.example", password=PASSWORD)
    profile = ApplicantProfile.objects.get(user__email="yonas@anef.example")
    assert profile.foreigner_number is None

    application = start(person, "refugee_adult_child")
    upload_missing(person, application)
    submit(person, application)
    assert application.prefecture.departement_code == "93"

    agent_post(
        logged_in(agent_93),
        "foreigner_number_attach",
        application,
        {"foreigner-number-number": "9312345678"},
    )
    profile.refresh_from_db()
    assert profile.foreigner_number == "9312345678"
    page = person.get(reverse("portal:profile"))
    assert "9312345678" in page.text


def test_scenario_7_address_change_moves_the_dossier_to_the_new_prefecture(agent_paris, agent_93):
    profile = ApplicantProfileFactory(postal_code="75020")
    person = logged_in(profile.user)
    application = start(person, "student")
    upload_missing(person, application)
    submit(person, application)
    paris, seine_saint_denis = logged_in(agent_paris), logged_in(agent_93)
    detail = reverse("backoffice:application_detail", args=[application.reference])
    assert paris.get(detail).status_code == 200
    assert seine_saint_denis.get(detail).status_code == 404

    person.post(
        reverse("portal:address_change"),
        {"address_line": "3 rue de la République", "postal_code": "93200", "city": "Saint-Denis"},
    )
    application.refresh_from_db()
    assert application.prefecture.departement_code == "93"
    assert paris.get(detail).status_code == 404
    page = seine_saint_denis.get(detail)
    assert page.status_code == 200
    assert "Seine-Saint-Denis" in page.text  # the move is in the timeline
    timeline = person.get(reverse("portal:application_detail", args=[application.reference]))
    assert "Saint-Denis" in timeline.text


def test_scenario_9_closure_shows_reason_legal_basis_and_remedies(agent_paris):
    profile = ApplicantProfileFactory(postal_code="75014")
    person = logged_in(profile.user)
    application = start(person, "personal_and_family_ties")
    upload_missing(person, application)
    submit(person, application)
    agent = logged_in(agent_paris)
    agent_post(
        agent,
        "application_request_correction",
        application,
        {
            "message": "Merci d'ajouter un justificatif de domicile récent.",
            "deadline": (datetime.date.today() + datetime.timedelta(days=15)).isoformat(),
        },
    )
    agent_post(agent, "application_close", application, reasoned("no_answer_to_correction"))
    assert application.status == ApplicationStatus.CLOSED
    reason = DecisionReason.objects.get(code="no_answer_to_correction")
    page = person.get(reverse("portal:application_detail", args=[application.reference]))
    for text in (reason.label_fr, reason.legal_basis, "Explication en mots simples."):
        assert escape(text) in page.text
    assert "tribunal administratif" in page.text


def test_scenario_user_model_has_no_leak_between_people(agent_paris):
    first, second = ApplicantProfileFactory(), ApplicantProfileFactory()
    application = start(logged_in(first.user), "student")
    assert User.objects.count() >= 2
    url = reverse("portal:application_detail", args=[application.reference])
    assert logged_in(second.user).get(url).status_code == 404
