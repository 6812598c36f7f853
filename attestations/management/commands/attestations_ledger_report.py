"""List what the migration to the ledger corrected (attestations migration 0003), with why.

    manage.py attestations_ledger_report            # the corrections recorded by the migration
    manage.py attestations_ledger_report --number API-2027-…

Before migrating a copy of production, `manage.py migrate attestations 0003 --plan` shows the
step; the corrections are recorded in the same transaction as the conversion, so this report
is what was really done (nothing printed is ever changed by it: see
attestations/ledger_migration.py).
"""

from django.core.management.base import BaseCommand

from attestations.models import LedgerCorrection


class Command(BaseCommand):
    help = "List the corrections the migration to the attestation ledger made, with reasons."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--number", help="Only this attestation.")

    def handle(self, *args, number: str | None = None, **options) -> None:
        corrections = LedgerCorrection.objects.all()
        if number:
            corrections = corrections.filter(number=number.strip().upper())
        count = 0
        for correction in corrections.iterator():
            count += 1
            self.stdout.write(
                f"{correction.number}  {correction.field}: {correction.before or '—'} → "
                f"{correction.after or '—'}\n    {correction.reason}"
            )
        self.stdout.write(f"{count} correction(s).")
