"""The attestation as a PDF: what it states, how it is rendered and stored.

A WeasyPrint render takes a few tenths of a second: the layout tests (one page, the QR code
readable at 80 dpi, PDF/UA) render for real; the others check the HTML it is made from, or replace
the renderer.
"""

import datetime
import io
import logging
import shutil
import subprocess

import pikepdf
import pytest
import time_machine
import zxingcpp
from django.core.files.storage import default_storage
from django.utils.html import escape
from PIL import Image

from applications import services as dossier
from attestations import pdf, signing
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.services import (
    BENEFITS_SENTENCE,
    DEPOSIT_SENTENCE,
    attestations_sweep,
    attestations_sync_application,
)
from tests.accounts.factories import ApplicantProfileFactory
from tests.attestations.factories import LIMITATION, paris_agent, renewal

TODAY = datetime.date.today()
VERIFY_URL = "https://anef.example/verify/NUMBER?t=ANEF1.test"
SIGNED_VERIFICATION_URL = signing.verification_url  # the real one, before the fixture fakes it
SCAN_DPI = 80


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
    assert "data:image/png;base64," in html  # the QR code, embedded
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

        def write_pdf(self, stylesheets, **options):
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


# --- Layout: one page, the headline box, the QR code readable at 80 dpi -------------------------


@pytest.fixture
def signed(monkeypatch):
    """The real signed verification URL in the QR code."""
    monkeypatch.setattr(signing, "verification_url", SIGNED_VERIFICATION_URL)


@pytest.fixture
def adf(api) -> Attestation:
    """The ADF of the same renewal, decided favourably 40 days into the API."""
    decided = api.valid_from + datetime.timedelta(days=40)
    noon = datetime.datetime.combine(decided, datetime.time(12), tzinfo=datetime.UTC)
    with time_machine.travel(noon, tick=False):
        dossier.application_decide_favourable(application=api.application, actor=paris_agent())
    attestations_sync_application(application_id=api.application_id, today=decided)
    return Attestation.objects.select_related(
        "application__renews_permit", "ground", "prefecture"
    ).get(application=api.application, kind=AttestationKind.ADF)


@pytest.fixture(params=["api", "adf", "deposit_receipt", "api_for_an_arabic_reader"])
def document(request) -> Attestation:
    """Each kind a person prints, and the longest one: an API with its rights in Arabic too."""
    if request.param == "adf":
        return request.getfixturevalue("adf")
    api = request.getfixturevalue("api")
    if request.param == "deposit_receipt":
        return Attestation.objects.get(
            application=api.application, kind=AttestationKind.DEPOSIT_RECEIPT
        )
    if request.param == "api_for_an_arabic_reader":
        api.holder.preferred_language = "ar"
        api.holder.save(update_fields=["preferred_language"])
    return api


def _placed_images(page: pikepdf.Page) -> list[tuple[pikepdf.PdfImage, float, float]]:
    """Every image drawn on the page with its drawn width and height in points, from the
    transformation matrix in force where the content stream draws it."""
    images = page.Resources.get("/XObject", {})
    ctm, stack, placed = pikepdf.Matrix(), [], []
    for instruction in pikepdf.parse_content_stream(page):
        operator = str(instruction.operator)
        if operator == "q":
            stack.append(ctm)
        elif operator == "Q":
            ctm = stack.pop()
        elif operator == "cm":
            ctm = pikepdf.Matrix(*[float(x) for x in instruction.operands]) @ ctm
        elif operator == "Do":
            xobject = images.get(instruction.operands[0])
            if xobject is not None and xobject.get("/Subtype") == "/Image":
                width = (ctm.a**2 + ctm.b**2) ** 0.5
                height = (ctm.c**2 + ctm.d**2) ** 0.5
                placed.append((pikepdf.PdfImage(xobject), width, height))
    return placed


def _scanned_at(image: pikepdf.PdfImage, width_pt: float, height_pt: float, dpi: int):
    """The image as a scan at `dpi` would see it: each pixel the average of what it covers."""
    size = (round(width_pt / 72 * dpi), round(height_pt / 72 * dpi))
    scan = image.as_pil_image().convert("L").resize(size, Image.Resampling.BOX)
    page = Image.new("L", (size[0] + 20, size[1] + 20), 255)
    page.paste(scan, (10, 10))
    return page


@pytest.mark.django_db
def test_pdf_render_each_kind_fits_on_one_page(document):
    content = pdf.attestation_pdf_render(document)
    with pikepdf.open(io.BytesIO(content)) as rendered:
        assert len(rendered.pages) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["api", "adf"])
def test_pdf_render_qr_on_page_one_read_at_80_dpi_gives_the_signed_url(kind, request, signed):
    """Read from the image as the page places it, scaled to 80 dpi (no PDF rasterizer in the
    virtualenv: the next test rasterizes the whole page where poppler is installed)."""
    attestation = request.getfixturevalue(kind)
    content = pdf.attestation_pdf_render(attestation)
    with pikepdf.open(io.BytesIO(content)) as rendered:
        placed = _placed_images(rendered.pages[0])
        assert len(placed) == 1
        scan = _scanned_at(*placed[0], dpi=SCAN_DPI)
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(scan)]
    assert decoded == [signing.verification_url(attestation)]


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm not installed")
def test_pdf_render_page_one_rasterized_at_80_dpi_shows_the_signed_url(api, signed, tmp_path):
    path = tmp_path / "attestation.pdf"
    path.write_bytes(pdf.attestation_pdf_render(api))
    png = subprocess.run(
        ["pdftoppm", "-r", str(SCAN_DPI), "-f", "1", "-l", "1", "-png", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    page = Image.open(io.BytesIO(png))
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(page)]
    assert decoded == [signing.verification_url(api)]


@pytest.mark.django_db
def test_pdf_render_is_tagged_and_declares_pdf_ua_1(api):
    content = pdf.attestation_pdf_render(api)
    with pikepdf.open(io.BytesIO(content)) as rendered:
        assert rendered.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in rendered.Root
        assert rendered.Root.Lang == "fr"
        with rendered.open_metadata() as metadata:
            assert metadata.get("pdfuaid:part") == "1"


def _headline_box(html: str) -> str:
    return html.split('<section class="headline">', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
def test_pdf_html_api_headline_box_states_validity_stay_and_work_limits(api):
    box = _headline_box(pdf.attestation_pdf_html(api))
    until = pdf._date(api.valid_until, "fr")
    for text in (
        f"Valable du {pdf._date(api.valid_from, 'fr')} au {until} inclus.",
        f"Valid from {pdf._date(api.valid_from, 'en')} to {pdf._date(api.valid_until, 'en')}",
        "Peut séjourner en France",
        "May stay in France",
        "Peut travailler",
        "oui, dans les limites suivantes : " + LIMITATION,
        "yes, within these limits: " + LIMITATION,
    ):
        assert escape(text) in box, text
    assert 'class="qr"' in box


@pytest.mark.django_db
def test_pdf_html_deposit_receipt_headline_box_proves_neither_stay_nor_work(api):
    receipt = Attestation.objects.get(
        application=api.application, kind=AttestationKind.DEPOSIT_RECEIPT
    )
    box = _headline_box(pdf.attestation_pdf_html(receipt))
    assert escape("non prouvé par cette attestation à elle seule") in box
    assert escape("non prouvé par cette attestation") + "<" in box
    assert ">oui<" not in box
