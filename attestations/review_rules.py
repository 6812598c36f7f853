"""When the sweep must look at a group of dossiers again (`attestations_next_review_on`): a pure
rule over a ledger plan of `attestations.rules`, no database, no clock."""

from datetime import date

from attestations.rules import ADF, API, ONE_DAY, Entry, Plan

# --- When to look again -------------------------------------------------------------------------
#
# Every change `plan_ledger` makes as the days pass, facts unchanged, is one of:
# - a deposit receipt, issued on the filing day (`hold_back` when that day is later);
# - the next API of a chain, issued `api_lead_days` before its period (or on the day the right is
#   established, if later): `hold_back` where the chain stops because that day is after today;
# - the next ADF, the same way, unless the card was handed over before it falls due (never then).
# Nothing else in a plan depends on today: ends are recorded on the day of a decision, a handover
# or a re-opening (facts, whose change marks the dossier dirty); a replacement is for holder data
# that changed (the change marks the dossier dirty), and once issued leaves no stale document. An
# attestation reaching its printed last day needs no writing (`end_day_for`: it simply expires);
# the only thing it changes is the sweep's bookkeeping: a group whose dossiers are all over is
# settled (never looked at again) the day after its last document in use runs out.
# tests/attestations/test_sweep_due_dates.py checks all this against a sweep run every day.


def next_review_on(plan: Plan, *, ledger: list[Entry], all_final: bool, today: date) -> date | None:
    """The first day after `today` on which the sweep must look at a group again if none of its
    dossiers changes (a change marks them dirty and they are swept at once): the first held-back
    document's due day; for a group whose dossiers are all over, also the day after its last
    document still in use runs out (it is settled then). None: never, unless something changes.

    `ledger`: the group's entries before `plan`; `plan`: what the sweep writes today."""
    days = [plan.next_due_on] if plan.next_due_on is not None else []
    if all_final:
        ended = {entry.key for entry in plan.ended}
        last_days = [
            entry.valid_until
            for entry in [*ledger, *plan.issued]
            if entry.kind in (API, ADF)
            and entry.ended_on is None
            and entry.key not in ended
            and entry.valid_until is not None
            and entry.valid_until >= today
        ]
        if last_days:
            days.append(max(last_days) + ONE_DAY)
        elif plan.issued:
            days.append(today + ONE_DAY)  # settled tomorrow, when nothing is issued any more
    return min(days, default=None)
