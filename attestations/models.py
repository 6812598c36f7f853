"""Attestations: documents the portal issues by itself (DESIGN.md §3 "attestations").

An attestation is never deleted: it ends as superseded, revoked or expired, with the day it
stopped being valid. Unique (application, kind, period) makes a second issuance of the same
attestation impossible, whatever the number of sweeps or workers running at once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attestations.enums import AttestationKind, AttestationStatus


def pdf_storage_key(attestation: "Attestation", filename: str) -> str:
    """Deterministic: re-rendering replaces the file instead of piling up copies."""
    return f"attestations/{attestation.number}.pdf"


class Attestation(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=AttestationKind.choices)
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="attestations",
        null=True,
        blank=True,
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="attestations",
        null=True,
        blank=True,
    )
    period = models.PositiveSmallIntegerField(_("rank in the chain"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    ends_on = models.DateField(
        _("last day of validity"),
        null=True,
        blank=True,
        help_text=_("Earlier than « valid until » when superseded or revoked."),
    )
    issue_on = models.DateField(_("due in the person's hands on"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AttestationStatus.choices,
        default=AttestationStatus.VALID,
    )
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    holder_snapshot = models.JSONField(_("holder as printed"), default=dict)
    rights = models.JSONField(_("rights stated"), default=dict)
    ground = models.ForeignKey(
        "applications.Ground", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prefecture = models.ForeignKey(
        "applications.Prefecture",
        verbose_name=_("issuing prefecture"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    pdf = models.FileField(_("PDF"), upload_to=pdf_storage_key, blank=True, max_length=255)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("holder told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["application", "kind", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "period"],
                condition=Q(application__isnull=False),
                name="attestation_once_per_application_kind_period",
            ),
        ]
        indexes = [models.Index(fields=["holder", "status"])]

    def __str__(self) -> str:
        return self.number


# --- Share codes (third-party verification, DESIGN.md §3 "Verification") ------------------------


class VerifierKind(models.TextChoices):
    """Who the holder gives a share code to (shown to the holder, never to anyone else)."""

    EMPLOYER = "employer", _("Employer")
    LANDLORD = "landlord", _("Landlord or housing agency")
    BANK = "bank", _("Bank")
    SOCIAL_BODY = "social_body", _("Social body (CAF, France Travail, CPAM…)")
    OTHER = "other", _("Other")


class ShareCode(models.Model):
    """A time-limited code the holder gives to one named verifier, who sees the attestation's
    facts with it. The holder sees each consultation and can revoke the code at any time."""

    attestation = models.ForeignKey(
        Attestation,
        verbose_name=_("attestation"),
        on_delete=models.PROTECT,
        related_name="share_codes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="attestation_share_codes",
    )
    # 10 characters of numbers.ALPHABET, stored without separators; shown in groups.
    code = models.CharField(_("code"), max_length=16, unique=True)
    verifier_name = models.CharField(_("verifier's name"), max_length=200)
    verifier_kind = models.CharField(
        _("kind of verifier"), max_length=16, choices=VerifierKind.choices
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("share code")
        verbose_name_plural = _("share codes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.attestation_id} → {self.verifier_name}"


class ShareCodeConsultation(models.Model):
    """One use of a share code, shown to the holder. No IP address is kept: the time and the
    browser's self-description are enough for the person to recognise the verifier."""

    share_code = models.ForeignKey(
        ShareCode,
        verbose_name=_("share code"),
        on_delete=models.CASCADE,
        related_name="consultations",
    )
    consulted_at = models.DateTimeField(_("consulted at"), default=timezone.now)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("share code consultation")
        verbose_name_plural = _("share code consultations")
        ordering = ["-consulted_at"]

    def __str__(self) -> str:
        return f"{self.share_code_id} @ {self.consulted_at:%Y-%m-%d %H:%M}"
