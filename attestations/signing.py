"""Signed QR codes: a third party checks an attestation offline with our published public key.

Token format (compact, fits a QR code): `ANEF1.<key id>.<payload>.<signature>`, payload and
signature in base64url without padding; the payload is JSON with short keys:
  n number, k kind, h holder name, b birth date, f valid from, u valid until (the printed last
  day, or "")
  s may stay (0/1), w may work ("full"/"limited"/"none"), l limits on work, i issued on.
The QR code holds the verification URL with the token (`/verify/<number>?t=<token>`): a phone
opens the page; an offline verifier reads the token from the URL.
"""

import base64
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

TOKEN_PREFIX = "ANEF1"  # noqa: S105 - a format marker, not a secret


class InvalidToken(ValueError):
    """The token is malformed, signed by an unknown key, or its signature does not match."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# A key id travels in every token between dots: letters, digits, "-" and "_" only.
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")


class SigningKeyMissing(ImproperlyConfigured):
    """Production without ATTESTATION_SIGNING_KEY: refuse rather than sign with a local key that
    no other process knows (issue 17: QR codes failed verification under docker-compose)."""


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """The private key written as base64url of its 32 raw bytes; ValueError if it is not one."""
    raw = _b64decode(text.strip())
    if len(raw) != 32:
        raise ValueError("an Ed25519 private key is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return _b64encode(raw)


def public_key_text(key: Ed25519PublicKey) -> str:
    return _b64encode(_public_bytes(key))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A published public key (base64url of 32 raw bytes); ValueError if it is not one."""
    raw = _b64decode(text.strip())
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def _private_key() -> Ed25519PrivateKey:
    """The current signing key: from the environment in production; for the embedded default,
    generated once and kept under var/ (never in the repository). In production without a key,
    SigningKeyMissing: a key of this process's own would make its QR codes fail everywhere
    else."""
    return _load_private_key(
        settings.ATTESTATION_SIGNING_KEY, str(settings.VAR_DIR), settings.ANEF_PRODUCTION
    )


@lru_cache(maxsize=4)
def _load_private_key(configured: str, var_dir: str, production: bool) -> Ed25519PrivateKey:
    if configured:
        return private_key_from_text(configured)
    if production:
        raise SigningKeyMissing(
            "ATTESTATION_SIGNING_KEY is not set: in production every web server and worker must "
            "share one signing key (manage.py signing_key generate prints one)."
        )
    key_file = Path(var_dir) / "attestation-signing-key"
    if not key_file.exists():
        key_file.write_text(private_key_text(Ed25519PrivateKey.generate()))
        key_file.chmod(0o600)
    return private_key_from_text(key_file.read_text())


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_keys() -> dict[str, str]:
    """Every public key a verifier may meet, by id (current and retired), base64url."""
    keys = dict(settings.ATTESTATION_RETIRED_PUBLIC_KEYS)
    keys[settings.ATTESTATION_SIGNING_KEY_ID] = public_key_text(_private_key().public_key())
    return keys


def rotation(
    *,
    current_key: Ed25519PrivateKey,
    current_key_id: str,
    retired: dict[str, str],
    new_key: Ed25519PrivateKey,
    new_key_id: str,
) -> dict[str, str]:
    """The three settings after a rotation: the new key signs from now on, and the current key's
    public half joins the retired keys, so every attestation signed before still verifies (its
    token names the old key id)."""
    if new_key_id == current_key_id or new_key_id in retired:
        raise ValueError(f"the key id {new_key_id} is already used; pick a new one")
    return {
        "ATTESTATION_SIGNING_KEY": private_key_text(new_key),
        "ATTESTATION_SIGNING_KEY_ID": new_key_id,
        "ATTESTATION_RETIRED_PUBLIC_KEYS": json.dumps(
            {**retired, current_key_id: public_key_text(current_key.public_key())},
            separators=(",", ":"),
        ),
    }


