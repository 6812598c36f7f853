"""The attestation states its rights in the holder's own language too, where we have it."""

import pytest
from django.utils.html import escape

from attestations import pdf
from attestations.services import attestations_sweep
from tests.attestations.factories import api_due_day, paris_agent, renewal
from tests.attestations.test_sweep import TODAY


@pytest.fixture
def api_of(reference_data):
    def make(language: str):
        application = renewal(paris_agent(), today=TODAY)
        holder = application.applicant
        holder.preferred_language = language
        holder.save(update_fields=["preferred_language"])
        attestations_sweep(today=api_due_day(application))
        return application.attestations.get(kind="api")

    return make


@pytest.mark.django_db
def test_pdf_arabic_reader_gets_title_rights_and_legal_text_in_arabic(api_of):
    html = pdf.attestation_pdf_html(api_of("ar"))
    assert 'lang="ar" dir="rtl"' in html
    assert "شهادة تمديد دراسة طلب تصريح الإقامة" in html
    assert "الإقامة القانونية في فرنسا" in html
    # The permit's limitation is quoted as written, inside the Arabic sentence.
    assert escape("نعم، ضمن الحدود التالية: Salarié, dans la profession autorisée") in html
    assert "R. 431-15-1" in html.split('dir="rtl"', 2)[2]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_pdf_french_or_english_reader_gets_no_third_language(api_of, language):
    assert 'dir="rtl"' not in pdf.attestation_pdf_html(api_of(language))


@pytest.mark.django_db
def test_pdf_arabic_text_renders_to_a_pdf(api_of, settings, tmp_path):
    content = pdf.attestation_pdf_render(api_of("ar"))
    assert content.startswith(b"%PDF-")
    assert len(content) > 10_000


def test_pdf_third_language_has_a_title_for_every_kind():
    from attestations.enums import AttestationKind

    for texts in pdf.THIRD_LANGUAGES.values():
        assert set(texts["titles"]) == set(AttestationKind.values)
        assert all(texts["titles"].values())
