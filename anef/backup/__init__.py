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

One module per responsibility, every public name re-exported here (callers import `anef.backup`):
`_common` (member names, the secrets' envelope, the database's facts), `backing_up` (writing the
archive), `restoring` (verifying and restoring it).
"""

from anef.backup._common import (
    COUNTED_APPS,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    PG_DUMP,
    PUBLIC_KEYS,
    S3_ADVICE,
    SCRYPT,
    SECRETS,
    SQLITE_COPY,
    BackupError,
    RestoreReport,
    counted_tables,
    database_is_empty,
    decrypt_secrets,
    encrypt_secrets,
    table_counts,
)
from anef.backup.backing_up import backup
from anef.backup.restoring import read_manifest, restore, restored_secrets, verify_archive

__all__ = [
    "COUNTED_APPS",
    "FORMAT",
    "MANIFEST",
    "MEDIA_PREFIX",
    "PG_DUMP",
    "PUBLIC_KEYS",
    "S3_ADVICE",
    "SCRYPT",
    "SECRETS",
    "SQLITE_COPY",
    "BackupError",
    "RestoreReport",
    "backup",
    "counted_tables",
    "database_is_empty",
    "decrypt_secrets",
    "encrypt_secrets",
    "read_manifest",
    "restore",
    "restored_secrets",
    "table_counts",
    "verify_archive",
]
