"""Writing the archive: the database dump or copy, the documents, the public keys and, with a
passphrase, the encrypted secrets, with the manifest that lists and checksums them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import tarfile
import tempfile
from pathlib import Path

import django
from django.conf import settings
from django.db import connection
from django.utils import timezone

from anef.backup._common import (
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    PG_DUMP,
    PUBLIC_KEYS,
    S3_ADVICE,
    SECRETS,
    SQLITE_COPY,
    BackupError,
    _bucket,
    _code_version,
    _copy_sqlite,
    _database_version,
    _dump_postgresql,
    _local_storage_root,
    _sha256_file,
    encrypt_secrets,
)


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
