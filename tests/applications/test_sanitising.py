"""Uploads are rewritten before they are stored: no script or attachment in a PDF, no metadata
in a photo; a file that cannot be read is refused with a message that says what to do."""

import io

import pikepdf
import pytest
from django.utils import translation
from PIL import Image

from anef.errors import DomainError
from anef.uploads import UnreadableFile
from anef.uploads import clean as sanitise
from applications import services
from reference.models import DocumentType
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, pdf_upload
from tests.applications.helpers import started


def pdf_with(**root_entries) -> bytes:
    output = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        for key, value in root_entries.items():
            pdf.Root[f"/{key}"] = pdf.make_indirect(value)
        pdf.save(output)
    return output.getvalue()


def javascript(code: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def reopened(content: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(content))


def test_sanitise_pdf_removes_the_script_run_on_opening():
    cleaned = sanitise(pdf_with(OpenAction=javascript("app.alert(1)")), "application/pdf")
    with reopened(cleaned) as pdf:
        assert "/OpenAction" not in pdf.Root
    assert b"app.alert" not in cleaned


def test_sanitise_pdf_removes_document_scripts_and_embedded_files():
    names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), javascript("x")])),
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array()),
    )
    cleaned = sanitise(pdf_with(Names=names), "application/pdf")
    with reopened(cleaned) as pdf:
        assert "/JavaScript" not in pdf.Root.Names
        assert "/EmbeddedFiles" not in pdf.Root.Names


def test_sanitise_pdf_removes_page_actions_and_attached_files():
    output = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        page = pdf.pages[0].obj
        page.AA = pikepdf.Dictionary(O=javascript("open"))
        page.Annots = pdf.make_indirect(
            pikepdf.Array(
                [
                    pikepdf.Dictionary(Subtype=pikepdf.Name.FileAttachment),
                    pikepdf.Dictionary(Subtype=pikepdf.Name.Link, A=javascript("click")),
                ]
            )
        )
        pdf.save(output)
    with reopened(sanitise(output.getvalue(), "application/pdf")) as pdf:
        page = pdf.pages[0].obj
        assert "/AA" not in page
        assert [str(annotation.Subtype) for annotation in page.Annots] == ["/Link"]
        assert "/A" not in page.Annots[0]


def test_sanitise_pdf_keeps_a_plain_document_readable():
    with reopened(sanitise(PDF_BYTES, "application/pdf")) as pdf:
        assert len(pdf.pages) == 1


def test_sanitise_pdf_refuses_a_password_protected_file():
    output = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(output, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(UnreadableFile) as refused:
        sanitise(output.getvalue(), "application/pdf")
    assert refused.value.reason == "password"


@pytest.mark.parametrize("content", [b"%PDF-1.7 not really", b"%PDF-1.4\n" + b"\x00" * 100])
def test_sanitise_pdf_refuses_a_damaged_file(content):
    with pytest.raises(UnreadableFile) as refused:
        sanitise(content, "application/pdf")
    assert refused.value.reason == "damaged"


def test_sanitise_jpeg_drops_location_and_keeps_the_photo_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated 90°
    exif[0x8825] = {2: (48.0, 51.0, 0.0)}  # GPS latitude
    output = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(output, "JPEG", exif=exif)
    cleaned = sanitise(output.getvalue(), "image/jpeg")
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (20, 40)  # the rotation was applied
        assert not image.getexif()
        assert "exif" not in image.info


def test_sanitise_png_drops_text_metadata():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "someone@example.org")
    output = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(output, "PNG", pnginfo=info)
    cleaned = sanitise(output.getvalue(), "image/png")
    assert b"someone@example.org" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.mode == "RGBA"


@pytest.mark.parametrize(
    ("content", "kind"), [(PNG_BYTES, "image/png"), (JPEG_BYTES, "image/jpeg")]
)
def test_sanitise_image_keeps_a_valid_picture(content, kind):
    with Image.open(io.BytesIO(sanitise(content, kind))) as image:
        assert image.size == (8, 8)


def test_sanitise_image_refuses_a_damaged_picture():
    with pytest.raises(UnreadableFile) as refused:
        sanitise(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    assert refused.value.reason == "damaged"


def test_sanitise_image_refuses_a_picture_too_big_to_decode(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 63
    with pytest.raises(UnreadableFile) as refused:
        sanitise(PNG_BYTES, "image/png")
    assert refused.value.reason == "too_large"


@pytest.mark.django_db
def test_service_document_add_stores_the_cleaned_file(reference_data):
    application = started(ApplicantProfileFactory(postal_code="75011"))
    content = pdf_with(OpenAction=javascript("app.alert(1)"))
    document = services.document_add(
        application=application,
        document_type=DocumentType.objects.get(code="passport"),
        uploaded_file=pdf_upload(content=content),
        actor=application.applicant,
    )
    with document.file.open("rb") as handle:
        stored = handle.read()
    assert b"app.alert" not in stored
    assert document.size == len(stored)


@pytest.mark.django_db
def test_service_document_add_refuses_an_unreadable_file_with_what_to_do(reference_data):
    application = started(ApplicantProfileFactory(postal_code="75011"))
    # The message is worded in the active language: read it in English, whatever ran before.
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.document_add(
            application=application,
            document_type=DocumentType.objects.get(code="passport"),
            uploaded_file=pdf_upload(content=b"%PDF-1.7 broken"),
            actor=application.applicant,
        )
    assert refused.value.code == "file_unreadable"
    assert "Scan or photograph the document again" in str(refused.value.message)
