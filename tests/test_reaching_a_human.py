"""Issue 18: "I cannot use this website" is in sight on the home page and wherever something
went wrong (the error pages, a refused form, a refused upload), leading to the contact form
(no account) and to an appointment; and a refused form opens with one error summary that links
to each field in error."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from anef.views import server_error
from applications.services import application_create
from reference.enums import ProcedureKind
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ground

CANNOT_USE = 'data-anef="cannot-use-website"'


def assert_offers_a_person(html: str) -> None:
    block = html[html.index(CANNOT_USE) :]
    assert f'href="{reverse("support_public:contact")}"' in block
    assert f'href="{reverse("substitution_public:help_request")}"' in block


def error_summary(html: str) -> str:
    found = re.search(r'<div class="[^"]*anef-error-summary".*?</ul>', html, re.DOTALL)
    assert found is not None, "no error summary"
    return found.group(0)


@pytest.fixture
def english() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def applicant(reference_data):
    return ApplicantProfileFactory(postal_code="75011", city="Paris").user


def test_reaching_a_human_home_page_offers_a_person(reference_data, english):
    assert_offers_a_person(english.get(reverse("home")).text)


def test_reaching_a_human_404_page_offers_a_person(reference_data, english):
    response = english.get("/no-such-page/")
    assert response.status_code == 404
    assert_offers_a_person(response.text)


def test_reaching_a_human_400_page_offers_a_person(reference_data, english):
    response = english.get("/?q=%00")
    assert response.status_code == 400
    assert_offers_a_person(response.text)


def test_reaching_a_human_403_page_offers_a_person(applicant):
    client = Client(headers={"accept-language": "en"})
    client.force_login(applicant)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text
    assert_offers_a_person(response.text)


def test_reaching_a_human_500_page_offers_a_person(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert_offers_a_person(response.content.decode())


def test_reaching_a_human_contact_form_errors_summarised_with_links(reference_data, english):
    response = english.post(reverse("support_public:contact"), {"category": "other"})
    summary = error_summary(response.text)
    assert 'role="alert"' in summary
    assert "autofocus" in summary
    assert "There is a problem" in summary
    assert 'href="#id_name"' in summary
    assert 'href="#id_message"' in summary
    assert "Enter your name" in summary
    assert_offers_a_person(response.text)


def test_reaching_a_human_contact_form_whole_form_error_is_in_the_summary(reference_data, english):
    data = {"name": "Awa Ndiaye", "category": "other", "message": "I cannot upload."}
    summary = error_summary(english.post(reverse("support_public:contact"), data).text)
    assert "Give an e-mail address or a phone number" in summary


def test_reaching_a_human_sign_in_error_is_summarised(reference_data, english):
    response = english.post(reverse("account_login"), {"login": "nobody@example.org"})
    summary = error_summary(response.text)
    assert 'href="#id_password"' in summary


def test_reaching_a_human_refused_upload_is_summarised_and_offers_a_person(
    applicant, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    draft = application_create(
        applicant=applicant,
        ground=ground("parent_of_french_child"),
        kind=ProcedureKind.FIRST_APPLICATION,
        actor=applicant,
    )
    client = Client(headers={"accept-language": "en"})
    client.force_login(applicant)
    url = reverse("portal:document_upload", args=[draft.reference, "passport"])
    response = client.post(url, {})
    summary = error_summary(response.text)
    assert 'href="#id_passport_files"' in summary
    assert "Choose at least one file" in summary
    assert_offers_a_person(response.text)
