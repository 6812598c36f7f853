"""The expert opinions' routes (issue 20) in the authorization matrix
(`tests/test_authorization_matrix.py`). The world's opinion was asked by `agent` of an outside
service and answered with a file: agents of the dossier's prefecture reach it; another
prefecture's agent finds nothing (404); the person, their helper and the contact centre are
refused the back office (403)."""

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import Application
from applications.opinions.models import Opinion
from applications.opinions.rules import OpinionStatus
from tests.applications.factories import PDF_BYTES
from tests.authz_common import BACK_OFFICE_DOSSIER

_OPINION = {"reference": "reference", "pk": "opinion"}

ROUTES = {
    "backoffice:opinion_ask": ("post", {"reference": "reference"}, BACK_OFFICE_DOSSIER),
    "backoffice:opinion_answer": ("post", _OPINION, BACK_OFFICE_DOSSIER),
    "backoffice:opinion_withdraw": ("post", _OPINION, BACK_OFFICE_DOSSIER),
    "backoffice:opinion_file": ("get", _OPINION, BACK_OFFICE_DOSSIER),
}


def world(world: dict) -> dict:
    agent = world["users"]["agent"]
    application = Application.objects.get(reference=world["reference"])
    opinion = Opinion(
        application=application,
        prefecture_id=application.prefecture_id,
        asked_by=agent,
        outside_service="Consulate",
        question="Is it genuine?",
        status=OpinionStatus.ANSWERED,
        answer="Yes",
        answered_by=agent,
        answered_at=timezone.now(),
        answer_content_type="application/pdf",
        answer_file_name="answer.pdf",
    )
    opinion.answer_file.save("answer.pdf", ContentFile(PDF_BYTES), save=False)
    opinion.save()
    return {"opinion": opinion.pk}
