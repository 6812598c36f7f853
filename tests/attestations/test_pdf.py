"""The attestation as a PDF: what it states, how it is rendered and stored.

A WeasyPrint render takes a few tenths of a second: only one test here renders for real; the
others check the HTML it is made from, or replace the renderer.
"""

import datetime
import logging

import pytest
from django.core.files.storage import default_storage
from django.utils.html import escape

from attestations import pdf, signing
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.services import BENEFITS_SENTENCE, DEPOSIT_SENTENCE, attestations_sweep
from tests.accounts.factories import ApplicantProfileFactory
from tests.attestations.factories import LIMITATION, paris_agent, renewal

TODAY = datetime.date.today()
VERIFY_URL = "https://anef.example/verify/NUMBER?t=ANEF1.test"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, monkeypatch):
    """Files in a directory of this test; a fixed verification URL (the verify page is another
    module's concern)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    monkeypatch.setattr(signing, "verification_url", lambda attestation: VERIFY_URL)


@pytest.fixture
def api(reference_data) -> Attestation:
    """The API of a salaried worker whose renewal was complete in time (her card, with a
    limited right to work, expires in 70 days), as issued on the card's last day at the latest."""
    profile = ApplicantProfileFactory(
        postal_code="75011",
        foreigner_number=None,
        user__first_name="Amina",
        user__last_name="Benali",
    )
    application = renewal(paris_agent(), today=TODAY, holder=profile.user)
    attestations_sweep(today=application.renews_permit.valid_until)
    return Attestation.objects.select_related(
        "application__renews_permit", "ground", "prefecture"
    ).get(application=application, kind=AttestationKind.API)


def fake_render(attestation) -> bytes:
    return b"%PDF-1.7 " + attestation.number.encode() + b" " + b"x" * 2048


@pytest.mark.django_db
def test_pdf_html_api_states_title_holder_validity_and_rights_in_french_and_english(api):
    html = pdf.attestation_pdf_html(api)
    for text in (
        "Attestation de prolongation de l'instruction d'une demande de titre de séjour",
        "Attestation of extended examination of a residence permit application",
        api.number,
        "BENALI Amina",
        "oui, dans les limites suivantes : " + LIMITATION,
        "yes, within these limits: " + LIMITATION,
        BENEFITS_SENTENCE["fr"],
        BENEFITS_SENTENCE["en"],
        f"Elle accompagne le titre de séjour n° {api.application.renews_permit.number}",
        api.prefecture.name,
        "https://anef.example/verify/NUMBER",
    ):
        assert escape(text) in html, text
    assert "data:image/svg+xml;base64," in html  # the QR code, embedded
    assert "Numéro étranger" not in html  # none yet: not printed


@pytest.mark.django_db
def test_pdf_html_deposit_receipt_says_it_does_not_prove_the_stay(api):
    receipt = Attestation.objects.get(
        application=api.application, kind=AttestationKind.DEPOSIT_RECEIPT
    )
    html = pdf.attestation_pdf_html(receipt)
    assert escape("Attestation de dépôt") in html
    assert escape("non prouvé par cette attestation à elle seule") in html
    assert escape(DEPOSIT_SENTENCE["fr"]) in html
    assert escape(DEPOSIT_SENTENCE["en"]) in html


@pytest.mark.django_db
def test_pdf_render_attestation_is_a_pdf(api):
    content = pdf.attestation_pdf_render(api)
    assert content.startswith(b"%PDF")
    assert len(content) > 1024


@pytest.mark.django_db
def test_pdf_render_stylesheet_is_parsed_once_per_process(api, monkeypatch):
    parsed, used = [], []
    real_css = pdf.CSS

    def counting_css(*args, **kwargs):
        parsed.append(kwargs)
        return real_css(*args, **kwargs)

    class FakeHTML:
        def __init__(self, **kwargs):
            pass

        def write_pdf(self, stylesheets):
            used.extend(stylesheets)
            return b"%PDF-fake"

    monkeypatch.setattr(pdf, "CSS", counting_css)
    monkeypatch.setattr(pdf, "HTML", FakeHTML)
    pdf.print_stylesheet.cache_clear()
    try:
        pdf.attestation_pdf_render(api)
        pdf.attestation_pdf_render(api)
    finally:
        pdf.print_stylesheet.cache_clear()
    assert len(parsed) == 1
    assert len(used) == 2 and used[0] is used[1]


@pytest.mark.django_db
def test_pdf_store_twice_keeps_one_file_at_the_deterministic_key(api, monkeypatch):
    renders = []
    monkeypatch.setattr(
        pdf,
        "attestation_pdf_render",
        lambda attestation: renders.append(1) or fake_render(attestation),
    )
    assert pdf.attestation_pdf_store(api.pk) is True
    assert pdf.attestation_pdf_store(api.pk, force=True) is True
    api.refresh_from_db()
    assert api.pdf.name == f"attestations/{api.number}.pdf"
    assert default_storage.listdir("attestations")[1] == [f"{api.number}.pdf"]
    assert api.pdf_rendered_at is not None
    assert len(renders) == 2


@pytest.mark.django_db
def test_pdf_store_leaves_an_up_to_date_pdf_alone(api, monkeypatch):
    monkeypatch.setattr(pdf, "attestation_pdf_render", fake_render)
    pdf.attestation_pdf_store(api.pk)
    rendered_at = Attestation.objects.get(pk=api.pk).pdf_rendered_at
    assert pdf.attestation_pdf_store(api.pk) is False
    assert Attestation.objects.get(pk=api.pk).pdf_rendered_at == rendered_at


@pytest.mark.django_db
def test_pdf_store_gone_attestation_does_nothing(reference_data):
    assert pdf.attestation_pdf_store(999_999) is False


@pytest.mark.django_db
def test_pdf_render_missing_renders_each_pending_attestation_once(api, monkeypatch):
    monkeypatch.setattr(pdf, "attestation_pdf_render", fake_render)
    assert pdf.attestation_pdfs_render_missing(batch_size=1) == 2  # the receipt and the API
    assert pdf.attestation_pdfs_render_missing() == 0
    assert not Attestation.objects.filter(pdf_rendered_at__isnull=True).exists()


@pytest.mark.django_db
def test_pdf_render_missing_logs_a_failure_and_renders_the_others(api, monkeypatch, caplog):
    def render(attestation):
        if attestation.kind == AttestationKind.API:
            raise ValueError("broken")
        return fake_render(attestation)

    monkeypatch.setattr(pdf, "attestation_pdf_render", render)
    with caplog.at_level(logging.ERROR, logger="attestations.pdf"):
        assert pdf.attestation_pdfs_render_missing() == 1
    assert str(api.pk) in caplog.text
    api.refresh_from_db()
    assert api.pdf_rendered_at is None  # tried again at the next run
