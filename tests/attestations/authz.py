"""Authorization matrix rows of the at-risk pages (tests/test_authorization_matrix.py).

The counts page is for prefecture supervisors: the matrix's agents hold no supervisor
permission, so every role is refused there; a supervisor's access (and only to their own
prefecture's figures) is tested in tests/attestations/test_at_risk.py."""

from tests.authz_common import API_AGENT, BACK_OFFICE_PAGE, DENIED

ROUTES = {
    "attestations_backoffice:at_risk_counts": (
        "get",
        {},
        {**BACK_OFFICE_PAGE, "agent": DENIED, "other_agent": DENIED},
    ),
    "api:agent-at-risk": ("get", {}, API_AGENT),
}


def world(world) -> dict:
    return {}
