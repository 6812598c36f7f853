"""The routes of the dossier's message thread (issue 20) in the authorization matrix
(`tests/test_authorization_matrix.py`).

Posting and the files of the thread follow the dossier: in the portal the person and the helper
under a mandate covering it (another applicant, a helper without mandate: 404); in the back
office the agents of its prefecture (another prefecture's: 404). Contact-centre staff are refused
both (403): they never see a message nor its files (tests/applications/messages/test_views.py)."""

from applications.messages.services import message_post
from applications.models import Application
from tests.applications.factories import pdf_upload
from tests.authz_common import BACK_OFFICE_DOSSIER, PORTAL_DOSSIER

_DOSSIER = {"reference": "reference"}
_FILE = {"reference": "reference", "pk": "thread_file"}

ROUTES = {
    "portal:message_post": ("post", _DOSSIER, PORTAL_DOSSIER),
    "portal:message_attachment": ("get", _FILE, PORTAL_DOSSIER),
    "backoffice:message_post": ("post", _DOSSIER, BACK_OFFICE_DOSSIER),
    "backoffice:message_attachment": ("get", _FILE, BACK_OFFICE_DOSSIER),
}


def world(world: dict) -> dict:
    application = Application.objects.get(reference=world["reference"])
    message = message_post(
        application=application,
        actor=world["users"]["applicant"],
        body="A question",
        attachments=[pdf_upload("proof.pdf")],
    )
    return {"thread_file": message.attachments.get().pk}
