"""A helper under a mandate sees and downloads the attestations of the dossiers it covers, and
only while it is in force; sharing them with a verifier stays the holder's own act."""

import pytest
from django.urls import reverse

from accounts.mandates import mandate_revoke
from attestations import pdf
from attestations.services import attestations_sweep
from tests.accounts.factories import MandateFactory
from tests.attestations.factories import paris_agent, renewal
from tests.attestations.test_sweep import TODAY


@pytest.fixture
def receipt(reference_data, monkeypatch):
    monkeypatch.setattr(pdf, "attestation_pdf_render", lambda attestation: b"%PDF-1.7 test")
    application = renewal(paris_agent(), today=TODAY)
    attestations_sweep(today=TODAY)
    return application.attestations.get(kind="deposit_receipt")


@pytest.mark.django_db
def test_views_attestation_pdf_mandated_helper_downloads_it(client, receipt):
    mandate = MandateFactory(person=receipt.holder)
    client.force_login(mandate.helper)
    response = client.get(reverse("attestations_portal:pdf", args=[receipt.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    response.close()


@pytest.mark.django_db
def test_views_attestation_list_mandated_helper_sees_the_persons_attestations(client, receipt):
    mandate = MandateFactory(person=receipt.holder)
    client.force_login(mandate.helper)
    response = client.get(reverse("attestations_portal:list"))
    assert receipt.number in response.content.decode()


@pytest.mark.django_db
def test_views_attestation_pdf_helper_after_revocation_not_found(client, receipt):
    mandate = MandateFactory(person=receipt.holder)
    mandate_revoke(mandate=mandate, person=receipt.holder)
    client.force_login(mandate.helper)
    response = client.get(reverse("attestations_portal:pdf", args=[receipt.number]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_views_attestation_pdf_helper_without_mandate_not_found(client, receipt):
    other = MandateFactory()  # a helper, with a mandate from someone else
    client.force_login(other.helper)
    response = client.get(reverse("attestations_portal:pdf", args=[receipt.number]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_views_share_new_mandated_helper_not_found(client, receipt):
    mandate = MandateFactory(person=receipt.holder)
    client.force_login(mandate.helper)
    response = client.get(reverse("verify_share_new", args=[receipt.number]))
    assert response.status_code == 404
