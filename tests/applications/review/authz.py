"""The document review's routes (issue 20) in the authorization matrix
(`tests/test_authorization_matrix.py`): agents of the dossier's prefecture only; another
prefecture's agent finds neither the dossier nor its file (404); the person, their helper and the
contact centre are refused the back office (403)."""

from tests.authz_common import BACK_OFFICE_DOSSIER

ROUTES = {
    "backoffice:document_review": (
        "post",
        {"reference": "reference", "document_pk": "document"},
        BACK_OFFICE_DOSSIER,
    ),
    "backoffice:rejected_pieces_request": ("post", {"reference": "reference"}, BACK_OFFICE_DOSSIER),
}


def world(world: dict) -> dict:
    return {}
