"""Contact-centre models: tickets, their thread, saved answers, and the log of who looked at
whose personal data (DESIGN.md §3 "support", issue 5).

"Exactly once" is enforced by the database: a ticket has at most one written acknowledgement
and one substitution case (two OneToOne links), so a second confirmation of a technical
impossibility is impossible, whatever the number of clicks or agents at once.
"""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from anef.models import TimelineEvent
from anef.uploads import served_extension
from support.enums import (
    OPEN_RECOVERY_STATUSES,
    AuthorSide,
    DeskDocumentKind,
    MessageKind,
    PersonalDataScope,
    RecoveryStatus,
    TicketCategory,
    TicketChannel,
    TicketEventKind,
    TicketPriority,
    TicketStatus,
)

foreigner_number_validator = RegexValidator(
    r"^\d{10}$", _("A foreigner number (AGDREF) has exactly 10 digits.")
)


def token_hash(token: str) -> str:
    """The follow-up link's secret is stored hashed: a copy of the database opens no ticket."""
    return hashlib.sha256(token.encode()).hexdigest()


def follow_up_token(nonce: str) -> str:
    """The secret of a ticket's private link, derived from its nonce and SECRET_KEY."""
    return salted_hmac("support.ticket.follow_up", nonce, algorithm="sha256").hexdigest()[:43]


