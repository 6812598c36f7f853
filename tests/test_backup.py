"""Backups (issue 17): `manage.py backup` writes the database, the documents and the keys into
one archive; `manage.py restore` brings them back into a fresh database, and what was issued
before the backup still verifies.

The round trip restores in a separate process, configured from the environment as an operator's
new machine would be (a new PostgreSQL database, or a new SQLite file, and an empty var/).
"""

import datetime
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anef import backup
from applications.models import Document
from attestations import signing
from tests.accounts.factories import PrefectureAgentFactory
from tests.attestations.test_verification import issued_api, token_of

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "correct horse battery staple"

CHECK = """
import hashlib, json, os
from django.core.files.storage import default_storage
from django.test import Client
from applications.models import Document
answer = Client(HTTP_HOST="localhost").post(
    "/api/v1/verify/token/", {"token": os.environ["CHECK_TOKEN"]}, content_type="application/json"
)
document = Document.objects.get(pk=int(os.environ["CHECK_DOCUMENT"]))
with default_storage.open(document.file.name) as handle:
    digest = hashlib.sha256(handle.read()).hexdigest()
result = {"status": answer.status_code, "body": answer.json(), "sha256": digest}
print("RESULT " + json.dumps(result))
"""


def _url_of(database: dict, name: str) -> str:
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST']}:{database['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database_url(tmp_path):
    """A new, empty database of the same engine as the test database: a new PostgreSQL
    database (dropped afterwards), or a new SQLite file."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    database = connection.settings_dict
    name = f"{database['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    admin = _url_of(database, "postgres")
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    yield _url_of(database, name)
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(arguments: list[str], environment: dict, *, code: str | None = None):
    command = [sys.executable, "manage.py", *arguments] + (["-c", code] if code else [])
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def issued(reference_data):
    """An API issued by the sweep, its QR code's token, and one of its dossier's documents."""
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    attestation = issued_api(agent, today=datetime.date.today())
    token = token_of(signing.verification_url(attestation))
    document = Document.objects.filter(application=attestation.application).first()
    with default_storage.open(document.file.name) as handle:
        content = handle.read()
    return attestation, token, document, content


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_fresh_database_keeps_attestations_verifiable_and_documents_intact(
    issued, fresh_database_url, tmp_path, monkeypatch
):
    attestation, token, document, content = issued
    monkeypatch.setenv("ANEF_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "anef.tar"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())

    environment = {
        **os.environ,
        "DATABASE_URL": fresh_database_url,
        "ANEF_VAR_DIR": str(tmp_path / "new-machine"),
        "ANEF_BACKUP_PASSPHRASE": PASSPHRASE,
        "CHECK_TOKEN": token,
        "CHECK_DOCUMENT": str(document.pk),
    }
    environment.pop("MEDIA_ROOT", None)
    restored = _manage(["restore", str(archive)], environment)
    assert restored.returncode == 0, restored.stderr
    checked = _manage(["shell"], environment, code=CHECK)
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout.split("RESULT ", 1)[1])

    assert result["status"] == 200, result
    assert result["body"]["authentic"] is True
    assert result["body"]["attestation"]["number"] == attestation.number
    assert result["sha256"] == hashlib.sha256(content).hexdigest()


@pytest.mark.django_db
def test_restore_into_a_database_that_is_not_empty_is_refused_without_force(
    reference_data, tmp_path
):
    archive = tmp_path / "anef.tar"
    backup.backup(archive, passphrase=None)
    with pytest.raises(CommandError, match=r"not empty.*--force"):
        call_command("restore", str(archive))


@pytest.mark.django_db
def test_restore_of_a_damaged_archive_is_refused_before_touching_anything(reference_data, tmp_path):
    archive = tmp_path / "anef.tar"
    backup.backup(archive, passphrase=None)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == backup.PUBLIC_KEYS:
                data = data.replace(b"{", b"[", 1)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(damaged), "--force")


@pytest.mark.django_db
def test_backup_never_writes_or_prints_the_signing_key_in_clear(
    reference_data, tmp_path, monkeypatch, capsys
):
    private = signing.private_key_text(signing._private_key())
    monkeypatch.setenv("ANEF_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "anef.tar"
    call_command("backup", "--output", str(archive))
    printed = capsys.readouterr()
    assert private not in printed.out + printed.err
    assert private.encode() not in archive.read_bytes()
    with tarfile.open(archive) as opened:
        sealed = opened.extractfile(backup.SECRETS).read()
    assert backup.decrypt_secrets(sealed, PASSPHRASE)["ATTESTATION_SIGNING_KEY"] == private
    assert archive.stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_backup_without_passphrase_leaves_the_private_key_out_and_says_so(
    reference_data, tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("ANEF_BACKUP_PASSPHRASE", raising=False)
    archive = tmp_path / "anef.tar"
    call_command("backup", "--output", str(archive))
    with tarfile.open(archive) as opened:
        assert backup.SECRETS not in opened.getnames()
    assert "is NOT in the archive" in capsys.readouterr().out


@pytest.mark.django_db
def test_backup_with_documents_in_s3_refuses_and_tells_what_to_do(
    reference_data, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "anef-documents", "access_key": "a", "secret_key": "b"},
        },
    }
    with pytest.raises(CommandError, match=r"versioning.*--skip-documents"):
        call_command("backup", "--output", str(tmp_path / "anef.tar"))
    assert not (tmp_path / "anef.tar").exists()


def test_restore_of_an_archive_naming_a_file_outside_its_folders_is_refused(tmp_path):
    """An archive from elsewhere must not write outside the storage (`media/../../x`)."""
    archive = tmp_path / "evil.tar"
    manifest = {"format": backup.FORMAT, "checksums": {"media/../../escaped": "0" * 64}}
    with tarfile.open(archive, "w") as target:
        for name, data in (
            (backup.MANIFEST, json.dumps(manifest).encode()),
            ("media/../../escaped", b"x"),
        ):
            member = tarfile.TarInfo(name)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(backup.BackupError, match="outside its folders"):
        backup.verify_archive(archive, backup.read_manifest(archive))
