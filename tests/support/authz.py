"""The contact-centre routes of the authorization matrix (`tests/test_authorization_matrix.py`)."""

from tests.authz_common import SUPPORT_CONSOLE

ROUTES = {
    "support_console:home": ("get", {}, SUPPORT_CONSOLE),
}


def world(world: dict) -> dict:
    """Objects the support routes need, added to the shared world (none yet)."""
    return {}
