"""Issue 21 models of the contact centre: callbacks instead of waiting on the line, and the
automatic inquiry about a dossier that takes much longer than most. Part of `support.models`
(imported there); split only to keep modules short."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.enums import CallbackStatus


class Callback(models.Model):
    """A call the contact centre promised to make in a slot the person chose.

    Capacity per slot is counted under a transaction-level advisory lock on the slot
    (support.callbacks); the database keeps one scheduled callback per ticket and at most one
    retry per callback (`retry_of` is one-to-one)."""

    ticket = models.ForeignKey(
        "support.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="callbacks",
    )
    phone = models.CharField(_("phone"), max_length=30)
    starts_at = models.DateTimeField(_("slot"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CallbackStatus.choices,
        default=CallbackStatus.SCHEDULED,
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    retry_of = models.OneToOneField(
        "self",
        verbose_name=_("retry of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retry",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status=CallbackStatus.SCHEDULED),
                name="callback_one_scheduled_per_ticket",
            ),
            models.CheckConstraint(
                name="callback_attempt_one_or_two",
                condition=Q(attempt__in=[1, 2]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.starts_at:%Y-%m-%d %H:%M}"


class DossierInquiry(models.Model):
    """The contact centre asked the prefecture about a dossier that takes 30 days longer than
    the upper bound shown to its applicant (issue 21): once per dossier, by the database."""

    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="support_inquiry",
    )
    ticket = models.OneToOneField(
        "support.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="dossier_inquiry",
    )
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent asked"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agent the dossier is assigned to; empty: the prefecture's team."),
    )
    latest_expected_on = models.DateField(_("most decisions came by"))
    opened_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("dossier inquiry")
        verbose_name_plural = _("dossier inquiries")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.opened_at:%Y-%m-%d}"
