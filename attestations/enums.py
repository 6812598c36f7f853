from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AttestationKind(models.TextChoices):
    DEPOSIT_RECEIPT = "deposit_receipt", _("Deposit receipt")
    API = "api", _("Attestation of extended instruction (API)")
    ADF = "adf", _("Attestation of favourable decision (ADF)")
    TECHNICAL_IMPOSSIBILITY = (
        "technical_impossibility",
        _("Written acknowledgement of a technical impossibility"),
    )


class AttestationStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("attestation status", "Valid")
    SUPERSEDED = "superseded", _("Replaced by a newer attestation")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
