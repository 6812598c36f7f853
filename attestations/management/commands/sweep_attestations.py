from datetime import date

from django.core.management.base import BaseCommand, CommandError

from attestations.services import attestations_sweep


class Command(BaseCommand):
    help = "Issue the attestations due today (or on --date) and end those that have ended."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Sweep as if today were this day (YYYY-MM-DD).")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError("--date must be a date like 2027-03-01") from exc
        report = attestations_sweep(today=today, batch_size=options["batch_size"])
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.applications} dossiers looked at in {report.batches} batches: "
                f"{report.issued} attestations issued, {report.updated} updated."
            )
        )
