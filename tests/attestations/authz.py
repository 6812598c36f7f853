"""Authorization matrix rows of the at-risk pages (tests/test_authorization_matrix.py).

The counts page is for prefecture supervisors (`SUPERVISOR_PAGE`); that they see only their own
prefecture's figures is tested in tests/attestations/test_at_risk.py."""

from tests.authz_common import API_AGENT, SUPERVISOR_PAGE

ROUTES = {
    "attestations_backoffice:at_risk_counts": (
        "get",
        {},
        SUPERVISOR_PAGE,
    ),
    "api:agent-at-risk": ("get", {}, API_AGENT),
}


def world(world) -> dict:
    return {}
