"""What a third party may see of an attestation (DESIGN.md §3 "Verification", scenario 8).

An employer, a landlord, a bank or a social body checks an attestation by its number, by the
signed code of its QR code, or by a share code the holder gave them. All three show the same
facts, built here: the status in plain words *as of today* (valid / not yet valid / expired /
replaced by a newer one / revoked), the holder's name, the validity, and what the person may do
(stay, work, benefits and housing, with the legal sentence the attestation carries).

Only what a verifier needs is shown: never the address, nationality or foreigner number. The
birth date is shown only to someone who already holds it (the signed QR code carries it; the
holder chose to give a share code), so that they can compare it with an identity document.

The stored status is brought up to date by the hourly sweep; between two sweeps, an attestation
whose last day has passed is still shown as ended (and as replaced when a newer one exists), so
a verifier never reads "valid" for a day the attestation does not cover.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from attestations import signing
from attestations.enums import AttestationKind, AttestationStatus
from attestations.models import Attestation

# Attestations that follow one another in a chain (an API renewed, then the ADF).
CHAINED_KINDS = (AttestationKind.API, AttestationKind.ADF)


class VerificationStatus(models.TextChoices):
    """The status a verifier reads, on the day they check."""

    # With a context: "Valid" alone is also a table heading ("Validité") elsewhere.
    VALID = "valid", pgettext_lazy("attestation status", "Valid")
    NOT_YET_VALID = "not_yet_valid", pgettext_lazy("attestation status", "Not valid yet")
    EXPIRED = "expired", pgettext_lazy("attestation status", "Expired")
    SUPERSEDED = (
        "superseded",
        pgettext_lazy("attestation status", "Replaced by a newer attestation"),
    )
    REVOKED = "revoked", pgettext_lazy("attestation status", "Revoked")


@dataclass(frozen=True)
class NewerAttestation:
    """The attestation that replaces (or will replace) the one checked: its validity only."""

    kind: str
    valid_from: date
    last_day: date | None
    status: str  # VerificationStatus


@dataclass(frozen=True)
class Rights:
    """What the attestation says the person may do, in plain words."""

    may_stay: bool
    work: str  # "full", "limited", "none"
    work_limitation: str
    benefits_and_housing: bool
    legal_text: str  # in the reader's language
    legal_texts: dict = field(default_factory=dict)  # {"fr": ..., "en": ...}
    stay_text: str = ""
    work_text: str = ""


@dataclass(frozen=True)
class VerificationFacts:
    number: str
    kind: str
    kind_label: str
    status: str  # VerificationStatus
    status_text: str  # one sentence, plain words, with the dates
    holder_name: str
    holder_birth_date: date | None  # shown only to those who already hold it (see module doc)
    valid_from: date
    last_day: date | None  # None: no end date (a deposit receipt)
    ended_on: date | None  # first day it no longer proves anything, once ended
    issued_on: date
    issuing_prefecture: str
    rights: Rights
    newer: NewerAttestation | None

    @property
    def status_label(self) -> str:
        return str(VerificationStatus(self.status).label)

    @property
    def shows_rights(self) -> bool:
        """In force, or about to be: the rights it states are what the verifier reads."""
        return self.status in (VerificationStatus.VALID, VerificationStatus.NOT_YET_VALID)

    @property
    def proves_rights_today(self) -> bool:
        """Valid today and stating a right to stay: what most verifiers need to know."""
        return self.status == VerificationStatus.VALID and self.rights.may_stay

    @property
    def is_valid(self) -> bool:
        return self.status == VerificationStatus.VALID


def last_day(attestation: Attestation) -> date | None:
    """The last day it is valid: earlier than « valid until » once superseded or revoked."""
    return attestation.ends_on or attestation.valid_until


def effective_status(attestation: Attestation, today: date, *, has_newer: bool) -> str:
    """The status on `today`. The sweep's stored status wins once set; a 'valid' attestation
    whose last day has passed is ended even if the sweep has not run yet today."""
    stored = attestation.status
    if stored == AttestationStatus.REVOKED:
        return VerificationStatus.REVOKED
    if stored == AttestationStatus.SUPERSEDED:
        return VerificationStatus.SUPERSEDED
    if stored == AttestationStatus.EXPIRED:
        return VerificationStatus.EXPIRED
    ends = last_day(attestation)
    if ends is not None and today > ends:
        return VerificationStatus.SUPERSEDED if has_newer else VerificationStatus.EXPIRED
    if today < attestation.valid_from:
        return VerificationStatus.NOT_YET_VALID
    return VerificationStatus.VALID


def _day(value: date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value is not None else ""


def _holder_name(attestation: Attestation) -> str:
    """As printed on the attestation and signed in its QR code: LAST NAME First name."""
    snapshot = attestation.holder_snapshot or {}
    last_name = str(snapshot.get("last_name", "")).upper()
    return f"{last_name} {snapshot.get('first_name', '')}".strip()


def _birth_date(attestation: Attestation) -> date | None:
    value = (attestation.holder_snapshot or {}).get("birth_date")
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _legal_text(texts: dict) -> str:
    language = (get_language() or "fr").split("-")[0]
    return texts.get(language) or texts.get("fr") or texts.get("en") or ""


def _rights(attestation: Attestation) -> Rights:
    stated = attestation.rights or {}
    may_stay = bool(stated.get("stay"))
    work = stated.get("work") or "none"
    limitation = stated.get("work_limitation") or ""
    texts = stated.get("legal_text") or {}
    if not isinstance(texts, dict):
        texts = {"fr": str(texts)}
    if may_stay:
        stay_text = _("Yes")
    elif attestation.kind == AttestationKind.DEPOSIT_RECEIPT:
        stay_text = _("No: this certificate alone does not prove lawful residence")
    else:
        stay_text = _("No")
    if work == "full":
        work_text = _("Yes")
    elif work == "limited":
        work_text = (
            _("Within limits: %(limits)s") % {"limits": limitation}
            if limitation
            else _("Within limits")
        )
    else:
        work_text = _("No")
    return Rights(
        may_stay=may_stay,
        work=work,
        work_limitation=limitation,
        benefits_and_housing=bool(stated.get("benefits_and_housing")),
        legal_text=_legal_text(texts),
        legal_texts=dict(texts),
        stay_text=stay_text,
        work_text=work_text,
    )


def _status_text(
    status: str, attestation: Attestation, ends: date | None, newer: NewerAttestation | None
) -> str:
    if status == VerificationStatus.VALID:
        if attestation.kind == AttestationKind.DEPOSIT_RECEIPT:
            return _("Valid. It proves that the application was filed on %(date)s.") % {
                "date": _day(attestation.valid_from)
            }
        if ends is None:
            return _("Valid.")
        return _("Valid until %(date)s.") % {"date": _day(ends)}
    if status == VerificationStatus.NOT_YET_VALID:
        if ends is None:
            return _("Not valid yet: valid from %(start)s.") % {
                "start": _day(attestation.valid_from)
            }
        return _("Not valid yet: valid from %(start)s until %(end)s.") % {
            "start": _day(attestation.valid_from),
            "end": _day(ends),
        }
    if status == VerificationStatus.EXPIRED:
        return _("Expired: it was valid until %(date)s.") % {"date": _day(ends)}
    if status == VerificationStatus.SUPERSEDED:
        if newer is None:
            if ends is None:
                return _("Replaced by a newer attestation.")
            return _("Replaced by a newer attestation since %(date)s.") % {
                "date": _day(_next_day(ends))
            }
        if newer.last_day is None:
            return _("Replaced by a newer attestation, valid from %(start)s.") % {
                "start": _day(newer.valid_from)
            }
        return _("Replaced by a newer attestation, valid from %(start)s until %(end)s.") % {
            "start": _day(newer.valid_from),
            "end": _day(newer.last_day),
        }
    # Revoked: the application it related to has ended. Why is the holder's business.
    if ends is not None and ends < attestation.valid_from:
        return _("Revoked: it never came into force.")
    return _("Revoked: it is no longer valid since %(date)s.") % {
        "date": _day(_next_day(ends) if ends is not None else attestation.status_changed_on)
    }


def _next_day(day: date) -> date:
    return day + timedelta(days=1)


def verification_facts(
    attestation: Attestation,
    *,
    today: date,
    newer: Attestation | None = None,
    newer_has_newer: bool = False,
) -> VerificationFacts:
    """The facts shown to a verifier: no query, no clock (`newer` is the attestation replacing
    this one in its chain, if any; see `newer_attestation`)."""
    ends = last_day(attestation)
    newer_facts = None
    if newer is not None:
        newer_facts = NewerAttestation(
            kind=newer.kind,
            valid_from=newer.valid_from,
            last_day=last_day(newer),
            status=effective_status(newer, today, has_newer=newer_has_newer),
        )
    status = effective_status(attestation, today, has_newer=newer is not None)
    ended_on = None
    if status in (
        VerificationStatus.EXPIRED,
        VerificationStatus.SUPERSEDED,
        VerificationStatus.REVOKED,
    ):
        ended_on = _next_day(ends) if ends is not None else attestation.status_changed_on
    return VerificationFacts(
        number=attestation.number,
        kind=attestation.kind,
        kind_label=str(AttestationKind(attestation.kind).label)
        if attestation.kind in AttestationKind.values
        else attestation.kind,
        status=status,
        status_text=_status_text(status, attestation, ends, newer_facts),
        holder_name=_holder_name(attestation),
        holder_birth_date=_birth_date(attestation),
        valid_from=attestation.valid_from,
        last_day=ends,
        ended_on=ended_on,
        issued_on=attestation.issue_on,
        issuing_prefecture=attestation.prefecture.name if attestation.prefecture_id else "",
        rights=_rights(attestation),
        newer=newer_facts,
    )


def newer_attestations(attestation: Attestation) -> list[Attestation]:
    """The attestations that follow this one in its chain (API renewed, then ADF), oldest
    first. A deposit receipt or an attestation without a dossier has none."""
    if attestation.kind not in CHAINED_KINDS or attestation.application_id is None:
        return []
    # By rank, not by date: an ADF decided before the API started still replaces it.
    later = Q(kind=attestation.kind, period__gt=attestation.period)
    if attestation.kind == AttestationKind.API:
        later |= Q(kind=AttestationKind.ADF)
    followers = Attestation.objects.filter(later, application_id=attestation.application_id)
    return sorted(followers, key=lambda item: (item.kind == AttestationKind.ADF, item.period))


def newer_attestation(followers: list[Attestation], today: date) -> Attestation | None:
    """The one a verifier should ask for: the latest that has started by `today`, else the next
    one (issued ahead of its validity)."""
    started = [item for item in followers if item.valid_from <= today]
    if started:
        return started[-1]
    return followers[0] if followers else None


def verification_facts_for(attestation: Attestation, *, today: date | None = None):
    """The facts as of today, with the newer attestation looked up (one query)."""
    today = today or timezone.localdate()
    followers = newer_attestations(attestation)
    newer = newer_attestation(followers, today)
    newer_has_newer = newer is not None and followers[-1] is not newer
    return verification_facts(
        attestation, today=today, newer=newer, newer_has_newer=newer_has_newer
    )


# --- Signed codes (QR) ------------------------------------------------------------------------


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
