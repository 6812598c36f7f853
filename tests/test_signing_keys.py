"""Issue 17: QR codes must verify on every process, whichever signed them.

Under docker-compose the worker renders the PDFs (and signs their QR codes) and the web server
verifies them; they do not share var/. Without a signing key given to both, each generated its
own under the same key id and every QR code "did not match" on the verification page. The
cross-process tests run two separate Python processes with two separate ANEF_VAR_DIR folders,
as the two containers are.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import override_settings

from anef.checks import check_attestation_signing_key
from attestations import signing
from tests.test_compose import INTERPOLATION, environment

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = {"n": "API-2027-7K3M9Q2X-R", "k": "api", "u": "2027-06-30"}
SIGN = (
    "import json, sys, django; django.setup(); from attestations import signing; "
    "print(signing.sign_payload(json.loads(sys.argv[1])))"
)
VERIFY = (
    "import sys, django; django.setup(); from attestations import signing\n"
    "try:\n    print(signing.verify_token(sys.argv[1])['n'])\n"
    "except signing.InvalidToken as exc:\n    sys.exit(f'NOT AUTHENTIC: {exc}')"
)


class ComposeRefuses(Exception):
    """Compose stops before starting anything: a required variable (${NAME:?message}) is unset."""


def compose_environment(service: str, operator: dict[str, str]) -> dict[str, str]:
    """What Compose gives a service's process, with `operator` as the operator's .env file."""

    def substitute(match) -> str:
        name, rest = match["name"], match["rest"]
        given = operator.get(name, "")
        if rest.startswith(":?"):
            if not given:
                raise ComposeRefuses(name)
            return given
        if rest.startswith(":-"):
            return given or rest[2:]
        if rest.startswith("-"):
            return operator.get(name, rest[1:])
        return given

    return {
        key: INTERPOLATION.sub(substitute, value) for key, value in environment(service).items()
    }


def new_key_text() -> str:
    return signing.private_key_text(Ed25519PrivateKey.generate())


def operator_env() -> dict[str, str]:
    """The operator's .env, as docs/docker-compose.md "Start" writes it."""
    return {
        "SECRET_KEY": "s" * 50,
        "MINIO_ROOT_PASSWORD": "m" * 24,
        "SITE_URL": "http://localhost:8000",
        "ATTESTATION_SIGNING_KEY": new_key_text(),
        "ATTESTATION_SIGNING_KEY_ID": "20270101-ab12",
    }


