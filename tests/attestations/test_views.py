"""Attestations in the portal and the back office: who sees what, the PDF download, the
at-risk list and the "issue now" button. Attestations are built with the real services."""

import datetime

import pytest
from django.urls import reverse

from applications import services as dossier
from applications.models import Application
from attestations import pdf, signing
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.services import attestations_sweep
from reference.models import Prefecture
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
)
from tests.attestations import factories
from tests.attestations.factories import LIMITATION

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, monkeypatch):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    monkeypatch.setattr(
        signing, "verification_url", lambda attestation: "https://anef.example/verify/x"
    )


@pytest.fixture
def paris(reference_data) -> Prefecture:
    return Prefecture.objects.get(departement_code="75")


@pytest.fixture
def agent(paris):
    return PrefectureAgentFactory(prefecture=paris)


def renewal(
    agent, *, expires_in_days: int, filed_days_before_expiry: int | None = None, complete=True
):
    """A salaried worker's renewal in Paris (tests/attestations/factories.py), filed today, or
    `filed_days_before_expiry` days before the card ends; completed today."""
    application = factories.renewal(
        agent, today=TODAY, expires_in_days=expires_in_days, complete=False
    )
    if filed_days_before_expiry is not None:
        earlier = datetime.timedelta(days=filed_days_before_expiry - expires_in_days)
        Application.objects.filter(pk=application.pk).update(
            filed_at=application.filed_at - earlier
        )
    if complete:
        application = dossier.application_mark_complete(application=application, actor=agent)
    return application


def renewal_with_api_due_today(agent):
    """Filed in time (70 days before the card ends), complete today, the card ending in 10
    days: its API is due today."""
    return renewal(agent, expires_in_days=10, filed_days_before_expiry=70)


@pytest.fixture
def with_api(agent):
    application = renewal_with_api_due_today(agent)
    attestations_sweep(today=TODAY)
    return application


def api_of(application) -> Attestation:
    return application.attestations.get(kind=AttestationKind.API)


def fake_render(attestation) -> bytes:
    return b"%PDF-1.7 fake " + attestation.number.encode()


