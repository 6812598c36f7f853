"""Attestations: documents the portal issues by itself (DESIGN.md §3 "attestations").

An attestation is never deleted nor rewritten: it is valid until its printed end, or until an
end recorded once (superseded, card handed over, refused, closed, withdrawn, issued in error).
Unique constraints make a second issuance of the same attestation impossible, whatever the
number of sweeps or workers running at once; on PostgreSQL an exclusion constraint also refuses
two valid APIs for one permit on the same day.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attestations.enums import AttestationKind, EndReason
from attestations.rules import state_on


def pdf_storage_key(attestation: "Attestation", filename: str) -> str:
    """Deterministic: re-rendering replaces the file instead of piling up copies."""
    return f"attestations/{attestation.number}.pdf"


class AttestationQuerySet(models.QuerySet):
    def valid_on(self, day) -> "AttestationQuerySet":
        """Valid on `day` according to the ledger: started, not past its printed end, and not
        ended by a recorded event."""
        return self.filter(
            Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
        )

    def current(self, day) -> "AttestationQuerySet":
        """Valid on `day` or issued ahead for a later day: what the holder may still use."""
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
        ).exclude(ended_on__lte=F("valid_from"))


class Attestation(models.Model):
    """One issued attestation: an entry of the ledger (DESIGN.md §3 "Attestations are a
    ledger"). Everything printed on it or signed in its QR code is fixed at issuance; the
    database refuses to change it (a trigger, see migration 0003). Only its end is recorded
    later, once: `ended_on` (the first day it no longer proves anything) and `end_reason`."""

    # Printed and signed: never changed after issuance.
    PRINTED_FIELDS = (
        "number",
        "kind",
        "valid_from",
        "valid_until",
        "issue_on",
        "holder_snapshot",
        "rights",
        "ground_id",
        "prefecture_id",
        "permit_id",
        "continues_id",
        "replaces_id",
    )

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
    # The permit an API continues: one chain of APIs per permit, whatever the number of
    # applications renewing it (DESIGN.md §3).
    permit = models.ForeignKey(
        "applications.ResidencePermit",
        verbose_name=_("permit continued"),
        on_delete=models.PROTECT,
        related_name="+",
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
    # The chain: the attestation this one follows (the previous period, or the API an ADF
    # takes over from), and the one it replaces with new holder data for the same validity.
    continues = models.OneToOneField(
        "self",
        verbose_name=_("follows"),
        on_delete=models.PROTECT,
        related_name="continuation",
        null=True,
        blank=True,
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        related_name="replacement",
        null=True,
        blank=True,
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issue_on = models.DateField(_("due in the person's hands on"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    holder_snapshot = models.JSONField(_("holder as printed"), default=dict)
    rights = models.JSONField(_("rights stated"), default=dict)
    ground = models.ForeignKey(
        "reference.Ground", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prefecture = models.ForeignKey(
        "reference.Prefecture",
        verbose_name=_("issuing prefecture"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # The end, recorded once.
    ended_on = models.DateField(
        _("no longer valid from"),
        null=True,
        blank=True,
        help_text=_("The first day it no longer proves anything, when it ended early."),
    )
    end_reason = models.CharField(
        _("why it ended"), max_length=32, choices=EndReason.choices, blank=True
    )
    end_recorded_at = models.DateTimeField(_("end recorded at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        help_text=_("Empty when the sweep recorded it from the dossier's facts."),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Not printed: the file and the notice may be redone.
    pdf = models.FileField(_("PDF"), upload_to=pdf_storage_key, blank=True, max_length=255)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("holder told at"), null=True, blank=True)

    objects = AttestationQuerySet.as_manager()

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["application", "kind", "valid_from", "pk"]
        constraints = [
            # Exactly once: one deposit receipt per dossier; one first API per permit (or per
            # dossier without a permit); one first ADF per dossier; the next period and a
            # replacement are unique through `continues` and `replaces` (one-to-one).
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind="deposit_receipt"),
                name="attestation_one_deposit_receipt_per_application",
            ),
            models.UniqueConstraint(
                fields=["permit"],
                condition=Q(
                    kind="api",
                    permit__isnull=False,
                    continues__isnull=True,
                    replaces__isnull=True,
                ),
                name="attestation_one_first_api_per_permit",
            ),
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=Q(
                    kind__in=["api", "adf"],
                    permit__isnull=True,
                    continues__isnull=True,
                    replaces__isnull=True,
                    application__isnull=False,
                ),
                name="attestation_one_first_of_chain_per_application",
            ),
            models.CheckConstraint(
                name="attestation_end_within_validity",
                condition=Q(ended_on__isnull=True)
                | (
                    Q(ended_on__gte=F("valid_from"))
                    & (Q(valid_until__isnull=True) | Q(ended_on__lte=F("valid_until")))
                ),
            ),
            models.CheckConstraint(
                name="attestation_end_has_a_reason",
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
            ),
        ]
        indexes = [models.Index(fields=["holder", "valid_until"])]

    def __str__(self) -> str:
        return self.number

    @property
    def last_day(self):
        """The last day it is valid: the day before its recorded end, else its printed end."""
        if self.ended_on is not None:
            return self.ended_on - timedelta(days=1)
        return self.valid_until

    def state_on(self, day) -> str:
        return state_on(
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            ended_on=self.ended_on,
            end_reason=self.end_reason,
            day=day,
        )

    def is_valid_on(self, day) -> bool:
        return self.state_on(day) == "valid"


class LedgerCorrection(models.Model):
    """What the migration to the ledger (attestations migration 0003) had to correct in the
    rows the old engine left, with the reason: `manage.py attestations_ledger_report` lists
    them. Nothing printed was changed; only ends, chain links and permits were recorded."""

    number = models.CharField(_("number"), max_length=32, db_index=True)
    field = models.CharField(_("field"), max_length=32)
    before = models.CharField(_("before"), max_length=200, blank=True)
    after = models.CharField(_("after"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger correction")
        verbose_name_plural = _("ledger corrections")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.field}"


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


class AttestationInputSeen(models.Model):
    """An input of the attestation rules from outside the dossiers (the policy in force, a
    ground's place on the list of titles renewed online), as last seen by the sweep: when it
    differs, the dossiers concerned are looked at again (attestations.inputs)."""

    key = models.CharField(_("input"), max_length=100, unique=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    seen_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("input of the attestation rules")
        verbose_name_plural = _("inputs of the attestation rules")

    def __str__(self) -> str:
        return self.key
