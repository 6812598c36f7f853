"""`manage.py verify_qr`: a verifier checks a scanned QR code offline, against the public keys
published at /verify/keys.json, without asking the server anything."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from attestations import signing
from tests.attestations.factories import LIMITATION, issued_api, paris_agent
from tests.attestations.test_verification import tampered, today, token_of


@pytest.fixture
def api(reference_data):
    return issued_api(paris_agent(), today=today())


@pytest.fixture
def published_keys(client, tmp_path) -> Path:
    """The keys file a verifier saved from /verify/keys.json."""
    path = tmp_path / "keys.json"
    path.write_bytes(client.get(reverse("verify_keys")).content)
    return path


def verify_qr(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_qr", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_command_verify_qr_authentic_url_with_published_keys(api, published_keys):
    output = verify_qr(signing.verification_url(api), "--keys-file", str(published_keys))
    assert output.startswith("AUTHENTIC")
    assert api.number in output
    assert f"May work:    within limits: {LIMITATION}" in output


@pytest.mark.django_db
def test_command_verify_qr_bare_token_with_server_keys(api):
    output = verify_qr(token_of(signing.verification_url(api)))
    assert output.startswith("AUTHENTIC")


@pytest.mark.django_db
def test_command_verify_qr_tampered(api, published_keys):
    token = tampered(token_of(signing.verification_url(api)))
    with pytest.raises(CommandError) as failure:
        verify_qr(token, "--keys-file", str(published_keys))
    assert failure.value.returncode == 1
    assert "NOT AUTHENTIC" in str(failure.value)


@pytest.mark.django_db
def test_command_verify_qr_keys_of_someone_else(api, tmp_path):
    """Keys published under our key id by someone else do not vouch for our codes."""
    other = Ed25519PrivateKey.generate().public_key()
    raw = other.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({settings.ATTESTATION_SIGNING_KEY_ID: signing._b64encode(raw)}))
    with pytest.raises(CommandError) as failure:
        verify_qr(signing.verification_url(api), "--keys-file", str(keys))
    assert failure.value.returncode == 1


@pytest.mark.django_db
def test_command_verify_qr_url_pointing_to_another_number(api, published_keys):
    receipt = api.application.attestations.get(kind="deposit_receipt")
    forged = signing.verification_url(api).replace(api.number, receipt.number)
    with pytest.raises(CommandError) as failure:
        verify_qr(forged, "--keys-file", str(published_keys))
    assert failure.value.returncode == 1
    assert receipt.number in str(failure.value)


def test_command_verify_qr_url_without_a_code():
    with pytest.raises(CommandError) as failure:
        verify_qr("https://example.org/verify/API-2027-00000000-0/")
    assert failure.value.returncode == 1


def test_command_verify_qr_unreadable_keys_file(tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text("not json")
    with pytest.raises(CommandError) as failure:
        verify_qr("ANEF1.x.y.z", "--keys-file", str(keys))
    assert failure.value.returncode == 2


def test_command_verify_qr_exit_status_of_the_process(tmp_path):
    """What a verifier's script sees: 0 for an authentic code, non-zero for an altered one."""
    payload = {"n": "API-2027-00000000-0", "k": "api", "h": "DOE Jane", "b": "1990-01-01"}
    payload |= {"f": "2027-01-01", "u": "2027-03-31", "s": 1, "w": "full", "l": "", "i": "2027"}
    token = signing.sign_payload(payload)
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": signing.public_keys()}))
    manage = Path(settings.BASE_DIR) / "manage.py"

    def run(code: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(manage), "verify_qr", code, "--keys-file", str(keys)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    authentic, altered = run(token), run(tampered(token))
    assert authentic.returncode == 0, authentic.stderr
    assert altered.returncode != 0
    assert "NOT AUTHENTIC" in altered.stderr
