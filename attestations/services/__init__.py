"""Issuing attestations: the sweep computes, from the database alone, which attestations must
exist today and issues what is missing (DESIGN.md §3). It is the source of truth: a lost
message or a crashed worker only delays an attestation, never loses it.

The ledger (DESIGN.md §3): what was issued is never rewritten. The rules (`plan_ledger`) read
the dossiers' facts and what was really issued, and say what to issue next and which ends to
record; this package writes exactly that.

Exactly once: dossiers are claimed with `select_for_update(skip_locked=True)` (two sweeps at once
take different dossiers), the permits they renew are locked in a fixed order (one chain of APIs
per permit), and unique constraints (one deposit receipt per dossier, one first API per permit,
one successor and one replacement per attestation) refuse a second copy whatever happens: a
sweep that meets one leaves that group for the next run.

One module per responsibility, every public name re-exported here (callers import
`attestations.services`):

- `documents`: what a new attestation prints (holder's data, rights, legal sentence);
- `ledger`: a batch's groups, their plans, the ends and new attestations written;
- `sweep`: which dossiers, claimed how, in shards and batches; one dossier after a change;
- `impossibility`: the contact centre's acknowledgement of a technical impossibility.

A test that replaces a helper patches it in the module that uses it (e.g.
`attestations.services.sweep._sync_batch`, `attestations.services.sweep.sweepable`), not here."""

from attestations.services.documents import BENEFITS_SENTENCE, DEPOSIT_SENTENCE, holder_snapshot_of
from attestations.services.impossibility import (
    TECHNICAL_IMPOSSIBILITY_SENTENCE,
    issue_technical_impossibility,
)
from attestations.services.ledger import FINAL_STATES
from attestations.services.sweep import (
    NEVER_AGAIN,
    PROGRESS_LOG_BATCHES,
    SweepReport,
    attestations_sweep,
    attestations_sweep_due_count,
    attestations_sync_application,
    sweepable,
)

__all__ = [
    "BENEFITS_SENTENCE",
    "DEPOSIT_SENTENCE",
    "FINAL_STATES",
    "NEVER_AGAIN",
    "PROGRESS_LOG_BATCHES",
    "TECHNICAL_IMPOSSIBILITY_SENTENCE",
    "SweepReport",
    "attestations_sweep",
    "attestations_sweep_due_count",
    "attestations_sync_application",
    "holder_snapshot_of",
    "issue_technical_impossibility",
    "sweepable",
]
