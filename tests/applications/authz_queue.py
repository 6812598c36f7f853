"""The queue's saved views and bulk actions (issue 20) in the authorization matrix
(`tests/test_authorization_matrix.py`).

A saved view is its agent's alone: the world's view belongs to `agent`; `other_agent` (another
prefecture) and a supervisor of the same prefecture get a 404, as if it did not exist. The save
and the bulk action are the back office's (an empty POST: the agent is sent back to the queue
with a message). The bulk action's own attack test (ids of another prefecture's dossiers):
tests/applications/workbench/test_bulk_actions.py."""

from applications.models import SavedQueueView
from tests.authz_common import BACK_OFFICE_PAGE, HIDDEN

ROUTES = {
    "backoffice:saved_view_create": ("post", {}, BACK_OFFICE_PAGE),
    "backoffice:saved_view_delete": (
        "post",
        {"pk": "saved_view"},
        {**BACK_OFFICE_PAGE, "other_agent": HIDDEN, "prefecture_supervisor": HIDDEN},
    ),
    "backoffice:bulk_action": ("post", {}, BACK_OFFICE_PAGE),
}


def world(world: dict) -> dict:
    view = SavedQueueView.objects.create(
        agent=world["users"]["agent"], name="Students", query="ground=student"
    )
    return {"saved_view": view.pk}
