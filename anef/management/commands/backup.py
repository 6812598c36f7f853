"""`manage.py backup [--output FILE]`: the database, the documents and the keys in one archive
with a manifest (anef/backup/; README "Backups").

The signing key and SECRET_KEY go into the archive only encrypted, with the passphrase held in the
environment variable named by --passphrase-env (default ANEF_BACKUP_PASSPHRASE); without it the
archive holds the public keys alone and the operator keeps the private key in the secret store.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from anef import backup


class Command(BaseCommand):
    help = "Back up the database, the documents (local storage) and the keys into one archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Archive to write (default: var/backups/anef-<date and time>.tar).",
        )
        parser.add_argument(
            "--passphrase-env",
            default="ANEF_BACKUP_PASSPHRASE",
            help="Environment variable holding the passphrase that encrypts the keys "
            "(default ANEF_BACKUP_PASSPHRASE; unset: the private keys are left out).",
        )
        parser.add_argument(
            "--skip-documents",
            action="store_true",
            help="Leave the documents out (required when they are in S3: back the bucket up "
            "with versioning and replication instead).",
        )

    def handle(self, *args, output, passphrase_env, skip_documents, **options):
        target = (
            Path(output)
            if output
            else (Path(settings.VAR_DIR) / "backups" / f"anef-{timezone.now():%Y%m%d-%H%M%S}.tar")
        )
        passphrase = os.environ.get(passphrase_env) or None
        try:
            manifest = backup.backup(target, passphrase=passphrase, skip_documents=skip_documents)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        documents = manifest["documents"]
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"Backup written to {target} (0600; it holds personal data).")
        self.stdout.write(
            f"  database: {manifest['versions']['database']}, {rows} rows in "
            f"{len(manifest['counts'])} tables"
        )
        if documents["included"]:
            self.stdout.write(
                f"  documents: {documents['files']} files, {documents['bytes']} bytes"
            )
        elif documents["storage"] == "s3":
            self.stdout.write(
                f"  documents: NOT included, they are in the S3 bucket {documents['bucket']} "
                "(back it up with versioning and replication)"
            )
        else:
            self.stdout.write("  documents: NOT included (--skip-documents)")
        if manifest["keys"]["secrets_encrypted"]:
            self.stdout.write(
                f"  keys: signing key {manifest['keys']['signing_key_id']} and SECRET_KEY, "
                f"encrypted with the passphrase from {passphrase_env}"
            )
        else:
            self.stdout.write(
                f"  keys: public keys only. The private signing key "
                f"({manifest['keys']['signing_key_id']}) is NOT in the archive: keep "
                "ATTESTATION_SIGNING_KEY in your secret store, or set "
                f"{passphrase_env} to include it encrypted."
            )
