"""The Ed25519 key that signs the attestations' QR codes (attestations/signing.py).

    manage.py signing_key generate [--key-id ID]   a new key, for a first deployment
    manage.py signing_key rotate [--key-id ID]     a new key; the current one becomes retired
    manage.py signing_key show                     the published public keys (no secret)

`generate` and `rotate` print environment lines (a `.env` file accepts them as they are) on the
standard output and write nothing anywhere: the private key belongs in the deployment's secret
store, shared by every web server and worker, never in the repository or an image. After a
rotation, old attestations still verify: their tokens name the old key id, whose public key stays
published in ATTESTATION_RETIRED_PUBLIC_KEYS (README "Signing keys").
"""

import json
import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attestations import signing


def proposed_key_id() -> str:
    """A key id that says when the key was made and cannot collide with another made that day."""
    return f"{timezone.localdate():%Y%m%d}-{secrets.token_hex(2)}"


def env_lines(values: dict[str, str]) -> list[str]:
    """NAME=value lines; JSON in single quotes, which a .env file and a shell both read as is."""
    return [
        f"{name}='{value}'" if value.startswith("{") else f"{name}={value}"
        for name, value in values.items()
    ]


class Command(BaseCommand):
    help = "Generate or rotate the key signing the attestations' QR codes (prints, never writes)."

    # Used to produce the key a failing check asks for: it must run when the checks fail.
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("generate", "print a new private key, its id and its public key"),
            ("rotate", "print a new key and the retired keys including the current one"),
        ):
            action = actions.add_parser(name, help=text)
            action.add_argument("--key-id", help="Id of the new key (default: date and random).")
        actions.add_parser("show", help="print the public keys, as published at /verify/keys.json")

    def handle(self, *args, **options):
        if options["action"] == "show":
            self.stdout.write(json.dumps(signing.public_keys(), indent=2, sort_keys=True))
            return
        key_id = options["key_id"] or proposed_key_id()
        if not signing.KEY_ID_PATTERN.fullmatch(key_id):
            raise CommandError("A key id is letters, digits, '-' and '_' only (at most 40).")
        new_key = Ed25519PrivateKey.generate()
        if options["action"] == "generate":
            values = {
                "ATTESTATION_SIGNING_KEY": signing.private_key_text(new_key),
                "ATTESTATION_SIGNING_KEY_ID": key_id,
            }
            intro = "A new signing key. Keep the private key secret, and back it up."
        else:
            values = self._rotation(new_key, key_id)
            intro = (
                "Rotation: set all three on every web server and worker at once; keep the retired "
                "public keys for as long as attestations signed by them may be shown."
            )
        self.stdout.write(f"# {intro}")
        public_key = signing.public_key_text(new_key.public_key())
        self.stdout.write(f"# Public key of {key_id}: {public_key}")
        for line in env_lines(values):
            self.stdout.write(line)

    def _rotation(self, new_key: Ed25519PrivateKey, new_key_id: str) -> dict[str, str]:
        if not settings.ATTESTATION_SIGNING_KEY and settings.ANEF_PRODUCTION:
            raise CommandError(
                "No current key to rotate: ATTESTATION_SIGNING_KEY is not set. Run this where the "
                "production environment is set, or use `generate` for a first key."
            )
        try:
            current_key = signing._private_key()
        except (ImproperlyConfigured, ValueError) as exc:
            raise CommandError(f"ATTESTATION_SIGNING_KEY cannot be read: {exc}") from exc
        try:
            return signing.rotation(
                current_key=current_key,
                current_key_id=settings.ATTESTATION_SIGNING_KEY_ID,
                retired=dict(settings.ATTESTATION_RETIRED_PUBLIC_KEYS),
                new_key=new_key,
                new_key_id=new_key_id,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
