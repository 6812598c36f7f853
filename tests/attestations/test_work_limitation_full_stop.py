"""Issue 18: « …peut être nécessaire.. » — the limits on work come from the catalogue as a whole
sentence, with its own full stop; no page, e-mail or PDF in French adds a second one after it.
(The templates that did were fixed at the source; these tests keep every place that shows the
limitation from doing it again.)"""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from attestations.pdf import attestation_pdf_html
from attestations.signing import verification_url
from tests.attestations.factories import issued_api

pytestmark = pytest.mark.django_db

LIMITATION = (
    "Travail salarié couvert par l'autorisation de travail. Pour un autre emploi ou un autre "
    "employeur, une nouvelle autorisation peut être nécessaire."
)
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


@pytest.fixture
def api(agent):
    return issued_api(agent, today=timezone.localdate(), work_limitation=LIMITATION)


def _states_the_limitation_once(text: str) -> bool:
    return "peut être nécessaire." in text and "nécessaire.." not in text


def test_work_limitation_portal_attestations_french_single_full_stop(client, api):
    assert api.rights["work_limitation"] == LIMITATION
    client.force_login(api.holder)
    page = client.get(reverse("attestations_portal:list"), **FRENCH).content.decode()
    assert _states_the_limitation_once(page)


def test_work_limitation_verification_page_french_single_full_stop(client, api):
    page = client.get(verification_url(api), **FRENCH).content.decode()
    assert _states_the_limitation_once(page)


def test_work_limitation_pdf_french_single_full_stop(api):
    with translation.override("fr"):
        assert _states_the_limitation_once(attestation_pdf_html(api))


def test_work_limitation_email_french_single_full_stop(api):
    with translation.override("fr"):
        body = render_to_string(
            "emails/attestation_issued.txt",
            {
                "name": "Amina",
                "attestations": [api],
                "portal_url": "https://example.org/",
                "contact_phone": "3400",
            },
        )
    assert _states_the_limitation_once(body)
