"""Issue 18: the dossier page folds what is done. A piece already given shows its files and its
upload form behind a <details> (no JavaScript needed); a piece still missing shows its form."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from applications.services import application_create, document_add
from reference.enums import ProcedureKind
from reference.models import DocumentType
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ground, pdf_upload


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def page(reference_data) -> str:
    applicant = ApplicantProfileFactory(postal_code="75011", city="Paris").user
    draft = application_create(
        applicant=applicant,
        ground=ground("parent_of_french_child"),
        kind=ProcedureKind.FIRST_APPLICATION,
        actor=applicant,
    )
    document_add(
        application=draft,
        document_type=DocumentType.objects.get(code="passport"),
        uploaded_file=pdf_upload("passport-scan.pdf"),
        actor=applicant,
    )
    client = Client(headers={"accept-language": "en"})
    client.force_login(applicant)
    return client.get(reverse("portal:application_detail", args=[draft.reference])).text


def piece(html: str, code: str) -> str:
    found = re.search(rf'<section[^>]*id="piece-{code}".*?</section>', html, re.DOTALL)
    assert found is not None
    return found.group(0)


def test_views_portal_given_piece_files_are_folded(page):
    folded = piece(page, "passport")
    details = re.findall(r"<details.*?</details>", folded, re.DOTALL)
    assert any("passport-scan.pdf" in block for block in details)
    assert any('id="id_passport_files"' in block for block in details)


def test_views_portal_missing_piece_form_is_shown_unfolded(page):
    codes = re.findall(r'id="piece-([a-z_]+)"', page)
    missing = next(code for code in codes if code != "passport")
    assert "<details" not in piece(page, missing)
    assert f'id="id_{missing}_files"' in piece(page, missing)
