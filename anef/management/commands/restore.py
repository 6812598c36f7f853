"""`manage.py restore ARCHIVE [--force]`: an archive of `manage.py backup` into the configured
database (DATABASE_URL) and storage (anef/backup/; README "Backups").

It checks every checksum first and refuses to overwrite a database that is not empty unless given
--force. On PostgreSQL, create the new database first (`createdb`); on SQLite, point
DATABASE_URL at a new file. Keys are written only to var/ (embedded default) or to the 0600
file given by --keys-output; printed only with --show-secrets.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from anef import backup
from attestations.management.commands.signing_key import env_lines


class Command(BaseCommand):
    help = "Restore a backup archive into the configured database and document storage."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="An archive written by manage.py backup.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a database (and documents, keys) that are not empty.",
        )
        parser.add_argument(
            "--passphrase-env",
            default="ANEF_BACKUP_PASSPHRASE",
            help="Environment variable holding the passphrase of the archive's keys.",
        )
        parser.add_argument(
            "--skip-documents", action="store_true", help="Restore the database and keys only."
        )
        parser.add_argument(
            "--keys-output",
            help="Write the restored keys as environment lines to this file (0600).",
        )
        parser.add_argument(
            "--show-secrets",
            action="store_true",
            help="Also print the restored private keys on the standard output.",
        )

    def handle(self, *args, archive, force, passphrase_env, skip_documents, **options):
        passphrase = os.environ.get(passphrase_env) or None
        keys_output = options["keys_output"]
        try:
            report = backup.restore(
                Path(archive),
                force=force,
                passphrase=passphrase,
                skip_documents=skip_documents,
                keys_output=Path(keys_output) if keys_output else None,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {archive}")
        self.stdout.write(f"  database: {report.database}")
        self.stdout.write(f"  documents: {report.documents}")
        self.stdout.write(f"  keys: {report.keys}")
        for warning in report.warnings:
            self.stdout.write(f"  note: {warning}")
        if options["show_secrets"]:
            if not passphrase:
                raise CommandError(f"--show-secrets needs the passphrase in {passphrase_env}.")
            secrets = backup.restored_secrets(Path(archive), passphrase)
            self.stdout.write("\n".join(env_lines(secrets)))