class Ticket(models.Model):
    number = models.CharField(_("ticket number"), max_length=16, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=TicketChannel.choices)
    category = models.CharField(_("subject"), max_length=32, choices=TicketCategory.choices)
    status = models.CharField(
        _("status"), max_length=32, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    # Who asks. `requester` is the account that opened the ticket from the portal (an applicant
    # or a helper); `person` is the account the request is about, once known (the requester
    # themselves, or found and checked by an agent for a person who cannot sign in).
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by (account)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_tickets",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_tickets_about",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    foreigner_number = models.CharField(
        _("foreigner number (AGDREF)"),
        max_length=10,
        blank=True,
        validators=[foreigner_number_validator],
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_tickets",
    )
    prefecture = models.ForeignKey(
        "reference.Prefecture",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_assigned_tickets",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agent who recorded a phone call."),
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    first_response_due_at = models.DateTimeField(_("first answer due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    first_responded_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # The deadline sweep escalates a late ticket once (priority raised, supervisor told).
    first_response_breached_at = models.DateTimeField(
        _("first answer late since"), null=True, blank=True
    )
    resolution_breached_at = models.DateTimeField(_("resolution late since"), null=True, blank=True)
    # Issue 21: the resolution clock stops while the ticket waits for the person's answer; on
    # leaving that state the paused working time is added to `resolution_due_at` and here.
    sla_paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    sla_paused_working = models.DurationField(
        _("working time paused"), default=timedelta(0), editable=False
    )
    escalated_to_prefecture_at = models.DateTimeField(
        _("sent to the prefecture at"), null=True, blank=True
    )
    # The private follow-up link: its secret is an HMAC of this random nonce with the server's
    # key (so later e-mails can repeat the link); only its hash is stored for the lookup, so a
    # copy of the database alone opens no ticket.
    follow_up_nonce = models.CharField(max_length=32, editable=False)
    follow_up_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Account recovery: what the agent checked, and when (support.services).
    identity_checks = models.JSONField(_("identity checks done"), default=list, blank=True)
    identity_checked_at = models.DateTimeField(_("identity checked at"), null=True, blank=True)
    acknowledgement = models.OneToOneField(
        "attestations.Attestation",
        verbose_name=_("written acknowledgement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_ticket",
    )
    substitution_case = models.OneToOneField(
        "substitution.SubstitutionCase",
        verbose_name=_("substitution case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_ticket",
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "category", "created_at"]),
            models.Index(fields=["email"]),
            models.Index(fields=["foreigner_number"]),
            models.Index(fields=["prefecture", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="ticket_reachable",
                condition=~Q(email="") | ~Q(phone="") | Q(requester__isnull=False),
                violation_error_message=_("Give an e-mail address or a phone number."),
            ),
            models.CheckConstraint(
                name="ticket_foreigner_number_10_digits",
                condition=Q(foreigner_number="") | Q(foreigner_number__regex=r"^\d{10}$"),
            ),
            models.CheckConstraint(
                name="ticket_acknowledgement_with_case",
                condition=Q(acknowledgement__isnull=True, substitution_case__isnull=True)
                | Q(acknowledgement__isnull=False, substitution_case__isnull=False),
            ),
        ]
        permissions = [
            (
                "supervise_contact_centre",
                "Supervise the contact centre (saved answers, deadline alerts, account recoveries)",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_live(self) -> bool:
        from support.workflow import LIVE_STATES

        return self.status in LIVE_STATES

    @property
    def language(self) -> str:
        """The person's language (their account's), French when unknown."""
        for account in (self.person, self.requester):
            if account is not None and account.preferred_language:
                return account.preferred_language
        return "fr"

    def first_response_overdue(self, now=None) -> bool:
        from support.rules import first_response_overdue

        return first_response_overdue(
            due_at=self.first_response_due_at,
            responded_at=self.first_responded_at,
            now=now or timezone.now(),
        )

    def resolution_overdue(self, now=None) -> bool:
        from support.rules import resolution_overdue

        return resolution_overdue(
            due_at=self.resolution_due_at,
            resolved_at=self.resolved_at,
            now=self.sla_paused_at or now or timezone.now(),  # a paused clock reads its pause
        )


class TicketMessage(models.Model):
    """One message of the thread: a reply the person reads, or an internal note they never do."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices)
    side = models.CharField(_("from"), max_length=16, choices=AuthorSide.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a person without an account, writing through their private link."),
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="ticket_message_note_is_staff",
                condition=~Q(kind=MessageKind.NOTE) | ~Q(side=AuthorSide.REQUESTER),
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number}: {self.get_kind_display()}"

    @property
    def is_public(self) -> bool:
        return self.kind == MessageKind.REPLY


def attachment_storage_key(attachment: "TicketAttachment", filename: str) -> str:
    """A random key: the sender's file name is never trusted nor used in storage; the extension
    is that of the type sniffed from the bytes (anef/uploads.py)."""
    extension = served_extension(attachment.content_type)
    return f"support/{attachment.message.ticket.number}/{uuid.uuid4().hex}{extension}"


class TicketAttachment(models.Model):
    """A file sent with a message (a screenshot of the error, most often): PDF, JPEG or PNG,
    checked by its bytes, stored privately through django-storages and served by views only."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_storage_key, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class TicketEvent(TimelineEvent):
    """The ticket's timeline. Only the kinds in `PUBLIC_EVENT_KINDS` are shown to the person."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=40, choices=TicketEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.ticket.number}: {self.kind}"


class SavedAnswer(models.Model):
    """A ready answer in plain language, one variant per language (French always; English and
    Arabic when written). The console offers the variant in the person's language, else French
    with a note (support.rules.saved_answer_variant). Agents insert it in a reply and adapt it;
    only supervisors (permission `support.supervise_contact_centre`) edit it."""

    title = models.CharField(_("title"), max_length=150)
    category = models.CharField(
        _("for requests about"), max_length=32, choices=TicketCategory.choices, blank=True
    )
    body_fr = models.TextField(_("text (French)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    body_ar = models.TextField(_("text (Arabic)"), blank=True)
    active = models.BooleanField(_("offered to agents"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("saved answer")
        verbose_name_plural = _("saved answers")
        ordering = ["category", "title"]
        constraints = [models.UniqueConstraint(fields=["title"], name="saved_answer_title_unique")]

    def __str__(self) -> str:
        return self.title

    def variant(self, language: str | None):
        """The text for a ticket in `language` (support.rules.saved_answer_variant)."""
        from support.rules import saved_answer_variant

        return saved_answer_variant(
            {"fr": self.body_fr, "en": self.body_en, "ar": self.body_ar}, language
        )


class PersonalDataAccess(models.Model):
    """Who looked at whose record, when, through which ticket: the person sees it in their
    space (issue 5, confidentiality; RGPD art. 15 right of access)."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="personal_data_accesses",
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personal_data_accesses",
    )
    # The dossier a prefecture agent opened (back office), shown to the person; empty for a
    # consultation of the whole record by the contact centre.
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scope = models.CharField(_("what was seen"), max_length=16, choices=PersonalDataScope.choices)
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-viewed_at", "-pk"]
        indexes = [models.Index(fields=["person", "viewed_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} seen by {self.viewer_id} at {self.viewed_at:%Y-%m-%d %H:%M}"


class AccountRecovery(models.Model):
    """A new e-mail address for an account whose owner lost access to the old one (issue 15).

    Four eyes: the agent who asks types the facts, which the system compares with the record
    (or a prefecture agent checks the papers at a desk), and a second, different contact-centre
    supervisor approves; until then nothing changes. The database itself refuses an approval by
    the agent who asked or who typed the facts, and a second open recovery for one person."""

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="recoveries"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="account_recoveries",
    )
    old_email = models.EmailField(_("old e-mail address"))
    new_email = models.EmailField(_("new e-mail address"))
    status = models.CharField(_("status"), max_length=24, choices=RecoveryStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    facts_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facts checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    facts_checked_at = models.DateTimeField(_("facts checked at"), null=True, blank=True)
    desk_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("identity checked at a desk by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    desk_checked_at = models.DateTimeField(
        _("identity checked at a desk at"), null=True, blank=True
    )
    desk_document_kind = models.CharField(
        _("document seen"), max_length=24, choices=DeskDocumentKind.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    # The old address's "stop it" link: only its hash is kept (as for tickets' links).
    stop_token_hash = models.CharField(  # noqa: DJ001 — NULL until approved; unique when set
        max_length=64, unique=True, null=True, editable=False
    )
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    person_confirmed_at = models.DateTimeField(
        _("confirmed by the person at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("account recovery")
        verbose_name_plural = _("account recoveries")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["person", "status", "decided_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_RECOVERY_STATUSES),
                name="account_recovery_one_open_per_person",
            ),
            models.CheckConstraint(
                name="account_recovery_four_eyes_requester",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
            ),
            models.CheckConstraint(
                name="account_recovery_four_eyes_facts",
                condition=Q(decided_by__isnull=True)
                | Q(facts_checked_by__isnull=True)
                | ~Q(decided_by=F("facts_checked_by")),
            ),
            models.CheckConstraint(
                name="account_recovery_approved_is_checked",
                condition=~Q(status=RecoveryStatus.APPROVED)
                | (
                    Q(decided_by__isnull=False)
                    & (Q(facts_checked_by__isnull=False) | Q(desk_checked_by__isnull=False))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def is_expired(self, now=None) -> bool:
        return self.status in OPEN_RECOVERY_STATUSES and self.expires_at <= (now or timezone.now())


class RecoveryFactsAttempt(models.Model):
    """One comparison of typed facts with the record: failures are counted per person and per
    ticket, so that the console is no guessing oracle (support.recovery)."""

    recovery = models.ForeignKey(
        AccountRecovery, on_delete=models.CASCADE, related_name="facts_attempts"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    matched = models.BooleanField()
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("identity facts check")
        verbose_name_plural = _("identity facts checks")
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.recovery_id}: {'ok' if self.matched else 'failed'}"


from support.models_reach import Callback, DossierInquiry  # noqa: E402, F401