def run(args: list[str], env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess:
    """A process of its own, seeing only `env` (not the test run's environment) and its own var/."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "anef.settings",
            **env,
            "ANEF_VAR_DIR": str(var_dir),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sign_in_process(env: dict[str, str], var_dir: Path) -> str:
    result = run(["-c", SIGN, json.dumps(PAYLOAD)], env, var_dir)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_signing_qr_signed_by_compose_worker_verifies_on_compose_web(tmp_path):
    operator = operator_env()
    token = sign_in_process(compose_environment("worker", operator), tmp_path / "worker-var")
    result = run(["-c", VERIFY, token], compose_environment("web", operator), tmp_path / "web-var")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == PAYLOAD["n"]


def test_signing_compose_without_a_signing_key_refuses_to_start():
    operator = operator_env()
    del operator["ATTESTATION_SIGNING_KEY"]
    with pytest.raises(ComposeRefuses, match="ATTESTATION_SIGNING_KEY"):
        compose_environment("web", operator)


def test_signing_qr_signed_in_one_var_folder_fails_in_another_without_a_key(tmp_path):
    # The finding itself: the embedded default's generated key is right for one machine only.
    token = sign_in_process({}, tmp_path / "worker-var")
    result = run(["-c", VERIFY, token], {}, tmp_path / "web-var")
    assert result.returncode != 0
    assert "the signature does not match" in result.stderr


def test_signing_check_refuses_compose_environment_without_the_key(tmp_path):
    # Compose itself refuses an unset key; this is the same configuration reached another way
    # (a key emptied by mistake, or a deployment without Compose): `migrate` stops on it.
    env = compose_environment("web", operator_env())
    env["ATTESTATION_SIGNING_KEY"] = ""
    result = run(["manage.py", "check"], env, tmp_path / "var")
    assert result.returncode != 0
    assert "anef.E001" in result.stderr


def test_signing_check_accepts_compose_environment_with_the_key(tmp_path):
    result = run(["manage.py", "check"], compose_environment("web", operator_env()), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


# --- In one process ------------------------------------------------------------------------------


def test_signing_production_without_key_refuses_to_generate_one(tmp_path):
    with (
        override_settings(VAR_DIR=tmp_path, ATTESTATION_SIGNING_KEY="", ANEF_PRODUCTION=True),
        pytest.raises(signing.SigningKeyMissing),
    ):
        signing.sign_payload(PAYLOAD)
    assert list(tmp_path.iterdir()) == []


def test_signing_embedded_default_generates_a_key_under_var_once(tmp_path):
    with override_settings(VAR_DIR=tmp_path, ATTESTATION_SIGNING_KEY="", ANEF_PRODUCTION=False):
        first = signing.public_keys()
        signing._load_private_key.cache_clear()
        assert signing.public_keys() == first
    key_file = tmp_path / "attestation-signing-key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def check_ids(**overrides) -> list[str]:
    values = {
        "ATTESTATION_SIGNING_KEY": new_key_text(),
        "ATTESTATION_SIGNING_KEY_ID": "20270101-ab12",
        "ATTESTATION_RETIRED_PUBLIC_KEYS": {},
        "ANEF_PRODUCTION": True,
        **overrides,
    }
    with override_settings(**values):
        return [message.id for message in check_attestation_signing_key()]


def test_signing_check_production_with_key_passes():
    assert check_ids() == []


def test_signing_check_production_without_key_fails():
    assert check_ids(ATTESTATION_SIGNING_KEY="") == ["anef.E001"]


def test_signing_check_embedded_default_without_key_passes():
    assert check_ids(ATTESTATION_SIGNING_KEY="", ANEF_PRODUCTION=False) == []


def test_signing_check_malformed_key_fails():
    assert check_ids(ATTESTATION_SIGNING_KEY="not-a-key") == ["anef.E002"]


def test_signing_check_key_id_with_a_dot_fails():
    assert check_ids(ATTESTATION_SIGNING_KEY_ID="2027.1") == ["anef.E003"]


def test_signing_check_malformed_retired_key_fails():
    assert check_ids(ATTESTATION_RETIRED_PUBLIC_KEYS={"old": "short"}) == ["anef.E004"]


def test_signing_check_retired_keys_hiding_the_current_id_fail():
    retired = {"20270101-ab12": signing.public_key_text(Ed25519PrivateKey.generate().public_key())}
    assert check_ids(ATTESTATION_RETIRED_PUBLIC_KEYS=retired) == ["anef.E005"]


def test_signing_check_production_key_named_dev_1_warns():
    assert check_ids(ATTESTATION_SIGNING_KEY_ID="dev-1") == ["anef.W001"]


# --- manage.py signing_key -----------------------------------------------------------------------


def command_values(*args: str) -> dict[str, str]:
    """The NAME=value lines the command prints (a .env file's reading: quotes removed)."""
    from io import StringIO

    out = StringIO()
    call_command("signing_key", *args, stdout=out)
    values = {}
    for line in out.getvalue().splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            values[name] = value.removeprefix("'").removesuffix("'")
    return values


def test_signing_key_generate_prints_a_usable_key_and_writes_nothing(tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        values = command_values("generate", "--key-id", "20270101-ab12")
    assert values["ATTESTATION_SIGNING_KEY_ID"] == "20270101-ab12"
    signing.private_key_from_text(values["ATTESTATION_SIGNING_KEY"])
    assert list(tmp_path.iterdir()) == []


def test_signing_key_generate_proposes_a_valid_key_id():
    values = command_values("generate")
    assert signing.KEY_ID_PATTERN.fullmatch(values["ATTESTATION_SIGNING_KEY_ID"])


def test_signing_key_rotate_keeps_old_attestations_verifiable(client):
    old = {"ATTESTATION_SIGNING_KEY": new_key_text(), "ATTESTATION_SIGNING_KEY_ID": "2026-a"}
    with override_settings(**old, ATTESTATION_RETIRED_PUBLIC_KEYS={}, ANEF_PRODUCTION=True):
        old_token = signing.sign_payload(PAYLOAD)
        values = command_values("rotate", "--key-id", "2027-b")
    retired = json.loads(values.pop("ATTESTATION_RETIRED_PUBLIC_KEYS"))
    with override_settings(**values, ATTESTATION_RETIRED_PUBLIC_KEYS=retired, ANEF_PRODUCTION=True):
        assert signing.verify_token(old_token)["n"] == PAYLOAD["n"]
        assert signing.sign_payload(PAYLOAD).split(".")[1] == "2027-b"
        assert check_attestation_signing_key() == []
        published = client.get("/verify/keys.json").json()
    assert set(published["keys"]) == {"2026-a", "2027-b"}
    assert published["current_key_id"] == "2027-b"


def test_signing_key_rotate_refuses_to_reuse_a_key_id():
    from django.core.management.base import CommandError

    with (
        override_settings(ATTESTATION_SIGNING_KEY=new_key_text(), ATTESTATION_SIGNING_KEY_ID="k1"),
        pytest.raises(CommandError, match="already used"),
    ):
        command_values("rotate", "--key-id", "k1")
