"""Authorization matrix rows of the at-risk pages (tests/test_authorization_matrix.py).

The counts page is for prefecture supervisors (`SUPERVISOR_PAGE`); that they see only their own
prefecture's figures is tested in tests/attestations/test_at_risk.py."""

from tests.authz_common import (
    API_AGENT,
    DENIED,
    LOGIN,
    OK,
    PREFECTURE_SUPERVISOR,
    ROLES,
    SUPERVISOR_PAGE,
)

# Every prefecture's counts on one page: the administration only (no national role exists).
NATIONAL_PAGE = {
    **dict.fromkeys(ROLES, DENIED),
    "anonymous": LOGIN,
    "admin": OK,
    PREFECTURE_SUPERVISOR: DENIED,
}

ROUTES = {
    "attestations_backoffice:at_risk_counts": (
        "get",
        {},
        SUPERVISOR_PAGE,
    ),
    "api:agent-at-risk": ("get", {}, API_AGENT),
    "attestations_backoffice:at_risk_national": ("get", {}, NATIONAL_PAGE),
}


def world(world) -> dict:
    return {}
