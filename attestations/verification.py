"""What a third party may see of an attestation (DESIGN.md §3 "Verification", scenario 8).

An employer, a landlord, a bank or a social body checks an attestation by its number, by the
signed code of its QR code, or by a share code the holder gave them. All three show the same
facts, built here: the status in plain words *as of today* (valid / not yet valid / expired /
replaced by a newer one / ended), the holder's name, the validity, and what the person may do
(stay, work, benefits and housing, with the legal sentence the attestation carries).

The checker reads first a yes/no (`Headline`, issue 18): valid today or not, may the person stay
in France, may they work (yes / yes with limits / no), from this document alone. Before an
attestation starts, what covers the person that day (`Cover`: the residence card it continues,
or the previous attestation of its chain) and from when it takes over; once replaced, the newer
attestation's validity (`Replacement`).

Only what a verifier needs is shown: never the address, nationality or foreigner number. The
birth date is shown only to someone who already holds it (the signed QR code carries it; the
holder chose to give a share code), so that they can compare it with an identity document.

The answer comes from the ledger alone (the printed validity and the end recorded once), for any
day: a verifier never reads "valid" for a day the attestation does not cover, and never reads
why it ended early (refused, closed, withdrawn: the holder's business), only since when.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from attestations.enums import AttestationKind, EndReason
from attestations.models import Attestation
from reference.selectors import work_limitation_translations

# Attestations that follow one another in a chain (an API renewed, then the ADF).
CHAINED_KINDS = (AttestationKind.API, AttestationKind.ADF)


class VerificationStatus(models.TextChoices):
    """The status a verifier reads for a day, from the ledger. Why a document ended early
    (refused, closed, withdrawn, issued in error) is the holder's business: a checker reads
    ENDED ("no longer valid since <date>"), never the reason (data minimisation). A document
    replaced by a newer one, or ended because the card was handed over, says so: both tell the
    checker what to ask for next."""

    # With a context: "Valid" alone is also a table heading ("Validité") elsewhere.
    VALID = "valid", pgettext_lazy("attestation status", "Valid")
    NOT_YET_VALID = "not_yet_valid", pgettext_lazy("attestation status", "Not valid yet")
    EXPIRED = "expired", pgettext_lazy("attestation status", "Expired")
    SUPERSEDED = (
        "superseded",
        pgettext_lazy("attestation status", "Replaced by a newer attestation"),
    )
    CARD_HANDED_OVER = (
        "card_handed_over",
        pgettext_lazy("attestation status", "Ended: the card was handed over"),
    )
    ENDED = "ended", pgettext_lazy("attestation status", "No longer valid")
    TOO_OLD = "too_old", pgettext_lazy("attestation status", "Too old to be checked online")


# What the holder and agents read of an end (never shown to a checker).
END_REASON_TEXTS = {
    EndReason.SUPERSEDED: gettext_lazy("replaced by a newer attestation"),
    EndReason.CARD_HANDED_OVER: gettext_lazy("the card was handed over"),
    EndReason.REFUSED: gettext_lazy("the application was refused"),
    EndReason.CLOSED: gettext_lazy("the application was closed"),
    EndReason.WITHDRAWN: gettext_lazy("the application was withdrawn"),
    EndReason.ISSUED_IN_ERROR: gettext_lazy("it was issued in error"),
}


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
    work_limitation_lang: str = "fr"  # the language `work_limitation` is written in


class MayWork(models.TextChoices):
    """The headline's answer to "may this person work?" (stable codes of the JSON API)."""

    YES = "yes", gettext_lazy("Yes")
    LIMITED = "limited", gettext_lazy("Yes, with limits")
    NO = "no", gettext_lazy("No")


@dataclass(frozen=True)
class Headline:
    """The yes/no a checker reads first, for the day asked: is this document valid today, may
    the person stay in France, may they work. Rights are read from this document only: a
    document that is not valid today answers no (see `Cover` for what covers the person)."""

    valid_today: bool
    may_stay: bool
    may_work: str  # MayWork
    work_limitation: str  # in plain words, when `may_work` is "limited"
    work_limitation_lang: str  # the language the limitation is written in
    valid_text: str
    stay_text: str
    work_text: str


