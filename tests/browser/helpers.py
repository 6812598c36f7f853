"""What every browser test does: sign in, check a page with axe-core, keep a screenshot."""

from axe_playwright_python.sync_playwright import Axe

from anef.demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS

BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations of the page, one line each."""
    response = _axe.run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def check_page(page, name: str) -> None:
    """Keep a screenshot of what the person sees, then require no serious accessibility fault."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert serious_violations(page) == [], f"{name}: {page.url}"
    assert horizontal_overflow(page) == 0, f"{name}: {page.url} is wider than the screen"


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: nothing to scroll sideways). A
    right-to-left page with an element placed far to the left was 10,360 px wide on a phone."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
