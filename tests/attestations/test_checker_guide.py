"""The checker's guide (issue 21): public, in French, English and Arabic, printable, and linked
from the verification pages, the share-code pages and the attestation's PDF."""

import pytest
from django.urls import reverse

from attestations.pdf import attestation_pdf_html
from tests.attestations.factories import issued_api
from tests.attestations.test_verification import ENGLISH, today

pytestmark = pytest.mark.django_db


def test_guide_public_without_account_states_the_texts(client):
    response = client.get(reverse("verify_guide"), headers=ENGLISH)
    text = response.text
    assert response.status_code == 200
    for source in ("R. 431-15-1", "502860", "L. 5221-8"):
        assert source in text
    assert "is such an authorisation for what it states" in text
    assert "A deposit receipt alone does not" in text


def test_guide_contact_route_for_checkers_with_answer_delay(client, settings):
    settings.SUPPORT_FIRST_RESPONSE_WORKING_DAYS = 3
    response = client.get(reverse("verify_guide"), headers=ENGLISH)
    assert "We answer within 3 working days" in response.text
    assert "We never disclose anything else about the person" in response.text
    assert "category=checker" in response.text


def test_guide_contact_form_preselects_checker_category(client):
    response = client.get(reverse("support_public:contact") + "?category=checker")
    assert 'value="checker" selected' in response.text


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("en", "ltr"), ("ar", "rtl")])
def test_guide_in_each_language_with_its_direction(client, language, direction):
    response = client.get(reverse("verify_guide"), headers={"accept-language": language})
    assert f'lang="{language}"' in response.text
    assert f'dir="{direction}"' in response.text


def test_guide_print_version_is_bare_page_with_print_stylesheet(client):
    response = client.get(reverse("verify_guide_print"), headers=ENGLISH)
    assert response.status_code == 200
    assert "guide.css" in response.text
    assert "fr-header" not in response.text
    assert "L. 5221-8" in response.text


def test_guide_linked_from_verify_form(client):
    response = client.get(reverse("verify_form"))
    assert reverse("verify_guide") in response.text


def test_guide_linked_from_share_code_page(client):
    response = client.get(reverse("verify_share_enter"))
    assert reverse("verify_guide") in response.text


def test_guide_linked_from_verification_result(client, agent):
    attestation = issued_api(agent, today=today())
    response = client.get(reverse("verify", args=[attestation.number]))
    assert reverse("verify_guide") in response.text


def test_guide_short_url_printed_near_the_qr_code(agent, settings):
    settings.SITE_URL = "https://anef.example"
    html = attestation_pdf_html(issued_api(agent, today=today()))
    qr_box = html.split('class="headline__qr"', 1)[1].split('class="headline__facts"', 1)[0]
    assert "anef.example/verify/guide/" in qr_box
    assert "https://anef.example/verify/guide/" not in qr_box  # short: no scheme
