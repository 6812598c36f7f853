"""`manage.py purge_documents [--dry-run] [--today YYYY-MM-DD]`: the retention run on demand.

Warns the persons whose documents are due for deletion, then deletes the stored files of the
documents whose retention period is over (applications/retention.py); prints the counts.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from applications.retention import retention_run


class Command(BaseCommand):
    help = "Warn, then delete, the documents of dossiers finished long enough ago (retention)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be done; send nothing, delete nothing.",
        )
        parser.add_argument(
            "--today",
            help="Run as if today were this day (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args, dry_run: bool = False, today: str | None = None, **options):
        day = None
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(f"--today: not a date in YYYY-MM-DD form: {today!r}") from error
        report = retention_run(day, dry_run=dry_run)
        prefix = "Dry run, nothing changed. Would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}warned: {report.warned} application(s); "
            f"purged: {report.purged_documents} document(s) "
            f"of {report.purged_applications} application(s)."
        )
