from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    """Dossier states (DESIGN.md §3). Transitions are in applications/workflow.py."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    COMPLETE = "complete", _("Complete, being examined")
    FAVOURABLE = "favourable", _("Favourable decision")
    CARD_AVAILABLE = "card_available", _("Card ready to collect")
    CLOSED_CARD_HANDED_OVER = "closed_card_handed_over", _("Card handed over")
    UNFAVOURABLE = "unfavourable", _("Refused")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RequestedCard(models.TextChoices):
    """What a renewal asks for: the same card, or a longer one (issue: dossiers)."""

    SAME = "same", _("The same card")
    MULTI_YEAR = "multi_year", _("A multi-year card")
    RESIDENT = "resident", _("A resident card")


class Channel(models.TextChoices):
    """How the application reached us; every channel follows the same rules."""

    ONLINE = "online", _("Online")
    DESK = "desk", _("At the prefecture desk")
    POST = "post", _("By post")
    EMAIL = "email", _("By e-mail")


class ErrorReportCategory(models.TextChoices):
    PREVIOUS_CARD_HANDOVER = (
        "previous_card_handover",
        _("My previous card was handed over to me, but this is not recorded"),
    )
    WRONG_IDENTITY = "wrong_identity", _("My identity details are wrong")
    WRONG_ADDRESS = "wrong_address", _("My address is wrong")
    OTHER = "other", _("Something else is wrong")


class ErrorReportStatus(models.TextChoices):
    OPEN = "open", _("Being checked")
    ACCEPTED = "accepted", _("Accepted: the record was corrected")
    REJECTED = "rejected", _("Rejected")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for your answer")
    ANSWERED = "answered", _("Answered")
    CANCELLED = "cancelled", _("Cancelled")


class NotificationChannel(models.TextChoices):
    """How a decision reached the person (issue 18): the remedies' two months run from it."""

    PORTAL_EMAIL = "portal_email", _("In the online account, with an e-mail")
    LETTER = "letter", _("By letter")
    HAND_DELIVERY = "hand_delivery", _("Handed over at the prefecture")


class EventKind(models.TextChoices):
    """Timeline entries; their plain-language text is in applications/timeline.py."""

    CREATED = "created", _("Application started")
    SUBMITTED = "submitted", _("Application submitted")
    DEPOSIT_RECEIPT = "deposit_receipt", _("Deposit receipt")
    DOCUMENT_ADDED = "document_added", _("Document added")
    DOCUMENT_REMOVED = "document_removed", _("Document removed")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    CORRECTION_ANSWERED = "correction_answered", _("Correction sent")
    COMPLETE = "complete", _("Application complete")
    DECIDED_FAVOURABLE = "decided_favourable", _("Favourable decision")
    DECIDED_UNFAVOURABLE = "decided_unfavourable", _("Refusal")
    CLOSED = "closed", _("Application closed")
    DECISION_NOTIFIED = "decision_notified", _("Decision notified")
    OBLIGATION_TO_LEAVE_RECORDED = (
        "obligation_to_leave_recorded",
        _("Obligation to leave France recorded"),
    )
    CARD_AVAILABLE = "card_available", _("Card ready")
    CARD_HANDED_OVER = "card_handed_over", _("Card handed over")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
    REOPENED = "reopened", _("Application re-opened")
    ERROR_REPORTED = "error_reported", _("Error reported")
    ERROR_REPORT_ACCEPTED = "error_report_accepted", _("Error report accepted")
    ERROR_REPORT_REJECTED = "error_report_rejected", _("Error report rejected")
    ADDRESS_CHANGED = "address_changed", _("Address changed")
    TRANSFERRED = "transferred", _("Moved to another prefecture")
    FOREIGNER_NUMBER_ATTACHED = "foreigner_number_attached", _("Foreigner number added")
    PERMIT_RECORD_CORRECTED = "permit_record_corrected", _("Permit record corrected")
    # Retention of documents (issue 8, applications/retention.py).
    DOCUMENTS_RETENTION_WARNING = (
        "documents_retention_warning",
        _("Documents to be deleted soon"),
    )
    DOCUMENTS_PURGED = "documents_purged", _("Documents deleted (retention period)")
    # The message thread (issue 20, applications/messages/): named as the prefecture sees them.
    MESSAGE_SENT = "message_sent", _("Message sent")
    MESSAGE_RECEIVED = "message_received", _("Message received")
