"""Offline check of a scanned QR code against the published public keys (DESIGN.md §3
"Verification"): what a verifier's own tool does, without asking this server anything.

    manage.py verify_qr "https://…/verify/API-2027-7K3M9Q2X-R/?t=ANEF1.…" --keys-file keys.json

`keys.json` is the file saved from /verify/keys.json (or a plain {key id: public key} object);
without it, this server's own keys are used. Exit status: 0 authentic, 1 not authentic,
2 the keys file cannot be read.
"""

import json
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attestations import numbers, signing
from attestations.signed_codes import payload_facts

NOT_AUTHENTIC = 1
BAD_KEYS_FILE = 2
WORK = {"full": "yes", "limited": "within limits", "none": "no"}


def load_keys(path: str) -> dict[str, str]:
    """The keys of a file saved from /verify/keys.json: {"keys": {id: key}} or {id: key}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(
            f"Cannot read the keys file {path}: {exc}", returncode=BAD_KEYS_FILE
        ) from exc
    keys = data.get("keys", data) if isinstance(data, dict) else None
    if not isinstance(keys, dict) or not all(
        isinstance(key_id, str) and isinstance(value, str) for key_id, value in keys.items()
    ):
        raise CommandError(f"{path} does not hold public keys by key id.", returncode=BAD_KEYS_FILE)
    return keys


def number_in_url(scanned: str) -> str | None:
    """The number in a scanned verification URL (…/verify/<number>/?t=…), if it is one."""
    if not scanned.startswith(("http://", "https://")):
        return None
    parts = [unquote(part) for part in urlparse(scanned).path.split("/") if part]
    return numbers.normalise(parts[-1]) if parts else ""


class Command(BaseCommand):
    help = (
        "Check a scanned attestation QR code (URL with ?t= or bare code) offline against the "
        "published public keys, and print what it says."
    )

    # An offline tool: no database, no URL configuration to check.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("scanned", help="The text read from the QR code.")
        parser.add_argument(
            "--keys-file",
            help="Public keys saved from /verify/keys.json (default: this server's keys).",
        )
        parser.add_argument("--today", help="Check the validity dates as of this day (YYYY-MM-DD).")

    def handle(self, *args, **options):
        scanned = options["scanned"].strip()
        keys = load_keys(options["keys_file"]) if options["keys_file"] else signing.public_keys()
        try:
            today = (
                date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError("--today must be a date like 2027-03-01", returncode=2) from exc
        token = signing.token_from_scan(scanned)
        if not token:
            raise CommandError(
                "NOT AUTHENTIC: this QR code holds no attestation code.", returncode=NOT_AUTHENTIC
            )
        try:
            payload = signing.verify_token(token, keys)
        except signing.InvalidToken as exc:
            raise CommandError(
                f"NOT AUTHENTIC: {exc}. Do not rely on this document.", returncode=NOT_AUTHENTIC
            ) from exc
        if not isinstance(payload, dict):
            raise CommandError(
                "NOT AUTHENTIC: the code is not an attestation code.", returncode=NOT_AUTHENTIC
            )
        facts = payload_facts(payload)
        in_url = number_in_url(scanned)
        if in_url is not None and in_url != facts["number"]:
            raise CommandError(
                f"NOT AUTHENTIC: the address points to {in_url} but the signed code belongs to "
                f"{facts['number']}. Do not rely on this document.",
                returncode=NOT_AUTHENTIC,
            )
        self._print(facts, token.split(".")[1], today)

    def _print(self, facts: dict, key_id: str, today: date) -> None:
        valid_until = facts["valid_until"] or "no end date"
        in_dates = facts["valid_from"] is not None and date.fromisoformat(
            facts["valid_from"]
        ) <= today <= (
            date.fromisoformat(facts["valid_until"]) if facts["valid_until"] else date.max
        )
        work = WORK.get(facts["work"], facts["work"])
        if facts["work"] == "limited" and facts["work_limitation"]:
            work = f"{work}: {facts['work_limitation']}"
        lines = [
            f"AUTHENTIC: signed by key {key_id}.",
            f"Number:      {facts['number']} ({facts['kind']})",
            f"Holder:      {facts['holder_name']}, born {facts['birth_date'] or 'unknown'}",
            f"Valid:       from {facts['valid_from']} until {valid_until}",
            f"Checked on:  {today}, {'within' if in_dates else 'OUTSIDE'} its validity",
            f"May stay:    {'yes' if facts['may_stay'] else 'no'}",
            f"May work:    {work}",
            f"Issued on:   {facts['issued_on']}",
            "Offline check: it may have been revoked or replaced since it was signed; check "
            f"{facts['number']} on the verification page when you can.",
        ]
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
