"""DESIGN.md §7 scenarios clicked through in a real Chromium, in French, English and Arabic
(right to left), at phone width (the staff's pages at office width): what a person sees, checked
with axe-core (no serious or critical violation) in each of the three languages."""

import pytest
from django.urls import reverse

from anef.demo import DEMO_DOMAIN
from attestations.models import Attestation
from attestations.signing import verification_url
from tests.browser.conftest import DESKTOP
from tests.browser.helpers import check_page, sign_in

pytestmark = [pytest.mark.browser]
LANGUAGES = ["fr", "en", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_scenario_1_renewal_api_is_there_with_its_pdf(demo, open_page, language):
    """Amina's card ends in ten days: without asking, she finds her API and downloads it."""
    page = open_page(language)
    sign_in(page, demo, f"amina.diallo@{DEMO_DOMAIN}")
    assert page.url.endswith(reverse("portal:home"))
    check_page(page, f"portal-home-{language}")

    page.click(f"a[href='{reverse('attestations_portal:list')}']")
    check_page(page, f"attestations-{language}")
    api = Attestation.objects.get(holder__email=f"amina.diallo@{DEMO_DOMAIN}", kind="api")
    pdf_link = page.locator(f"a[href='{reverse('attestations_portal:pdf', args=[api.number])}']")
    with page.expect_download() as download:
        pdf_link.first.click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    page.goto(demo + reverse("portal:application_detail", args=[api.application.reference]))
    check_page(page, f"dossier-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_scenario_8_employer_scans_the_qr_code(demo, open_page, language):
    """An employer, with no account, opens the QR code's address on a phone."""
    api = Attestation.objects.get(holder__email=f"amina.diallo@{DEMO_DOMAIN}", kind="api")
    page = open_page(language)
    page.goto(verification_url(api))
    text = page.inner_text("main")
    assert api.holder_snapshot["last_name"].upper() in text.upper()
    check_page(page, f"verification-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_back_office_queue_and_dossier(demo, open_page, language):
    page = open_page(language, DESKTOP)
    sign_in(page, demo, f"agent.paris@{DEMO_DOMAIN}")
    page.goto(demo + reverse("backoffice:home"))
    check_page(page, f"backoffice-queue-{language}")
    page.locator("main table a").first.click()
    check_page(page, f"backoffice-dossier-{language}")
    # What the folds hold (a file's rejection form, the other forms) fits once unfolded too.
    page.evaluate("document.querySelectorAll('main details').forEach((d) => { d.open = true; })")
    check_page(page, f"backoffice-dossier-unfolded-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_back_office_queue_fits_a_1366_screen(demo, open_page, language):
    """Issue 18: on a common office screen the queue's columns (error reports, end of the
    permit held) are all in sight, without scrolling the table sideways."""
    page = open_page(language, {"width": 1366, "height": 768})
    sign_in(page, demo, f"agent.paris@{DEMO_DOMAIN}")
    page.goto(demo + reverse("backoffice:home"))
    assert page.locator("main table tbody tr").count() > 0
    sideways = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
                'main .fr-table, main .fr-table [class*="fr-table__"]')]
            .map((element) => element.scrollWidth - element.clientWidth))"""
    )
    assert sideways <= 0
    assert page.locator("nav.anef-staff-nav a[aria-current=page]").count() == 1
    check_page(page, f"backoffice-queue-1366-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_contact_centre_console(demo, open_page, language):
    page = open_page(language, DESKTOP)
    sign_in(page, demo, f"contact@{DEMO_DOMAIN}")
    page.goto(demo + reverse("support_console:home"))
    check_page(page, f"support-console-{language}")
