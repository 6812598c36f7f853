"""Signed codes (the QR code printed on an attestation): whether a scanned code is ours,
unaltered and for this very number, and its short keys spelled out (attestations/signing.py)."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy

from attestations import signing


class TokenOutcome(models.TextChoices):
    AUTHENTIC = "authentic", gettext_lazy("Authentic")
    OTHER_ATTESTATION = "other_attestation", gettext_lazy("Authentic, for another attestation")
    TAMPERED = "tampered", gettext_lazy("Altered or not issued by us")


@dataclass(frozen=True)
class TokenCheck:
    outcome: str  # TokenOutcome
    payload: dict | None = None
    reason: str = ""

    @property
    def is_authentic(self) -> bool:
        return self.outcome == TokenOutcome.AUTHENTIC

    @property
    def is_for_another_attestation(self) -> bool:
        return self.outcome == TokenOutcome.OTHER_ATTESTATION


def token_check(token: str, number: str, keys: dict[str, str] | None = None) -> TokenCheck:
    """Whether a scanned code is ours, unaltered, and for this very number."""
    try:
        payload = signing.verify_token(token, keys)
    except signing.InvalidToken as exc:
        return TokenCheck(TokenOutcome.TAMPERED, reason=str(exc))
    if not isinstance(payload, dict) or payload.get("n") != number:
        return TokenCheck(TokenOutcome.OTHER_ATTESTATION, payload=payload)
    return TokenCheck(TokenOutcome.AUTHENTIC, payload=payload)


def payload_facts(payload: dict) -> dict:
    """A signed payload's short keys (signing.py) spelled out, for people and the JSON API."""
    return {
        "number": payload.get("n", ""),
        "kind": payload.get("k", ""),
        "holder_name": payload.get("h", ""),
        "birth_date": payload.get("b") or None,
        "valid_from": payload.get("f") or None,
        "valid_until": payload.get("u") or None,
        "may_stay": bool(payload.get("s")),
        "work": payload.get("w", "none"),
        "work_limitation": payload.get("l", ""),
        "issued_on": payload.get("i") or None,
    }