@dataclass(frozen=True)
class Cover:
    """What covers the person today while the attestation is not valid yet: the residence card
    it continues, or the previous attestation of its chain."""

    kind: str  # "permit" or "attestation"
    valid_until: date
    takes_over_on: date  # the attestation's first day
    text: str


@dataclass(frozen=True)
class Replacement:
    """The newer attestation that replaced the one checked (its validity only)."""

    valid_from: date
    valid_until: date | None
    status: str  # VerificationStatus


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
    printed_until: date | None  # the last day printed on it (it may have ended earlier)
    issued_on: date
    issuing_prefecture: str
    rights: Rights
    newer: NewerAttestation | None
    # For the holder and agents only (never in a checker's page or the public API).
    end_reason: str = ""
    end_reason_text: str = ""
    headline: Headline | None = None
    covered_today_by: Cover | None = None
    replaced_by: Replacement | None = None

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
    """The last day it is valid: the day before its recorded end, else its printed end."""
    return attestation.last_day


def public_check_ends_on(attestation: Attestation) -> date:
    """The last day `/verify` answers for this attestation: the ledger keeps every attestation,
    but a checker is answered online for `ATTESTATION_PUBLIC_CHECK_YEARS` years after it
    stopped being valid (or after its issue, with no end date); later, only the prefecture."""
    reference = last_day(attestation) or attestation.issue_on
    years = settings.ATTESTATION_PUBLIC_CHECK_YEARS
    try:
        return reference.replace(year=reference.year + years)
    except ValueError:  # 29 February
        return date(reference.year + years, 3, 1)


def effective_status(attestation: Attestation, today: date, *, has_newer: bool) -> str:
    """The status on `today`, from the ledger (the printed validity and the recorded end)."""
    if today > public_check_ends_on(attestation):
        return VerificationStatus.TOO_OLD
    state = attestation.state_on(today)
    if state == "valid":
        return VerificationStatus.VALID
    if state == "not_yet_valid":
        return VerificationStatus.NOT_YET_VALID
    if state == "expired":
        return VerificationStatus.SUPERSEDED if has_newer else VerificationStatus.EXPIRED
    if state == EndReason.SUPERSEDED:
        return VerificationStatus.SUPERSEDED
    if state == EndReason.CARD_HANDED_OVER:
        return VerificationStatus.CARD_HANDED_OVER
    return VerificationStatus.ENDED


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


def _reader_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _legal_text(texts: dict) -> str:
    language = _reader_language()
    return texts.get(language) or texts.get("fr") or texts.get("en") or ""


def _grounds_stated(attestation: Attestation) -> list:
    """The grounds whose texts an attestation may quote: its own, and that of the permit it
    continues (read with the attestation, `attestations.selectors.attestation_get_public`)."""
    permit = attestation.permit if attestation.permit_id else None
    return [attestation.ground, permit.ground if permit is not None else None]


def _in_reader_language(value, grounds: list) -> tuple[str, str]:
    """A text stated on the attestation and its language: a plain string is the French the
    prefecture wrote, read in the reader's language when it is the limits on work of one of
    `grounds` (`reference.selectors.work_limitation_translations`); a dict
    {"fr": ..., "en": ...} gives the reader's language when it has it."""
    if isinstance(value, str):
        value = work_limitation_translations(value, grounds) or value
    if isinstance(value, dict):
        language = _reader_language()
        for candidate in (language, "fr", "en"):
            if value.get(candidate):
                return str(value[candidate]), candidate
        return "", language
    return (str(value) if value else ""), "fr"


def _rights(attestation: Attestation) -> Rights:
    stated = attestation.rights or {}
    may_stay = bool(stated.get("stay"))
    work = stated.get("work") or "none"
    limitation, limitation_lang = _in_reader_language(
        stated.get("work_limitation"), _grounds_stated(attestation)
    )
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
            _("Yes, with limits: %(limits)s") % {"limits": limitation}
            if limitation
            else _("Yes, with limits")
        )
    else:
        work_text = _("No")
    return Rights(
        may_stay=may_stay,
        work=work,
        work_limitation=limitation,
        benefits_and_housing=bool(stated.get("benefits_and_housing")),
        work_limitation_lang=limitation_lang,
        legal_text=_legal_text(texts),
        legal_texts=dict(texts),
        stay_text=stay_text,
        work_text=work_text,
    )