def attestation_payload(attestation) -> dict:
    snapshot = attestation.holder_snapshot
    rights = attestation.rights
    # Only what is printed and never changes (the ledger): the printed last day, never a later
    # end, so that re-rendering a PDF never changes what was signed.
    valid_until = attestation.valid_until
    return {
        "n": attestation.number,
        "k": attestation.kind,
        "h": f"{snapshot.get('last_name', '').upper()} {snapshot.get('first_name', '')}".strip(),
        "b": snapshot.get("birth_date", ""),
        "f": attestation.valid_from.isoformat(),
        "u": valid_until.isoformat() if valid_until else "",
        "s": 1 if rights.get("stay") else 0,
        "w": rights.get("work", "none"),
        "l": rights.get("work_limitation", ""),
        "i": attestation.issue_on.isoformat(),
    }


def sign_payload(payload: dict) -> str:
    body = _b64encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    key_id = settings.ATTESTATION_SIGNING_KEY_ID
    signature = _private_key().sign(f"{TOKEN_PREFIX}.{key_id}.{body}".encode())
    return f"{TOKEN_PREFIX}.{key_id}.{body}.{_b64encode(signature)}"


def verify_token(token: str, keys: dict[str, str] | None = None) -> dict:
    """The payload of a valid token, else InvalidToken. `keys` lets an offline verifier use the
    published keys instead of this server's."""
    parts = (token or "").strip().split(".")
    if len(parts) != 4 or parts[0] != TOKEN_PREFIX:
        raise InvalidToken("not an anef attestation code")
    _, key_id, body, signature = parts
    known = keys if keys is not None else public_keys()
    if key_id not in known:
        raise InvalidToken("signed with an unknown key")
    try:
        public_key = Ed25519PublicKey.from_public_bytes(_b64decode(known[key_id]))
        public_key.verify(_b64decode(signature), f"{TOKEN_PREFIX}.{key_id}.{body}".encode())
        return json.loads(_b64decode(body))
    except (InvalidSignature, ValueError) as exc:
        raise InvalidToken("the signature does not match") from exc


def verification_url(attestation) -> str:
    path = reverse("verify", args=[attestation.number])
    token = sign_payload(attestation_payload(attestation))
    return f"{settings.SITE_URL}{path}?{urlencode({'t': token})}"


def token_from_scan(scanned: str) -> str:
    """A scanned QR code holds the URL; a verifier may also paste the bare token."""
    if scanned.startswith(("http://", "https://")):
        values = parse_qs(urlparse(scanned).query).get("t", [])
        return values[0] if values else ""
    return scanned.strip()


@dataclass(frozen=True)
class QrCode:
    url: str
    svg: str


QR_QUIET_ZONE = 2  # modules of white around the code (readers cope with 2 on a white page)


def qr_make(data: str) -> segno.QRCode:
    """The QR code of `data`: error correction M (15 %), never raised to fill the version, never
    a Micro QR code (phones' readers do not all know them)."""
    return segno.make(data, error="m", boost_error=False, micro=False)


def qr_svg(data: str) -> str:
    """The QR code of `data` as a small SVG, in module units with a white background, sized by
    the page (attestations/pdf_assets/attestation.css).

    segno draws one path where each horizontal run of dark modules is one stroke of one
    module's height; an SVG with a closed square per module (about 80 kB for a code of version
    17) took WeasyPrint most of an attestation's render time to parse and draw
    (tests/attestations/test_qr_svg.py reads the path back and decodes the code).
    """
    output = io.BytesIO()
    qr_make(data).save(
        output,
        kind="svg",
        border=QR_QUIET_ZONE,
        omitsize=True,  # a viewBox and no width or height: the stylesheet gives the size
        light="#fff",
        xmldecl=False,
        svgclass=None,
        lineclass=None,
        nl=False,
    )
    return output.getvalue().decode("ascii")


def qr_code(attestation) -> QrCode:
    """The QR code (SVG, for the PDF and the portal) and the URL it holds."""
    url = verification_url(attestation)
    return QrCode(url=url, svg=qr_svg(url))
