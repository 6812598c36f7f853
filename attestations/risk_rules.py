"""Renewals the law leaves uncovered (DESIGN.md §3): pure rules over the dossier facts of
`attestations.rules`, read by the agents' at-risk pages and the person's dashboard notice."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from attestations.rules import (
    DossierFacts,
    Policy,
    _decision_day,
    entitled_to_api,
    renewal_filed_in_time,
)

# --- At risk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Risk:
    code: str
    days_left: int | None = field(default=None)


RISK_FILED_LATE = "filed_late"
RISK_INCOMPLETE_NEAR_EXPIRY = "incomplete_near_expiry"


def renewal_risk(
    facts: DossierFacts,
    today: date,
    policy: Policy,
    *,
    siblings: Iterable[DossierFacts] = (),
) -> Risk | None:
    """A renewal the law leaves uncovered: filed outside the window, or still incomplete close
    to (or after) the permit's expiry. Agents see it on their at-risk list; the person is told
    what to do (DESIGN.md §3).

    `siblings` are the other applications renewing the same permit: while one of them, filed in
    time and complete, is undecided, the permit's API chain covers the person (one chain per
    permit), so a late or incomplete second application leaves nobody uncovered."""
    if not facts.is_renewal or facts.permit_expires_on is None or facts.filed_on is None:
        return None
    if _decision_day(facts) is not None:
        return None
    if any(
        entitled_to_api(sibling, policy) and _decision_day(sibling) is None
        for sibling in siblings
        if sibling.application_id != facts.application_id
    ):
        return None
    days_left = (facts.permit_expires_on - today).days
    if not renewal_filed_in_time(
        facts.filed_on,
        facts.permit_expires_on,
        policy,
        renewed_online=facts.renewed_online,
        outages=facts.outages,
    ):
        return Risk(RISK_FILED_LATE, days_left)
    if (
        facts.completed_on is None
        and not policy.issue_on_filing
        and days_left <= policy.at_risk_days_before_expiry
    ):
        return Risk(RISK_INCOMPLETE_NEAR_EXPIRY, days_left)
    return None
