"""The workbench's API routes (issue 20) in the authorization matrix
(`tests/test_authorization_matrix.py`): agents of the dossier's prefecture only. The lists are
the agent's own prefecture's (`other_agent` gets its own, empty, list); a dossier's notes and its
assignment are a 404 for another prefecture's agent, a 403 for every other role (attacks:
tests/applications/test_api_workbench.py)."""

from tests.authz_common import API_AGENT, API_AGENT_DOSSIER

ROUTES = {
    "api:agent-workbench-mine": ("get", {}, API_AGENT),
    "api:agent-workbench-unassigned": ("get", {}, API_AGENT),
    "api:agent-workbench-followed": ("get", {}, API_AGENT),
    "api:agent-application-notes": ("get", {"reference": "reference"}, API_AGENT_DOSSIER),
    # POST {}: the agent takes the dossier for themself (200).
    "api:agent-application-assign": ("post", {"reference": "reference"}, API_AGENT_DOSSIER),
}


def world(world: dict) -> dict:
    return {}
