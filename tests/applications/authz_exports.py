"""The routes of the queue exports and the prefecture's figures (issue 20) in the authorization
matrix (`tests/test_authorization_matrix.py`).

An export is its agent's alone: the world's export belongs to `agent`; `other_agent` (another
prefecture) gets a 404, as if it did not exist (another agent of the same prefecture too:
tests/applications/test_exports.py). The figures are counts, nothing personal: every agent sees
their own prefecture's, administrators any prefecture's."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.exports.models import ExportStatus, QueueExport
from tests.authz_common import BACK_OFFICE_PAGE, HIDDEN, OK

ROUTES = {
    "backoffice:exports": ("get", {}, BACK_OFFICE_PAGE),
    "backoffice:export_new": ("get", {}, BACK_OFFICE_PAGE),
    "backoffice:export_download": (
        "get",
        {"pk": "queue_export"},
        # Only the agent who asked: a colleague of the same prefecture, even a supervisor,
        # does not find it.
        {**BACK_OFFICE_PAGE, "other_agent": HIDDEN, "prefecture_supervisor": HIDDEN},
    ),
    "backoffice:statistics": ("get", {}, {**BACK_OFFICE_PAGE, "admin": OK}),
}


def world(world: dict) -> dict:
    agent = world["users"]["agent"]
    export = QueueExport(
        requested_by=agent,
        prefecture_id=agent.prefecture_id,
        file_format="csv",
        status=ExportStatus.DONE,
        progress=100,
        row_count=1,
        expires_at=timezone.now() + datetime.timedelta(hours=24),
    )
    export.file.save("x.csv", ContentFile(b"Reference\r\nA1\r\n"), save=False)
    export.save()
    return {"queue_export": export.pk}
