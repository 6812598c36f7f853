"""The Content-Security-Policy in a real Chromium (issue 8): pages of each console load with no
violation reported by the browser — DSFR, the upload progress script, the print buttons and the
API documentation all come from files of this site."""

import pytest
from django.urls import reverse

from anef.demo import DEMO_DOMAIN
from applications.models import Application
from substitution.models import Desk
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser]

# Recorded by the page itself, before any of its scripts runs.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def violations_on(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    return page.evaluate("window.__cspViolations")


def listening_page(open_page):
    page = open_page("fr")
    page.add_init_script(LISTEN)
    return page


def test_csp_browser_public_and_applicant_pages_load_without_violation(demo, open_page):
    page = listening_page(open_page)
    found = {}
    for path in ("/", reverse("support_public:contact"), reverse("api-docs-explorer")):
        found[path] = violations_on(page, demo + path)
    email = f"amina.diallo@{DEMO_DOMAIN}"
    sign_in(page, demo, email)
    application = Application.objects.filter(applicant__email=email).first()
    for path in (
        reverse("portal:home"),
        reverse("portal:application_detail", args=[application.reference]),
    ):
        found[path] = violations_on(page, demo + path)
    assert found == {path: [] for path in found}
    # The Swagger UI really started (its start script is a file, not inline code).
    page.goto(demo + reverse("api-docs-explorer"))
    page.locator("#swagger-ui .information-container").first.wait_for(state="visible")
    assert page.evaluate("window.__cspViolations") == []


def test_csp_browser_agent_pages_load_and_print_button_works(demo, open_page):
    page = listening_page(open_page)
    sign_in(page, demo, f"agent.seine-saint-denis@{DEMO_DOMAIN}")
    desk = Desk.objects.filter(prefecture__departement_code="93").first()
    found = {}
    for path in (
        reverse("backoffice:home"),
        reverse("substitution_backoffice:desk_day", args=[desk.pk]),
    ):
        found[path] = violations_on(page, demo + path)
    assert found == {path: [] for path in found}
    # The print button is shown by print.js (hidden without JavaScript) and calls print().
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator("[data-anef-print]").click()
    assert page.evaluate("window.__printed") is True


def test_csp_browser_contact_centre_console_loads_without_violation(demo, open_page):
    page = listening_page(open_page)
    sign_in(page, demo, f"contact@{DEMO_DOMAIN}")
    assert violations_on(page, demo + reverse("support_console:home")) == []
