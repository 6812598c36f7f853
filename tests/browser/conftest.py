"""Browser tests (issue 7): a real headless Chromium — Debian's `chromium` package, never a
browser download — driven by Playwright against a live server of the portal, with axe-core run
in every page. Screenshots of what a person sees go to `var/screenshots/` (ignored by git).

Locally they are skipped when Chromium is missing (`apt-get install chromium`); in CI
(`ANEF_REQUIRE_BROWSER=1`, set by `.ci/run`) a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

# Playwright's synchronous API keeps an event loop in this thread; Django refuses database
# calls from a thread with an event loop unless told the calls are in fact synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("ANEF_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("ANEF_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, settings, live_server):
    """The demo data of `make run` (DESIGN.md §7's people), served by a live server."""
    from django.core.management import call_command

    from applications.reference_data.loader import reference_data_load

    settings.SITE_URL = live_server.url
    reference_data_load()
    call_command("seed_demo", verbosity=0)
    return live_server.url


@pytest.fixture
def open_page(chromium):
    """`open_page(language, viewport)`: a fresh browser context (no cookies) and its page."""
    contexts = []

    def make(language: str = "fr", viewport: dict = PHONE):
        context = chromium.new_context(locale=language, viewport=viewport, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
