"""Reads of the document review, each for the page that shows it (providers of the dossier
pages' panels, registered in `ApplicationsConfig.ready`). A constant number of queries whatever
the number of pieces and files."""

from dataclasses import dataclass, field

from accounts.permissions import can_use_portal
from applications.enums import ApplicationStatus
from applications.models import Application, Document
from applications.permissions import get_abilities
from applications.review.models import DocumentReview
from applications.review.rules import (
    FileFacts,
    PieceState,
    RejectionReason,
    Verdict,
    piece_state,
)
from applications.workbench.services import is_agent_of
from applications.workflow import UNDECIDED_STATES

PANEL = "document_review"


def _pieces(application: Application) -> list[Document]:
    """The dossier's checklist files (not error reports' evidence), with their verdicts."""
    return list(
        Document.objects.filter(application=application, error_report__isnull=True)
        .select_related("document_type", "review")
        .order_by("document_type__code", "uploaded_at", "pk")
    )


def _review_of(document: Document) -> DocumentReview | None:
    try:
        return document.review
    except DocumentReview.DoesNotExist:
        return None


@dataclass
class PieceReview:
    """One piece of the checklist as the review shows it: its files and their verdicts."""

    code: str
    label: str
    files: list = field(default_factory=list)  # (document, review or None)
    state: str | None = None
    reasons: list = field(default_factory=list)  # (reason label, note) of the rejections

    @property
    def state_label(self):
        return PieceState(self.state).label if self.state else ""


def _by_piece(documents: list[Document]) -> list[PieceReview]:
    pieces: dict[int, PieceReview] = {}
    for document in documents:
        piece = pieces.setdefault(
            document.document_type_id,
            PieceReview(document.document_type.code, document.document_type.label),
        )
        piece.files.append((document, _review_of(document)))
    for piece in pieces.values():
        piece.state = piece_state(
            [
                FileFacts(
                    document.uploaded_at,
                    review.verdict if review else None,
                    review.reviewed_at if review else None,
                )
                for document, review in piece.files
            ]
        )
        if piece.state == PieceState.TO_REPLACE:
            piece.reasons = [
                (RejectionReason(review.reason).label, review.note)
                for _document, review in piece.files
                if review is not None and review.verdict == Verdict.REJECTED
            ]
    return list(pieces.values())


def review_panel(user, application: Application) -> dict:
    """The back office's review block, for an agent of the dossier's prefecture."""
    if not is_agent_of(user, application):
        return {"review": None}
    documents = _pieces(application)
    waiting = [
        document
        for document in documents
        if (review := _review_of(document)) is not None
        and review.verdict == Verdict.REJECTED
        and review.asked_in_id is None
    ]
    return {
        "review": {
            "pieces": _by_piece(documents),
            "may_review": application.status in UNDECIDED_STATES,
            "rejected_waiting": len(waiting),
            "reasons": RejectionReason.choices,
        }
    }


def piece_states(user, application: Application) -> dict:
    """The portal's states of the checklist pieces, by document type code, for the person and
    their helper under a mandate (whoever may view the dossier in the portal)."""
    if not (can_use_portal(user) and get_abilities(user, application)["view"]):
        return {"piece_states": {}, "pieces_to_replace": set()}
    if application.status == ApplicationStatus.DRAFT:
        return {"piece_states": {}, "pieces_to_replace": set()}
    states = {piece.code: piece for piece in _by_piece(_pieces(application))}
    # A piece to replace has its upload form open: the person came for it.
    to_replace = {code for code, piece in states.items() if piece.state == PieceState.TO_REPLACE}
    return {"piece_states": states, "pieces_to_replace": to_replace}
