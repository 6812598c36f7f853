import pytest

from applications.rules import sniff_document_type
from tests.applications.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF_BYTES, "application/pdf"),
        (b"\xef\xbb\xbf%PDF-1.7\n", "application/pdf"),  # a few bytes before the header
        (PNG_BYTES, "image/png"),
        (JPEG_BYTES, "image/jpeg"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),  # a Windows executable
        (b"\x7fELF\x02\x01\x01", None),  # a Linux executable
        (b"<html><script>alert(1)</script>", None),
        (b"GIF89a", None),
        (b"", None),
        (b"PK\x03\x04", None),  # a zip / docx
    ],
)
def test_rules_sniff_document_type_reads_bytes_not_names(head, expected):
    assert sniff_document_type(head) == expected


def test_rules_sniff_pdf_header_beyond_1024_bytes_is_refused():
    assert sniff_document_type(b"\x00" * 1024 + b"%PDF-1.4") is None
