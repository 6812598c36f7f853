"""The public, applicant and helper pages, checked at phone width in French, English and Arabic
(right to left): axe-core (issue 7: zero serious or critical violation, each page in its
language) and nothing out of its box or of the window (issue 18: the mandates table)."""

import pytest
from django.urls import reverse

from anef.demo import DEMO_DOMAIN
from substitution.models import Desk
from tests.browser.conftest import DESKTOP
from tests.browser.helpers import check_page, sign_in

pytestmark = [pytest.mark.browser]

PUBLIC = {
    "home": "home",
    "sign-in": "account_login",
    "contact-form": "support_public:contact",
    "api-docs": "api-docs",
}
APPLICANT = {
    "my-tickets": "support_portal:list",
    "new-ticket": "support_portal:new",
    "my-helpers": "mandates:mine",
    "appointments": "substitution_portal:home",
    "consultations": "personal_data_consultations",
}
HELPER = {"people-i-help": "mandates:helping"}
LANGUAGES = ["fr", "en", "ar"]


def visit(page, base: str, pages: dict[str, str], language: str) -> None:
    for name, route in pages.items():
        response = page.goto(base + reverse(route))
        assert response.status == 200, route
        assert page.locator("html").get_attribute("lang") == language
        if language == "ar":
            assert page.locator("html").get_attribute("dir") == "rtl"
        check_page(page, f"{name}-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_public_and_applicant_pages_in_each_language(demo, open_page, language):
    page = open_page(language)
    visit(page, demo, PUBLIC, language)
    sign_in(page, demo, f"amina.diallo@{DEMO_DOMAIN}")
    visit(page, demo, APPLICANT, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_helper_pages_in_each_language(demo, open_page, language):
    page = open_page(language)
    sign_in(page, demo, f"claire.martin@{DEMO_DOMAIN}")
    visit(page, demo, HELPER, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_substitution_desk_day_in_each_language(demo, open_page, language):
    """The appointments of a desk's day, as an agent of Seine-Saint-Denis prints it."""
    page = open_page(language, DESKTOP)
    sign_in(page, demo, f"agent.seine-saint-denis@{DEMO_DOMAIN}")
    desk = Desk.objects.filter(prefecture__departement_code="93").first()
    page.goto(demo + reverse("substitution_backoffice:desk_day", args=[desk.pk]))
    check_page(page, f"desk-day-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_api_explorer_in_each_language(demo, open_page, language):
    """Swagger UI (third party, English whatever the reader's language): declared English, no
    link inside a button, contrast darkened (issue 18: axe found html-has-lang, 50
    nested-interactive and 54 color-contrast nodes)."""
    page = open_page(language)
    page.goto(demo + reverse("api-docs-explorer"))
    page.locator("#swagger-ui .opblock-summary-control").first.wait_for(state="visible")
    assert page.locator("html").get_attribute("lang") == "en"
    check_page(page, f"api-explorer-{language}")
