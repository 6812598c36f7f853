"""Turning the old engine's attestation rows into ledger rows (attestations migration 0003).

The old engine kept a rank per attestation, a status and a last day that it recomputed from
today's facts; the ledger keeps what was issued and records an end once, with its reason. This
conversion changes no number, no printed field and no validity; it records, for each row, the
end the old row implied (and why), the chain links and the permit an API continues, and it
corrects what the old engine got wrong, writing each correction to `LedgerCorrection` with its
reason (listed by `manage.py attestations_ledger_report`):

- an API shown as revoked while its dossier was still undecided (the old engine renumbered a
  chain when a dossier was completed again): it was valid, it gets no end;
- two valid APIs of one dossier overlapping: the older ends the day the newer starts, as
  superseded;
- a second chain of APIs for the same permit (two applications renewing it): the chain of the
  application complete first keeps the permit; the other keeps its documents as issued, is no
  longer continued, and those still in use end today as superseded.

It works on the historical models the migration passes, so it runs whatever the code is later.
"""

from datetime import date, timedelta
from itertools import pairwise

ONE_DAY = timedelta(days=1)
DECISION_REASONS = {"unfavourable": "refused", "closed": "closed", "withdrawn": "withdrawn"}
FAVOURABLE = {"favourable", "card_available", "closed_card_handed_over"}


def _last_day(row):
    return row.ended_on - ONE_DAY if row.ended_on is not None else row.valid_until


class _Report:
    def __init__(self, model, dry_run: bool):
        self.model, self.dry_run, self.rows = model, dry_run, []

    def add(self, row, field: str, before, after, reason: str) -> None:
        self.rows.append(
            self.model(
                number=row.number,
                field=field,
                before="" if before is None else str(before)[:200],
                after="" if after is None else str(after)[:200],
                reason=reason,
            )
        )


def _implied_end(row, application):
    """The end the old row implied: (ended_on, reason), or (None, why-not) when none."""
    old_last = row.ends_on
    if old_last is None or row.valid_until is None or old_last >= row.valid_until:
        return None, ""
    ended_on = max(old_last + ONE_DAY, row.valid_from)
    decision = DECISION_REASONS.get(application.status)
    if row.status == "superseded":
        return ended_on, "superseded"
    if row.status == "expired":
        return ended_on, "card_handed_over"
    if row.status == "revoked":
        if decision is None:
            return None, "undecided"
        return ended_on, decision
    # Still valid with a known end ahead: the reason follows from the dossier.
    if row.kind == "adf" and application.card_handed_over_on is not None:
        return ended_on, "card_handed_over"
    if decision is not None:
        return ended_on, decision
    return ended_on, "superseded"


def convert(Attestation, Application, LedgerCorrection, *, today: date, dry_run: bool = False):
    """Convert every row; return the corrections (saved unless `dry_run`)."""
    report = _Report(LedgerCorrection, dry_run)
    rows = list(
        Attestation.objects.exclude(kind__in=["deposit_receipt", "technical_impossibility"])
        .filter(application__isnull=False)
        .order_by("application_id", "kind", "period", "pk")
    )
    applications = {
        application.pk: application
        for application in Application.objects.filter(pk__in={row.application_id for row in rows})
    }
    by_application: dict[int, list] = {}
    for row in rows:
        by_application.setdefault(row.application_id, []).append(row)
    # 1. Ends implied by the old rows.
    for row in rows:
        application = applications[row.application_id]
        ended_on, reason = _implied_end(row, application)
        if ended_on is None and reason == "undecided":
            report.add(
                row,
                "end",
                f"revoked ({row.ends_on})",
                "none",
                "Shown as revoked by the old engine while its dossier was still undecided (a "
                "chain renumbered when the dossier was completed again): it was valid.",
            )
        row.ended_on, row.end_reason = ended_on, reason if ended_on is not None else ""
    # 2. Chains: continues links; overlapping APIs of one dossier.
    for application_id, chain in by_application.items():
        apis = sorted((row for row in chain if row.kind == "api"), key=lambda r: r.valid_from)
        adfs = sorted((row for row in chain if row.kind == "adf"), key=lambda r: r.valid_from)
        for older, newer in pairwise(apis):
            last = _last_day(older)
            if last is not None and last >= newer.valid_from:
                before = older.ended_on
                older.ended_on = max(newer.valid_from, older.valid_from)
                older.end_reason = "superseded"
                report.add(
                    older,
                    "ended_on",
                    before,
                    older.ended_on,
                    f"Overlapped {newer.number} of the same dossier (two valid APIs on the "
                    "same days): it ends the day the newer one starts.",
                )
        ordered = apis + adfs
        for previous, row in pairwise(ordered):
            row.continues_id = previous.pk
        application = applications[application_id]
        if application.kind in ("renewal", "change_of_status") and application.renews_permit_id:
            for row in apis:
                row.permit_id = application.renews_permit_id
    # 3. One chain of APIs per permit: the first complete application's chain keeps it.
    chains: dict[int, list[int]] = {}
    for application_id, chain in by_application.items():
        permit_id = next((row.permit_id for row in chain if row.permit_id), None)
        if permit_id:
            chains.setdefault(permit_id, []).append(application_id)
    for permit_id, application_ids in chains.items():
        if len(application_ids) < 2:
            continue

        def first_start(application_id):
            apis = [row for row in by_application[application_id] if row.kind == "api"]
            return (min(row.valid_from for row in apis), application_id)

        kept, *others = sorted(application_ids, key=first_start)
        for application_id in others:
            for row in by_application[application_id]:
                if row.kind != "api":
                    continue
                row.permit_id = None
                report.add(
                    row,
                    "permit",
                    permit_id,
                    "",
                    f"A second chain of APIs for the same permit (the old engine issued one per "
                    f"application): the chain of dossier {kept} continues the permit.",
                )
                last = _last_day(row)
                if row.ended_on is None and (last is None or last >= today):
                    row.ended_on = max(today, row.valid_from)
                    row.end_reason = "superseded"
                    report.add(
                        row,
                        "ended_on",
                        None,
                        row.ended_on,
                        "Still in use while the permit's chain covers the same days: it ends "
                        "today as replaced by the permit's chain.",
                    )
            # The ADF of a dossier whose chain lost the permit continues nothing of it.
    if not dry_run:
        for row in rows:
            row.save(update_fields=["ended_on", "end_reason", "continues_id", "permit_id"])
        LedgerCorrection.objects.bulk_create(report.rows)
    return report.rows
