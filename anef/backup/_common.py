"""What backing up and restoring share: the archive's member names, the encryption of the
secrets, the database's connection and facts (row counts, applied migrations), the versions."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

FORMAT = "anef-backup/1"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_PREFIX = "media/"
PUBLIC_KEYS = "keys/public.json"
SECRETS = "keys/secrets.json.enc"
# Our own apps: their tables are counted in the manifest and checked after a restore.
COUNTED_APPS = (
    "accounts",
    "anef",
    "applications",
    "attestations",
    "reference",
    "support",
    "substitution",
)
SCRYPT = {"n": 2**15, "r": 8, "p": 1}

S3_ADVICE = (
    "The documents are in an S3 bucket ({bucket}): this command does not copy a bucket. Back "
    "it up where it lives: turn on bucket versioning (a deleted or overwritten document can be "
    "recovered), replicate the bucket to another bucket or region, and consider object lock "
    "for the replica; restore by pointing AWS_STORAGE_BUCKET_NAME at the bucket or replica. Run "
    "again with --skip-documents to back up (or restore) the database and the keys alone."
)


class BackupError(Exception):
    """What went wrong, in words an operator can act on."""


@dataclass
class RestoreReport:
    database: str = ""
    documents: str = ""
    keys: str = ""
    warnings: list[str] = field(default_factory=list)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sha256_stream(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _derive(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, **SCRYPT).derive(passphrase.encode())


def encrypt_secrets(values: dict[str, str], passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(
        nonce, json.dumps(values).encode(), FORMAT.encode()
    )
    envelope = {
        "cipher": "AES-256-GCM",
        "kdf": {"name": "scrypt", **SCRYPT, "salt": _b64(salt)},
        "nonce": _b64(nonce),
        "ciphertext": _b64(sealed),
    }
    return json.dumps(envelope, indent=2).encode()


def decrypt_secrets(blob: bytes, passphrase: str) -> dict[str, str]:
    envelope = json.loads(blob)
    kdf = envelope["kdf"]
    key = Scrypt(salt=_unb64(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        passphrase.encode()
    )
    try:
        plain = AESGCM(key).decrypt(
            _unb64(envelope["nonce"]), _unb64(envelope["ciphertext"]), FORMAT.encode()
        )
    except InvalidTag as exc:
        raise BackupError("The passphrase does not open the archive's keys.") from exc
    return json.loads(plain)


def _local_storage_root() -> Path | None:
    """The folder of the default storage when it is a local one, else None (S3)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def _bucket() -> str:
    return str(getattr(default_storage, "bucket_name", "") or settings.AWS_STORAGE_BUCKET_NAME)


def _pg_environment(database: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore; the password travels in PGPASSWORD,
    never on a command line that `ps` shows."""
    arguments = ["--dbname", database["NAME"]]
    if database.get("HOST"):
        arguments += ["--host", database["HOST"]]
    if database.get("PORT"):
        arguments += ["--port", str(database["PORT"])]
    if database.get("USER"):
        arguments += ["--username", database["USER"]]
    environment = {**os.environ}
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = database["PASSWORD"]
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    binary = shutil.which(command[0])
    if binary is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client of the server's "
            "major version (Debian: postgresql-client)."
        )
    result = subprocess.run(  # noqa: S603 - fixed program, argument list
        [binary, *command[1:]], env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def counted_tables() -> list[str]:
    """The tables of our own apps (their row counts go into the manifest)."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in COUNTED_APPS and model._meta.managed
        }
    )


def _facts(cursor, existing: set[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Row counts and applied migrations, read through `cursor` (a DB-API cursor: Django's, a
    snapshot's, or sqlite3's on a copy). Table names come from our models, never from input."""
    counts = {}
    for table in counted_tables():
        if table in existing:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names
            counts[table] = cursor.fetchone()[0]
    applied: dict[str, list[str]] = {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return counts, applied


def table_counts() -> dict[str, int]:
    """Rows per table of our own apps, as the configured database holds them now."""
    with connection.cursor() as cursor:
        return _facts(cursor, set(connection.introspection.table_names()))[0]


def _dump_postgresql(dump: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """pg_dump and the manifest's facts from one snapshot: rows written while the dump runs are
    in neither, so the counts always match what a restore brings back."""
    import psycopg

    database = connection.settings_dict
    parameters = {
        "dbname": database["NAME"],
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in parameters.items() if v}) as snapshot:
        snapshot.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot.read_only = True
        with snapshot.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            arguments, environment = _pg_environment(database)
            command = ["pg_dump", "--format=custom", f"--snapshot={snapshot_id}"]
            _run([*command, "--file", str(dump), *arguments], environment)
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            existing = {row[0] for row in cursor.fetchall()}
            facts = _facts(cursor, existing)
        snapshot.rollback()
    return facts


def _copy_sqlite(copy: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """sqlite3's online backup: a consistent copy (WAL included) while others write; the facts
    are read from the copy itself."""
    source = sqlite3.connect(str(connection.settings_dict["NAME"]))
    target = sqlite3.connect(str(copy))
    try:
        source.backup(target)
        cursor = target.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return _facts(cursor, {row[0] for row in cursor.fetchall()})
    finally:
        target.close()
        source.close()


def _code_version() -> str:
    """The commit of the running code when it is a git checkout, else the package version."""
    root = Path(settings.BASE_DIR)
    head = root / ".git"
    git = shutil.which("git")
    if git and head.exists():
        result = subprocess.run(  # noqa: S603 - fixed program and arguments
            [git, "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            return result.stdout.strip()
    return "anef 0.1.0"


def _database_version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {sqlite3.sqlite_version}"


def database_is_empty() -> bool:
    return not connection.introspection.table_names()
