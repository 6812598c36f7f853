"""Statuses, kinds and choices of the contact centre (DESIGN.md §3 "support", issue 5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketChannel(models.TextChoices):
    """How the person reached us."""

    WEB_FORM = "web_form", _("Contact form (no account)")
    PORTAL = "portal", _("Personal space")
    PHONE = "phone", _("Phone call")
    # Opened by the system (issue 21: a dossier that takes much longer than most).
    AUTOMATIC = "automatic", _("Opened automatically")


class TicketCategory(models.TextChoices):
    CANNOT_CREATE_ACCOUNT = "cannot_create_account", _("I cannot create an account")
    CANNOT_LOG_IN = "cannot_log_in", _("I cannot sign in")
    UPLOAD_FAILS = "upload_fails", _("I cannot add a document")
    ATTESTATION_MISSING = "attestation_missing", _("I have not received my attestation")
    ERROR_IN_RECORD = "error_in_record", _("There is an error in my record")
    QUESTION_ABOUT_RIGHTS = "question_about_rights", _("A question about my rights")
    # The accessibility statement's feedback channel (loi n° 2005-102, art. 47).
    ACCESSIBILITY = "accessibility", _("Accessibility problem")
    # An employer, landlord or body checking an attestation (issue 21): answered with what
    # `/verify` shows, nothing more.
    CHECKER = "checker", _("I am checking an attestation (employer, landlord, body)")
    # Opened by the daily inquiry: the dossier takes 30 days longer than most (issue 21).
    PROCESSING_DELAY = "processing_delay", _("Processing takes longer than most")
    OTHER = "other", _("Something else")


class TicketStatus(models.TextChoices):
    """Ticket states; the allowed moves are in support/workflow.py."""

    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_ON_APPLICANT = "waiting_on_applicant", _("Waiting for the person's answer")
    ESCALATED = "escalated", _("Sent to the prefecture")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class TicketPriority(models.IntegerChoices):
    """Higher is more urgent; the deadline sweep raises it one step when a deadline is missed."""

    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Message")
    NOTE = "note", _("Internal note (never shown to the person)")


class AuthorSide(models.TextChoices):
    """Who wrote a message: the person (or their helper), the contact centre, the prefecture."""

    REQUESTER = "requester", _("The person")
    CONTACT_CENTRE = "contact_centre", _("Contact centre")
    PREFECTURE = "prefecture", _("Prefecture")


class TicketEventKind(models.TextChoices):
    CREATED = "created", _("Request received")
    TAKEN = "taken", _("Taken by an agent")
    ASSIGNED = "assigned", _("Assigned")
    REPLIED = "replied", _("Answer sent")
    REQUESTER_REPLIED = "requester_replied", _("The person answered")
    NOTE_ADDED = "note_added", _("Internal note")
    ESCALATED_TO_PREFECTURE = "escalated_to_prefecture", _("Sent to the prefecture")
    PREFECTURE_REPLIED = "prefecture_replied", _("The prefecture answered")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed: priority raised")
    CALLBACK_SCHEDULED = "callback_scheduled", _("Callback scheduled")
    CALLBACK_MADE = "callback_made", _("Callback made")
    CALLBACK_MISSED = "callback_missed", _("Callback missed")
    TECHNICAL_IMPOSSIBILITY_CONFIRMED = (
        "technical_impossibility_confirmed",
        _("Technical impossibility confirmed"),
    )
    IDENTITY_CHECKED = "identity_checked", _("Identity checked")
    ACCOUNT_EMAIL_CHANGED = "account_email_changed", _("Account e-mail changed")
    PASSWORD_RESET_SENT = "password_reset_sent", _("Password reset link sent")
    RECOVERY_REQUESTED = "recovery_requested", _("Account recovery requested")
    RECOVERY_FACTS_CHECKED = "recovery_facts_checked", _("Identity facts compared with the record")
    RECOVERY_DESK_CHECKED = "recovery_desk_checked", _("Identity checked at a prefecture desk")
    RECOVERY_APPROVED = "recovery_approved", _("Account recovery approved by a supervisor")
    RECOVERY_REFUSED = "recovery_refused", _("Account recovery refused by a supervisor")
    RECOVERY_STOPPED = "recovery_stopped", _("Account recovery stopped from the old address")


# Events the person sees in their thread; the others are for staff only.
PUBLIC_EVENT_KINDS = frozenset(
    {
        TicketEventKind.CREATED,
        TicketEventKind.ESCALATED_TO_PREFECTURE,
        TicketEventKind.RESOLVED,
        TicketEventKind.CLOSED,
        TicketEventKind.REOPENED,
        TicketEventKind.TECHNICAL_IMPOSSIBILITY_CONFIRMED,
        TicketEventKind.ACCOUNT_EMAIL_CHANGED,
        TicketEventKind.PASSWORD_RESET_SENT,
    }
)


class IdentityCheck(models.TextChoices):
    """Checkboxes of the former account recovery, kept only to read old tickets: since issue 15
    the facts are typed and compared by the system (`support.recovery`)."""

    FOREIGNER_NUMBER = "foreigner_number", _("Foreigner number (AGDREF) given matches")
    BIRTH_DATE_AND_PLACE = "birth_date_and_place", _("Birth date and place given match")
    POSTAL_ADDRESS = "postal_address", _("Postal address given matches")
    IDENTITY_DOCUMENT = (
        "identity_document",
        _("Identity document reference given matches (read out, never sent)"),
    )
    PERMIT_NUMBER = "permit_number", _("Residence card number given matches")
    APPLICATION_REFERENCE = "application_reference", _("Application reference given matches")


class PersonalDataScope(models.TextChoices):
    """What part of a person's record an agent saw."""

    IDENTITY = "identity", _("Identity and contact details")
    DOSSIERS = "dossiers", _("Identity and applications (statuses and dates)")
    # Prefecture agents in the back office (issue 8, personal data): the dossier page shows
    # identity, documents list and history; a document is one file opened.
    DOSSIER = "dossier", _("Application, identity and list of documents")
    DOCUMENT = "document", _("One document of the application")
    SUBSTITUTION = "substitution", _("Substitution case (identity and contact details)")


class RecoveryStatus(models.TextChoices):
    """An account recovery (a new e-mail address given by the contact centre), issue 15."""

    AWAITING_DESK_CHECK = "awaiting_desk_check", _("Waiting for an identity check at a desk")
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for a supervisor's approval")
    APPROVED = "approved", _("Approved: the e-mail address was changed")
    REFUSED = "refused", _("Refused by a supervisor")
    EXPIRED = "expired", _("Expired before approval")
    STOPPED = "stopped", _("Stopped from the old address: account locked")


OPEN_RECOVERY_STATUSES = (RecoveryStatus.AWAITING_DESK_CHECK, RecoveryStatus.AWAITING_APPROVAL)


class DeskDocumentKind(models.TextChoices):
    """The original paper a prefecture agent saw at the desk."""

    PASSPORT = "passport", _("Passport")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    IDENTITY_CARD = "identity_card", _("National identity card")
    OTHER = "other", _("Other identity document")


class CallbackStatus(models.TextChoices):
    """A callback the person asked for (issue 21): scheduled, then made or missed."""

    SCHEDULED = "scheduled", _("Scheduled")
    MADE = "made", _("Call made")
    MISSED = "missed", _("No answer")
    CANCELLED = "cancelled", _("Cancelled")
