"""Pure rules of the document review: no database, no clock (times are passed in).

A file gets a verdict (accepted, or rejected with a reason); a rejection already sent to the
person in a correction request stands (they were asked to replace the file: the new file is
what the agent reviews next). A piece's state, as the person reads it, follows from its files.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationStatus
from applications.workflow import UNDECIDED_STATES

NOTE_MAX_LENGTH = 1000


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("To replace")


class RejectionReason(models.TextChoices):
    ILLEGIBLE = "illegible", _("The file cannot be read")
    EXPIRED = "expired", _("The document has expired")
    INCOMPLETE = "incomplete", _("The document is incomplete (a page or a side is missing)")
    NOT_THE_DOCUMENT = "not_the_document", _("This is not the document asked for")
    NAME_MISMATCH = "name_mismatch", _("The name on the document does not match yours")
    OTHER = "other", _("Another reason (explained below)")


class PieceState(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    TO_REPLACE = "to_replace", _("To replace")
    NOT_REVIEWED = "not_reviewed", _("Not looked at yet")


def review_refusal(
    *,
    application_status: str,
    current: str | None,
    already_asked: bool,
    verdict: str,
    reason: str,
    note: str,
) -> str | None:
    """Why this verdict may not be recorded now (a refusal code), or None.

    Only a filed dossier without a decision is reviewed; a rejection needs a reason of the
    list, "other" a text; a rejection already sent to the person stands."""
    if application_status not in UNDECIDED_STATES:
        return "not_under_review"
    if verdict not in Verdict.values:
        return "verdict"
    if verdict == Verdict.REJECTED and reason not in RejectionReason.values:
        return "reason_required"
    if verdict == Verdict.REJECTED and reason == RejectionReason.OTHER and not note.strip():
        return "note_required"
    if len(note) > NOTE_MAX_LENGTH:
        return "note_too_long"
    if current == Verdict.REJECTED and already_asked:
        return "already_asked"
    if current == Verdict.ACCEPTED and verdict == Verdict.ACCEPTED:
        return "unchanged"
    return None


def rejected_request_refusal(*, application_status: str, rejected_count: int) -> str | None:
    """Why the rejected files may not be asked for now, or None: there must be some, and no
    correction may already be awaited (one open correction per dossier)."""
    if rejected_count == 0:
        return "nothing_rejected"
    if application_status == ApplicationStatus.CORRECTION_REQUESTED:
        return "correction_open"
    if application_status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.COMPLETE):
        return "not_under_review"
    return None


@dataclass(frozen=True)
class FileFacts:
    """What the piece's state needs of one file: when it was given, and its verdict if any."""

    uploaded_at: datetime
    verdict: str | None = None
    reviewed_at: datetime | None = None


def piece_state(files: Sequence[FileFacts]) -> str | None:
    """The state of one checklist piece from its files (None: no file given).

    A rejected file makes the piece « to replace » until a file is added after the latest
    rejection: the replacement resets it to « not looked at yet » until the agent reviews it.
    Accepted once every file that counts (those added after the latest rejection, or all when
    none is rejected) is accepted."""
    if not files:
        return None
    rejections = [f.reviewed_at for f in files if f.verdict == Verdict.REJECTED and f.reviewed_at]
    if rejections:
        latest = max(rejections)
        counting = [f for f in files if f.uploaded_at > latest]
        if not counting:
            return PieceState.TO_REPLACE
    else:
        counting = list(files)
    if all(f.verdict == Verdict.ACCEPTED for f in counting):
        return PieceState.ACCEPTED
    return PieceState.NOT_REVIEWED
