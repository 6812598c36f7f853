"""Back up and restore one anef instance: the database, the documents and the keys (issue 17).

One archive (an uncompressed tar: the database dump is compressed already, PDFs and photos do
not compress) holds:

    manifest.json        format, versions, row counts per table, SHA-256 of every other member
    database.dump        PostgreSQL: `pg_dump --format=custom` (restored with pg_restore)
    database.sqlite3     SQLite: a consistent copy made with sqlite3's online backup API
    media/<name>         every file of the default storage when it is a local folder
    keys/public.json     the public keys (current and retired): not secret
    keys/secrets.json.enc  the signing key, its id, the retired public keys and SECRET_KEY,
                         encrypted with a passphrase (scrypt + AES-256-GCM); only when one is given

The archive holds personal data (identity documents, the whole database): it is written 0600
and must be stored as privately as the database (docs/security-and-data-protection.md).

Documents in S3 are not copied: a bucket is backed up by the object store itself (versioning,
replication to another bucket or region, object lock). `backup` and `restore` refuse rather than
pretend, unless told `--skip-documents`.

Secrets are never printed: the passphrase is read from an environment variable named on the
command line, and a restored key is written to var/ (embedded default) or to a 0600 file; it is
printed only with `--show-secrets`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

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


# --- Helpers ------------------------------------------------------------------------------------


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


# --- Backup -------------------------------------------------------------------------------------


def _signing_secrets() -> dict[str, str]:
    """The secrets a restored instance needs to go on signing under the same key id."""
    from attestations import signing

    return {
        "ATTESTATION_SIGNING_KEY": signing.private_key_text(signing._private_key()),
        "ATTESTATION_SIGNING_KEY_ID": settings.ATTESTATION_SIGNING_KEY_ID,
        "ATTESTATION_RETIRED_PUBLIC_KEYS": json.dumps(
            settings.ATTESTATION_RETIRED_PUBLIC_KEYS, separators=(",", ":")
        ),
        "SECRET_KEY": settings.SECRET_KEY,
    }


def backup(output: Path, *, passphrase: str | None, skip_documents: bool = False) -> dict:
    """Write the archive to `output` (0600, atomically) and return its manifest."""
    from attestations import signing

    media_root = _local_storage_root()
    if media_root is None and not skip_documents:
        raise BackupError(S3_ADVICE.format(bucket=_bucket()))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    checksums: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="anef-backup-") as scratch:
        scratch_dir = Path(scratch)
        if connection.vendor == "postgresql":
            dump = scratch_dir / PG_DUMP
            counts, migrations = _dump_postgresql(dump)
            database_member = PG_DUMP
        elif connection.vendor == "sqlite":
            dump = scratch_dir / SQLITE_COPY
            counts, migrations = _copy_sqlite(dump)
            database_member = SQLITE_COPY
        else:
            raise BackupError(f"No backup for the {connection.vendor} database engine.")
        checksums[database_member] = _sha256_file(dump)

        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
            archive.add(dump, arcname=database_member)
            media_files = media_bytes = 0
            if media_root is not None and not skip_documents and media_root.exists():
                for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                    name = MEDIA_PREFIX + path.relative_to(media_root).as_posix()
                    checksums[name] = _sha256_file(path)
                    archive.add(path, arcname=name)
                    media_files += 1
                    media_bytes += path.stat().st_size
            public = json.dumps(signing.public_keys(), indent=2, sort_keys=True).encode()
            _add_bytes(archive, PUBLIC_KEYS, public)
            checksums[PUBLIC_KEYS] = hashlib.sha256(public).hexdigest()
            if passphrase:
                sealed = encrypt_secrets(_signing_secrets(), passphrase)
                _add_bytes(archive, SECRETS, sealed)
                checksums[SECRETS] = hashlib.sha256(sealed).hexdigest()
            if media_root is None:
                documents = {"included": False, "storage": "s3", "bucket": _bucket()}
            elif skip_documents:
                documents = {"included": False, "storage": "local", "skipped": True}
            else:
                documents = {
                    "included": True,
                    "storage": "local",
                    "files": media_files,
                    "bytes": media_bytes,
                }
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "versions": {
                    "code": _code_version(),
                    "django": django.get_version(),
                    "python": platform.python_version(),
                    "database": _database_version(),
                },
                "database": {"engine": connection.vendor, "member": database_member},
                "migrations": migrations,
                "counts": counts,
                "documents": documents,
                "keys": {
                    "signing_key_id": settings.ATTESTATION_SIGNING_KEY_ID,
                    "public_keys": PUBLIC_KEYS,
                    "secrets_encrypted": bool(passphrase),
                },
                "checksums": checksums,
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
    os.replace(partial, output)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- Restore ------------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict:
    with tarfile.open(archive_path, mode="r") as archive:
        try:
            member = archive.extractfile(MANIFEST)
        except KeyError:
            member = None
        if member is None:
            raise BackupError(f"{archive_path} has no {MANIFEST}: not an anef backup.")
        manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (expected {FORMAT}).")
    return manifest


def _safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name:
        raise BackupError(f"The archive names a file outside its folders: {name!r}.")
    return name


def verify_archive(archive_path: Path, manifest: dict) -> None:
    """Every member is listed with its checksum, and every checksum matches."""
    expected = dict(manifest["checksums"])
    with tarfile.open(archive_path, mode="r") as archive:
        for member in archive:
            if member.name == MANIFEST:
                continue
            _safe_member_name(member.name)
            if not member.isfile():
                raise BackupError(f"Unexpected archive member {member.name!r}.")
            if member.name not in expected:
                raise BackupError(f"{member.name} is not listed in the manifest.")
            if _sha256_stream(archive.extractfile(member)) != expected.pop(member.name):
                raise BackupError(
                    f"{member.name} does not match its checksum: the archive is damaged."
                )
    if expected:
        raise BackupError(f"Missing from the archive: {', '.join(sorted(expected))}.")


def _unknown_migrations(manifest: dict) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]


def restore(
    archive_path: Path,
    *,
    force: bool = False,
    passphrase: str | None = None,
    skip_documents: bool = False,
    keys_output: Path | None = None,
) -> RestoreReport:
    """Restore the archive into the configured database and storage; refuse to overwrite a
    non-empty database (or documents, or keys) unless `force`."""
    archive_path = Path(archive_path)
    manifest = read_manifest(archive_path)
    verify_archive(archive_path, manifest)
    report = RestoreReport()
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"The archive holds a {engine} database; DATABASE_URL points to {connection.vendor}."
        )
    unknown = _unknown_migrations(manifest)
    if unknown and not force:
        raise BackupError(
            "The backup was made by newer code (migrations unknown here: "
            f"{', '.join(unknown[:5])}). Restore it with that version, or use --force."
        )
    documents = manifest["documents"]
    media_root = _local_storage_root()
    if documents["included"] and not skip_documents and media_root is None:
        raise BackupError(S3_ADVICE.format(bucket=_bucket()))
    was_empty = database_is_empty()
    if not was_empty and not force:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty: restoring would "
            "overwrite it. Restore into a new database, or give --force to replace its contents."
        )

    with tempfile.TemporaryDirectory(prefix="anef-restore-") as scratch:
        scratch_dir = Path(scratch)
        member = manifest["database"]["member"]
        with tarfile.open(archive_path, mode="r") as archive:
            archive.extract(member, path=scratch_dir, filter="data")
        copy = scratch_dir / member
        if engine == "postgresql":
            _restore_postgresql(copy, force=force)
        else:
            _restore_sqlite(copy)
    connections.close_all()
    restored_counts = table_counts()
    if restored_counts != manifest["counts"]:
        differing = sorted(
            table
            for table in set(restored_counts) | set(manifest["counts"])
            if restored_counts.get(table) != manifest["counts"].get(table)
        )
        raise BackupError(f"Row counts differ after the restore: {', '.join(differing)}.")
    report.database = (
        f"{connection.settings_dict['NAME']}: {sum(restored_counts.values())} rows in "
        f"{len(restored_counts)} tables, counts match the manifest"
    )
    if unknown:
        report.warnings.append("Migrations unknown to this code were restored (--force).")
    else:
        report.warnings.append("Run `manage.py migrate` if this code is newer than the backup.")

    if not documents["included"]:
        report.documents = (
            f"not in the archive ({documents.get('storage')}"
            + (f" bucket {documents['bucket']}" if documents.get("bucket") else "")
            + "): restore them from the object store"
        )
    elif skip_documents:
        report.documents = "skipped (--skip-documents)"
    else:
        report.documents = _restore_media(archive_path, force=force)

    report.keys = _restore_keys(
        archive_path,
        manifest,
        passphrase=passphrase,
        # A fresh instance (its database was empty) has signed nothing with the keys it made
        # at start-up (var/secret_key, var/attestation-signing-key): the archive's replace them.
        replace_local_keys=force or was_empty,
        keys_output=keys_output,
        report=report,
    )
    return report


def _restore_postgresql(dump: Path, *, force: bool) -> None:
    connections.close_all()
    arguments, environment = _pg_environment(connection.settings_dict)
    options = ["--no-owner", "--no-privileges", "--exit-on-error"]
    if force:
        options += ["--clean", "--if-exists"]
    _run(["pg_restore", *options, *arguments, str(dump)], environment)


def _restore_sqlite(copy: Path) -> None:
    connections.close_all()
    target_path = Path(connection.settings_dict["NAME"])
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(copy))
    target = sqlite3.connect(str(target_path))
    try:
        source.backup(target)  # replaces every page of the target, in one step
    finally:
        target.close()
        source.close()


def _restore_media(archive_path: Path, *, force: bool) -> str:
    names = []
    with tarfile.open(archive_path, mode="r") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(MEDIA_PREFIX)]
        clashes = [
            m.name for m in members if default_storage.exists(m.name.removeprefix(MEDIA_PREFIX))
        ]
        if clashes and not force:
            raise BackupError(
                f"{len(clashes)} documents already exist in the storage (e.g. {clashes[0]}); "
                "give --force to replace them. The database was restored."
            )
        for member in members:
            name = _safe_member_name(member.name).removeprefix(MEDIA_PREFIX)
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, ContentFile(archive.extractfile(member).read()))
            if saved != name:
                raise BackupError(f"The storage renamed {name} to {saved}.")
            names.append(saved)
    return f"{len(names)} files into {_local_storage_root()}"


def _restore_keys(
    archive_path: Path,
    manifest: dict,
    *,
    passphrase: str | None,
    replace_local_keys: bool,
    keys_output: Path | None,
    report: RestoreReport,
) -> str:
    if not manifest["keys"]["secrets_encrypted"]:
        return (
            "not in the archive: give every process the ATTESTATION_SIGNING_KEY and "
            "ATTESTATION_SIGNING_KEY_ID kept in your secret store"
        )
    if not passphrase:
        return "in the archive, encrypted: not restored (no passphrase given)"
    with tarfile.open(archive_path, mode="r") as archive:
        values = decrypt_secrets(archive.extractfile(SECRETS).read(), passphrase)
    if keys_output is not None:
        from attestations.management.commands.signing_key import env_lines

        keys_output = Path(keys_output)
        if keys_output.exists():
            raise BackupError(f"{keys_output} exists: name a new file.")
        fd = os.open(keys_output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(env_lines(values)) + "\n")
        return f"written to {keys_output} (0600): put them in your secret store, then delete it"
    if settings.ATTESTATION_SIGNING_KEY or settings.ANEF_PRODUCTION:
        return (
            "not written: this instance takes its keys from the environment; give "
            "--keys-output FILE (or --show-secrets) to get them"
        )
    # The embedded default keeps its keys under var/ (anef/settings.py, attestations/signing.py).
    var_dir = Path(settings.VAR_DIR)
    written = []
    for filename, value in (
        ("attestation-signing-key", values["ATTESTATION_SIGNING_KEY"]),
        ("secret_key", values["SECRET_KEY"]),
    ):
        path = var_dir / filename
        if path.exists() and path.read_text().strip() != value and not replace_local_keys:
            raise BackupError(
                f"{path} holds another key; give --force to replace it (the database and "
                "documents were restored)."
            )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        written.append(filename)
    if values["ATTESTATION_SIGNING_KEY_ID"] != settings.ATTESTATION_SIGNING_KEY_ID:
        report.warnings.append(
            f"Set ATTESTATION_SIGNING_KEY_ID={values['ATTESTATION_SIGNING_KEY_ID']}: the restored "
            "key signed under that id."
        )
    if values["ATTESTATION_RETIRED_PUBLIC_KEYS"] not in ("", "{}"):
        report.warnings.append(
            "Set ATTESTATION_RETIRED_PUBLIC_KEYS='"
            + values["ATTESTATION_RETIRED_PUBLIC_KEYS"]
            + "' (public keys, not secret)."
        )
    return f"{', '.join(written)} written to {var_dir} (0600)"


def restored_secrets(archive_path: Path, passphrase: str) -> dict[str, str]:
    """The archive's secrets, for `restore --show-secrets`."""
    with tarfile.open(archive_path, mode="r") as archive:
        return decrypt_secrets(archive.extractfile(SECRETS).read(), passphrase)
