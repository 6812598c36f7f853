"""Browser tests (issue 7): a real headless Chromium — Debian's `chromium` package, never a
browser download — driven by Playwright against a live server of the portal, with axe-core run
in every page. Screenshots of what a person sees go to `var/screenshots/` (ignored by git).

Locally they are skipped when Chromium is missing (`apt-get install chromium`); in CI
(`ANEF_REQUIRE_BROWSER=1`, set by `.ci/run`) a missing browser is a failure.
"""

import os
import shutil
import time
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


class DemoSnapshot:
    """The demo data as `seed_demo` leaves it, kept beside the live data so that each browser
    test starts from exactly that state without seeding again (seeding renders PDFs and files
    dossiers through the services: many seconds, against a fraction of one to copy rows back).

    Taken once per test database (per xdist worker) at the end of the first test's seeding:
    every table that a transactional test flushes is copied into a table of its own (which
    Django's flush leaves alone), and the files the seed wrote into the media folder are copied
    aside. Restoring empties those tables, copies the rows back in one transaction (foreign keys
    are checked at commit, as Django declares them deferred), moves the sequences past the
    restored ids and puts the seed's files back: the test sees the database and files a fresh
    seed would give, whatever earlier tests changed."""

    PREFIX = "zz_demo_snapshot_"

    def __init__(self, media_root: Path, files_copy: Path):
        self.media_root = media_root
        self.files_copy = files_copy
        self.tables: dict[str, str] = {}  # live table -> its copy

    def seed_and_take(self) -> None:
        from django.core.management import call_command
        from django.db import connection, transaction

        started = time.time() - 1  # file times may be rounded down to the second
        call_command("seed_demo", i_know_this_is_not_production=True, verbosity=0)
        names = connection.introspection.django_table_names(only_existing=True, include_views=False)
        tables = {table: f"{self.PREFIX}{index}" for index, table in enumerate(sorted(names))}
        quote = connection.ops.quote_name  # table names from Django's own introspection
        with transaction.atomic(), connection.cursor() as cursor:
            for table, copy in tables.items():
                cursor.execute(f"DROP TABLE IF EXISTS {quote(copy)}")
                cursor.execute(f"CREATE TABLE {quote(copy)} AS SELECT * FROM {quote(table)}")  # noqa: S608
        shutil.rmtree(self.files_copy, ignore_errors=True)
        for path in self.media_root.rglob("*"):
            if path.is_file() and path.stat().st_mtime >= started:
                target = self.files_copy / path.relative_to(self.media_root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        self.tables = tables

    def restore(self) -> None:
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType
        from django.core.management.color import no_style
        from django.db import connection, transaction

        quote = connection.ops.quote_name
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in self.tables
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            for table, copy in self.tables.items():
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(copy)}")  # noqa: S608
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        ContentType.objects.clear_cache()  # the flush had created them again, with other ids
        if self.files_copy.exists():
            shutil.copytree(self.files_copy, self.media_root, dirs_exist_ok=True)

    def drop(self) -> None:
        from django.db import connection

        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for copy in self.tables.values():
                cursor.execute(f"DROP TABLE IF EXISTS {quote(copy)}")


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker, _media_root, tmp_path_factory):
    snapshot = DemoSnapshot(_media_root, tmp_path_factory.mktemp("demo-files") / "media")
    yield snapshot
    if snapshot.tables:
        with django_db_blocker.unblock():
            snapshot.drop()


@pytest.fixture
def demo(transactional_db, settings, live_server, _demo_snapshot):
    """The demo data of `make run` (DESIGN.md §7's people), served by a live server. Seeded by
    the first test of each worker, restored from its snapshot for the next ones."""
    settings.SITE_URL = live_server.url
    if _demo_snapshot.tables:
        _demo_snapshot.restore()
    else:
        _demo_snapshot.seed_and_take()
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