def _no_longer_valid_since(attestation: Attestation, ended_on: date | None) -> str:
    if attestation.ended_on is not None and attestation.ended_on <= attestation.valid_from:
        return _("It never came into force.")
    return _("No longer valid since %(date)s.") % {"date": _day(ended_on)}


def _status_text(
    status: str,
    attestation: Attestation,
    ends: date | None,
    ended_on: date | None,
    newer: NewerAttestation | None,
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
    if status == VerificationStatus.TOO_OLD:
        return _(
            "This attestation is too old to be checked online. To confirm it, write to the "
            "prefecture that issued it, with its number."
        )
    if status == VerificationStatus.EXPIRED:
        return _("Expired: it was valid until %(date)s.") % {"date": _day(ends)}
    if status == VerificationStatus.CARD_HANDED_OVER:
        return _(
            "No longer valid since %(date)s: the residence card it was waiting for was handed "
            "over to the person. Ask to see the card."
        ) % {"date": _day(ended_on)}
    if status == VerificationStatus.SUPERSEDED:
        since = _no_longer_valid_since(attestation, ended_on)
        if newer is None:
            return since + " " + _("It was replaced by a newer attestation.")
        if newer.last_day is None:
            return (
                since
                + " "
                + _("It was replaced by a newer attestation, valid from %(start)s.")
                % {"start": _day(newer.valid_from)}
            )
        return (
            since
            + " "
            + _("It was replaced by a newer attestation, valid from %(start)s until %(end)s.")
            % {"start": _day(newer.valid_from), "end": _day(newer.last_day)}
        )
    # Ended early: why is the holder's business.
    return _no_longer_valid_since(attestation, ended_on)


def _headline(status: str, rights: Rights) -> Headline:
    """Rights as this document proves them today: none unless it is valid today."""
    valid_today = status == VerificationStatus.VALID
    if not valid_today:
        return Headline(
            valid_today=False,
            may_stay=False,
            may_work=MayWork.NO,
            work_limitation="",
            work_limitation_lang="",
            valid_text=_("Not valid today"),
            stay_text=_("Not with this document"),
            work_text=_("Not with this document"),
        )
    may_work = {"full": MayWork.YES, "limited": MayWork.LIMITED}.get(rights.work, MayWork.NO)
    limited = may_work == MayWork.LIMITED
    return Headline(
        valid_today=True,
        may_stay=rights.may_stay,
        may_work=may_work,
        work_limitation=rights.work_limitation if limited else "",
        work_limitation_lang=rights.work_limitation_lang if limited else "",
        valid_text=_("Valid today"),
        stay_text=rights.stay_text,
        work_text=rights.work_text,
    )


def cover_today(
    attestation: Attestation, today: date, *, previous: Attestation | None = None, permit=None
) -> Cover | None:
    """What covers the person on `today`, before the attestation's first day: the previous
    attestation of its chain if valid that day, else the residence card it continues if valid
    that day (no query: the caller gives `previous` and `permit`)."""
    if attestation.state_on(today) != "not_yet_valid":
        return None
    start = attestation.valid_from
    if previous is not None and previous.is_valid_on(today) and previous.last_day is not None:
        return Cover(
            kind="attestation",
            valid_until=previous.last_day,
            takes_over_on=start,
            text=_(
                "Today the person is covered by their previous attestation, valid until "
                "%(end)s: ask to see it. This attestation takes over on %(start)s."
            )
            % {"end": _day(previous.last_day), "start": _day(start)},
        )
    if permit is not None and permit.valid_from <= today <= permit.valid_until:
        return Cover(
            kind="permit",
            valid_until=permit.valid_until,
            takes_over_on=start,
            text=_(
                "Today the person is covered by their residence card, valid until %(end)s: "
                "ask to see it. This attestation takes over on %(start)s."
            )
            % {"end": _day(permit.valid_until), "start": _day(start)},
        )
    return None


def _next_day(day: date) -> date:
    return day + timedelta(days=1)


def verification_facts(
    attestation: Attestation,
    *,
    today: date,
    newer: Attestation | None = None,
    newer_has_newer: bool = False,
    cover: Cover | None = None,
) -> VerificationFacts:
    """The facts shown to a verifier: no query, no clock (`newer` is the attestation replacing
    this one, if any, see `newer_attestation`; `cover` what covers the person before it starts,
    see `cover_today`)."""
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
    if status not in (VerificationStatus.VALID, VerificationStatus.NOT_YET_VALID):
        ended_on = attestation.ended_on or (_next_day(ends) if ends is not None else None)
    too_old = status == VerificationStatus.TOO_OLD
    reason = attestation.end_reason
    rights = _rights(attestation)
    replaced_by = None
    if status == VerificationStatus.SUPERSEDED and newer_facts is not None:
        replaced_by = Replacement(
            valid_from=newer_facts.valid_from,
            valid_until=newer_facts.last_day,
            status=newer_facts.status,
        )
    return VerificationFacts(
        number=attestation.number,
        kind=attestation.kind,
        kind_label=str(AttestationKind(attestation.kind).label)
        if attestation.kind in AttestationKind.values
        else attestation.kind,
        status=status,
        status_text=_status_text(status, attestation, ends, ended_on, newer_facts),
        holder_name="" if too_old else _holder_name(attestation),
        holder_birth_date=None if too_old else _birth_date(attestation),
        valid_from=attestation.valid_from,
        last_day=ends,
        ended_on=ended_on,
        printed_until=attestation.valid_until,
        issued_on=attestation.issue_on,
        issuing_prefecture=attestation.prefecture.label if attestation.prefecture_id else "",
        rights=rights,
        newer=None if too_old else newer_facts,
        end_reason=reason if ended_on is not None and attestation.ended_on else "",
        end_reason_text=str(END_REASON_TEXTS.get(reason, ""))
        if ended_on is not None and attestation.ended_on
        else "",
        headline=_headline(status, rights),
        covered_today_by=cover if status == VerificationStatus.NOT_YET_VALID else None,
        replaced_by=replaced_by,
    )


def newer_attestations(attestation: Attestation) -> list[Attestation]:
    """The attestations of the same chain issued after this one, oldest first: the next periods,
    the replacements with new holder data, and the ADF after an API (one chain of APIs per
    permit, whatever the number of applications renewing it). One query."""
    if attestation.kind not in CHAINED_KINDS or attestation.application_id is None:
        return []
    if attestation.kind == AttestationKind.API and attestation.permit_id is not None:
        scope = Q(permit_id=attestation.permit_id) | Q(
            kind=AttestationKind.ADF, application__renews_permit_id=attestation.permit_id
        )
    elif attestation.kind == AttestationKind.API:
        scope = Q(application_id=attestation.application_id)
    else:
        scope = Q(application_id=attestation.application_id, kind=AttestationKind.ADF)
    later = (
        Q(valid_from__gt=attestation.valid_from)
        | Q(replaces=attestation)
        | Q(continues=attestation)  # an ADF that took over before this API even started
        | Q(valid_from=attestation.valid_from, pk__gt=attestation.pk)
    )
    followers = Attestation.objects.filter(scope, later, kind__in=CHAINED_KINDS).exclude(
        pk=attestation.pk
    )
    return sorted(followers, key=lambda item: (item.valid_from, item.pk))


def newer_attestation(followers: list[Attestation], today: date) -> Attestation | None:
    """The one a verifier should ask for: the one valid on `today`, else the next one issued
    ahead of its validity, else the latest."""
    for item in followers:
        if item.is_valid_on(today):
            return item
    for item in followers:
        if item.state_on(today) == "not_yet_valid":
            return item
    return followers[-1] if followers else None


def verification_facts_for(attestation: Attestation, *, today: date | None = None):
    """The facts as of `today` (default: today), with the newer attestation looked up."""
    today = today or timezone.localdate()
    followers = newer_attestations(attestation)
    newer = newer_attestation(followers, today)
    newer_has_newer = newer is not None and any(
        item.valid_from > newer.valid_from for item in followers
    )
    cover = None
    if attestation.state_on(today) == "not_yet_valid":  # only then, one query or two
        cover = cover_today(attestation, today, previous=attestation.continues)
        if cover is None and attestation.permit_id is not None:
            cover = cover_today(attestation, today, permit=attestation.permit)
    return verification_facts(
        attestation, today=today, newer=newer, newer_has_newer=newer_has_newer, cover=cover
    )