# --- Portal --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_portal_attestation_list_shows_only_own_attestations(client, with_api, agent):
    other = renewal_with_api_due_today(agent)
    attestations_sweep(today=TODAY)
    client.force_login(with_api.applicant)
    response = client.get(reverse("attestations_portal:list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert api_of(with_api).number in content
    assert LIMITATION in content
    assert api_of(other).number not in content


@pytest.mark.django_db
def test_portal_attestation_list_queries_do_not_grow_with_attestations(
    client, with_api, django_assert_max_num_queries
):
    client.force_login(with_api.applicant)
    with django_assert_max_num_queries(6):
        client.get(reverse("attestations_portal:list"))


@pytest.mark.django_db
def test_portal_attestation_pdf_missing_file_renders_on_demand(client, with_api):
    api = api_of(with_api)
    assert api.pdf_rendered_at is None
    client.force_login(with_api.applicant)
    response = client.get(reverse("attestations_portal:pdf", args=[api.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{api.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    api.refresh_from_db()
    assert api.pdf_rendered_at is not None


@pytest.mark.django_db
def test_portal_attestation_pdf_stored_file_is_served_without_rendering(
    client, with_api, monkeypatch
):
    api = api_of(with_api)
    monkeypatch.setattr(pdf, "attestation_pdf_render", fake_render)
    pdf.attestation_pdf_store(api.pk)
    monkeypatch.setattr(pdf, "attestation_pdf_render", lambda attestation: pytest.fail("render"))
    client.force_login(with_api.applicant)
    response = client.get(reverse("attestations_portal:pdf", args=[api.number]))
    assert b"".join(response.streaming_content) == fake_render(api)


@pytest.mark.django_db
def test_portal_attestation_pdf_other_applicant_404(client, with_api):
    client.force_login(ApplicantProfileFactory(postal_code="75011").user)
    response = client.get(reverse("attestations_portal:pdf", args=[api_of(with_api).number]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_portal_home_shows_the_current_attestation_with_its_download_link(client, with_api):
    client.force_login(with_api.applicant)
    content = client.get(reverse("portal:home")).content.decode()
    api = api_of(with_api)
    assert api.number in content
    assert reverse("attestations_portal:pdf", args=[api.number]) in content


@pytest.mark.django_db
def test_portal_detail_late_renewal_says_what_to_do(client, agent, settings):
    application = renewal(agent, expires_in_days=30)  # filed after the 60th day before expiry
    client.force_login(application.applicant)
    response = client.get(
        reverse("portal:application_detail", args=[application.reference]),
        headers={"accept-language": "en"},
    )
    content = response.content.decode()
    assert "Act now to keep a document that proves your right to stay" in content
    assert settings.CONTACT_PHONE in content
    assert "digital reception point (PAN)" in content


@pytest.mark.django_db
def test_portal_home_in_time_renewal_has_no_risk_message(client, agent):
    application = renewal(agent, expires_in_days=70)
    client.force_login(application.applicant)
    content = client.get(reverse("portal:home")).content.decode()
    assert "Act now to keep a document" not in content
    assert "must be complete before your card ends" not in content


# --- Back office ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_backoffice_dossier_lists_its_attestations_with_pdf_links(client, with_api, agent):
    client.force_login(agent)
    content = client.get(
        reverse("backoffice:application_detail", args=[with_api.reference])
    ).content.decode()
    for attestation in with_api.attestations.all():
        assert attestation.number in content
        assert reverse("attestations_backoffice:pdf", args=[attestation.number]) in content
    assert reverse("attestations_backoffice:sweep_application", args=[with_api.reference]) in (
        content
    )


@pytest.mark.django_db
def test_backoffice_attestation_pdf_own_prefecture(client, with_api, agent, monkeypatch):
    monkeypatch.setattr(pdf, "attestation_pdf_render", fake_render)
    client.force_login(agent)
    api = api_of(with_api)
    response = client.get(reverse("attestations_backoffice:pdf", args=[api.number]) + "?inline=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="{api.number}.pdf"'
    assert b"".join(response.streaming_content) == fake_render(api)


@pytest.mark.django_db
def test_backoffice_attestation_pdf_other_prefecture_404(client, with_api):
    client.force_login(PrefectureAgentFactory(prefecture__departement_code="93"))
    response = client.get(reverse("attestations_backoffice:pdf", args=[api_of(with_api).number]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_backoffice_attestation_pdf_contact_centre_403(client, with_api):
    client.force_login(ContactCentreAgentFactory())
    response = client.get(reverse("attestations_backoffice:pdf", args=[api_of(with_api).number]))
    assert response.status_code == 403


@pytest.mark.django_db
def test_backoffice_at_risk_lists_a_late_renewal_and_not_an_in_time_one(client, agent):
    late = renewal(agent, expires_in_days=30)
    in_time = renewal(agent, expires_in_days=70)
    client.force_login(agent)
    response = client.get(reverse("attestations_backoffice:at_risk"))
    content = response.content.decode()
    assert late.reference in content
    assert in_time.reference not in content


@pytest.mark.django_db
def test_backoffice_at_risk_lists_an_incomplete_renewal_near_expiry(client, agent):
    incomplete = renewal(agent, expires_in_days=20, filed_days_before_expiry=80, complete=False)
    client.force_login(agent)
    content = client.get(
        reverse("attestations_backoffice:at_risk"), headers={"accept-language": "en"}
    ).content.decode()
    assert incomplete.reference in content
    assert "Incomplete near expiry" in content


@pytest.mark.django_db
def test_backoffice_at_risk_other_prefecture_does_not_see_it(client, agent):
    late = renewal(agent, expires_in_days=30)
    client.force_login(PrefectureAgentFactory(prefecture__departement_code="93"))
    content = client.get(reverse("attestations_backoffice:at_risk")).content.decode()
    assert late.reference not in content


@pytest.mark.django_db
@pytest.mark.parametrize("dossiers", [1, 5])
def test_backoffice_at_risk_queries_do_not_grow_with_dossiers(
    client, agent, dossiers, django_assert_max_num_queries
):
    for _ in range(dossiers):
        renewal(agent, expires_in_days=30)
    client.force_login(agent)
    # session, user and prefecture; the four sections of attestations.at_risk (cards ending,
    # the renewals and those of the same permits, the outage log, the APIs, the decisions);
    # the supervisor check of the staff navigation (the user's and their groups' permissions)
    with django_assert_max_num_queries(11):
        client.get(reverse("attestations_backoffice:at_risk"))


@pytest.mark.django_db
def test_backoffice_sweep_application_issues_the_due_attestations(client, agent):
    application = renewal_with_api_due_today(agent)  # and no sweep has run
    assert not application.attestations.exists()
    client.force_login(agent)
    response = client.post(
        reverse("attestations_backoffice:sweep_application", args=[application.reference])
    )
    assert response.status_code == 302
    assert sorted(application.attestations.values_list("kind", flat=True)) == [
        AttestationKind.API,
        AttestationKind.DEPOSIT_RECEIPT,
    ]


@pytest.mark.django_db
def test_backoffice_sweep_application_other_prefecture_404(client, agent):
    application = renewal_with_api_due_today(agent)
    client.force_login(PrefectureAgentFactory(prefecture__departement_code="93"))
    response = client.post(
        reverse("attestations_backoffice:sweep_application", args=[application.reference])
    )
    assert response.status_code == 404
    assert not application.attestations.exists()


@pytest.mark.django_db
def test_portal_home_folds_the_rights_and_keeps_the_download_in_sight(client, with_api):
    client.force_login(with_api.applicant)
    content = client.get(reverse("portal:home"), headers={"accept-language": "en"}).text
    api = api_of(with_api)
    summary = "<summary>What this attestation proves (stay, work, benefits)</summary>"
    folded = content.split(summary, 1)[1].split("</details>", 1)[0]
    assert "Stay in France" in folded
    assert "Stay in France" not in content.split(summary, 1)[0]
    assert reverse("attestations_portal:pdf", args=[api.number]) not in folded
