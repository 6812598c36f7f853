from django.db import models
from django.utils.translation import gettext_lazy as _


class AttestationKind(models.TextChoices):
    DEPOSIT_RECEIPT = "deposit_receipt", _("Deposit receipt")
    API = "api", _("Attestation of extended instruction (API)")
    ADF = "adf", _("Attestation of favourable decision (ADF)")
    TECHNICAL_IMPOSSIBILITY = (
        "technical_impossibility",
        _("Written acknowledgement of a technical impossibility"),
    )


class EndReason(models.TextChoices):
    """Why an attestation ended before its printed last day (attestations.rules.END_REASONS)."""

    SUPERSEDED = "superseded", _("Replaced by a newer attestation")
    CARD_HANDED_OVER = "card_handed_over", _("The card was handed over")
    REFUSED = "refused", _("The application was refused")
    CLOSED = "closed", _("The application was closed")
    WITHDRAWN = "withdrawn", _("The application was withdrawn")
    ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
