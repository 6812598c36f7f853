"""The embedded default (`make run`: SQLite) runs the code paths that take database-specific
locks. The suite itself runs on PostgreSQL in CI, so a `pg_…` function called without a vendor
check passes every other test and fails only for a person on `make run`: walked on 2026-12-04,
booking a callback there answered a 500 (`no such function: pg_advisory_xact_lock`).

This test migrates a SQLite database of its own in a subprocess and books callbacks through the
service, as the portal's view does."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
from django.db import connection
from support import callbacks, services

assert connection.vendor == "sqlite", connection.vendor
first, _ = services.ticket_open_from_contact_form(
    name="Awa Konaté", email="awa@example.org", phone="0612345678", foreigner_number="",
    category="other", body="Call me, please.",
)
second, _ = services.ticket_open_from_contact_form(
    name="Ali Ben", email="ali@example.org", phone="0612345679", foreigner_number="",
    category="other", body="Call me too.",
)
slot = callbacks.slots_offered()[0]
booked = [
    services.callback_book(ticket=ticket, starts_at=slot, via_link=True)
    for ticket in (first, second)
]
print("BOOKED", len(booked), booked[0].starts_at == slot)
"""


def test_embedded_sqlite_callback_booking_works(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ANEF_REQUIRE_SERVICES"}
    }
    environment.update(
        ANEF_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        DJANGO_SETTINGS_MODULE="anef.settings",
    )

    def manage(*arguments: str, timeout: int):
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *arguments],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    migrated = manage("migrate", "--noinput", "-v0", timeout=240)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    ran = manage("shell", "-c", SCRIPT, timeout=60)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "BOOKED 2 True" in ran.stdout, ran.stdout
