import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attestations.inputs import attestation_inputs_check
from attestations.services import attestations_sweep, attestations_sweep_due_count


class _Progress:
    """One line on stderr, at most once a second: dossiers claimed, issued, per second, ETA."""

    def __init__(self, total: int, stream, clock=time.monotonic):
        self.total, self.stream, self.clock = total, stream, clock
        self.started = clock()
        self.shown_at: float | None = None

    def __call__(self, report) -> None:
        now = self.clock()
        if self.shown_at is not None and now - self.shown_at < 1:
            return
        self.shown_at = now
        elapsed = max(now - self.started, 1e-6)
        rate = report.applications / elapsed
        left = max(self.total - report.applications, 0)
        eta = f"{left / rate:.0f} s" if rate else "?"
        self.stream.write(
            f"{report.applications}/{self.total} dossiers claimed, {report.issued} issued, "
            f"{rate:.0f}/s, ETA {eta}"
        )
        self.stream.flush()


class Command(BaseCommand):
    help = "Issue the attestations due today (or on --date) and end those that have ended."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Sweep as if today were this day (YYYY-MM-DD).")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--shard",
            help="Sweep only the dossiers whose id is K modulo N, given as K/N (e.g. 0/4).",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Print dossiers claimed, issued, per second and ETA on stderr (once a second).",
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError("--date must be a date like 2027-03-01") from exc
        shard, shards = 0, 1
        if options["shard"]:
            try:
                shard, shards = (int(part) for part in options["shard"].split("/"))
            except ValueError as exc:
                raise CommandError("--shard must be K/N, e.g. 0/4") from exc
            if not (shards >= 1 and 0 <= shard < shards):
                raise CommandError("--shard K/N needs 0 <= K < N")
        inputs = attestation_inputs_check()
        if inputs.dossiers_marked:
            changed = (["policy"] if inputs.policy_changed else []) + inputs.grounds_changed
            self.stdout.write(
                f"Rules' inputs changed ({', '.join(changed)}): "
                f"{inputs.dossiers_marked} dossiers to look at again."
            )
        progress = None
        if options["progress"]:
            total = attestations_sweep_due_count(
                today=today or timezone.localdate(), shard=shard, shards=shards
            )
            progress = _Progress(total, self.stderr)
        report = attestations_sweep(
            today=today,
            batch_size=options["batch_size"],
            shard=shard,
            shards=shards,
            progress=progress,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.applications} dossiers looked at in {report.batches} batches: "
                f"{report.issued} attestations issued, {report.updated} updated."
            )
        )
