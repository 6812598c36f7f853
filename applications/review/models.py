"""The current verdict on each file of a dossier. Loaded by `applications.models` (imported at
its end), so that it belongs to the app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.review.rules import RejectionReason, Verdict


class DocumentReview(models.Model):
    """An agent's verdict on one file; replaced by the next verdict, removed with the file.
    Each verdict is also on the agent-side timeline and in the audit log."""

    document = models.OneToOneField(
        "applications.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="review",
    )
    # The file's dossier (never changes): the dossier's rejected files in one indexed query.
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="document_reviews",
    )
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    reason = models.CharField(
        _("reason"), max_length=32, choices=RejectionReason.choices, blank=True
    )
    note = models.TextField(_("explanation for the person"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    # The correction request that asked the person to replace this file (a rejection only).
    asked_in = models.ForeignKey(
        "applications.CorrectionRequest",
        verbose_name=_("asked for in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rejected_documents",
    )

    class Meta:
        verbose_name = _("document review")
        verbose_name_plural = _("document reviews")
        indexes = [models.Index(fields=["application", "verdict"])]
        constraints = [
            models.CheckConstraint(
                name="review_rejection_has_reason",
                condition=Q(verdict=Verdict.ACCEPTED, reason="", asked_in__isnull=True)
                | (Q(verdict=Verdict.REJECTED) & ~Q(reason="")),
            ),
            models.CheckConstraint(
                name="review_other_reason_explained",
                condition=~Q(reason=RejectionReason.OTHER) | ~Q(note=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.verdict}"
