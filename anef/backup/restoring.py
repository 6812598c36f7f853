"""Reading an archive back: the manifest and checksums verified, then the database, the
documents and the keys restored (or the secrets only shown)."""

from __future__ import annotations

import json
import os
import sqlite3
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from anef.backup._common import (
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    S3_ADVICE,
    SECRETS,
    BackupError,
    RestoreReport,
    _bucket,
    _local_storage_root,
    _pg_environment,
    _run,
    _sha256_stream,
    database_is_empty,
    decrypt_secrets,
    table_counts,
)


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
