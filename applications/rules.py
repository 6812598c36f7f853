"""Pure rules about dossiers and reference data: no database, no clock."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from anef import uploads
from applications.enums import (
    ApplicationStatus,
    CardType,
    DecisionKind,
    ProcedureKind,
    RightToWork,
)


def departement_code_for_postal_code(postal_code: str) -> str:
    """The département a French postal code belongs to.

    Metropolitan codes start with the département number; Corsica (20xxx) splits into 2A
    (20000-20199) and 2B (20200-20999); overseas départements use three digits (971-976).
    """
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():
        raise ValueError(f"Not a French postal code: {postal_code!r}")
    if code.startswith("20"):
        return "2A" if int(code) < 20200 else "2B"
    if code.startswith("97"):
        return code[:3]
    return code[:2]


_REQUIRED_GROUND_KEYS = (
    "code",
    "label_fr",
    "label_en",
    "description_fr",
    "description_en",
    "ceseda_article",
    "card_type",
    "right_to_work",
    "renewable",
    "procedure_kinds",
    "requirements",
)


def catalogue_errors(catalogue: dict) -> list[str]:
    """Every problem in a reference-data catalogue (empty list: valid).

    A ground must cite its CESEDA article, state the rights its document carries, list the
    procedures it offers and come with a non-empty checklist of known document types.
    """
    errors: list[str] = []
    if not isinstance(catalogue, dict):
        return ["the catalogue is not a mapping"]
    for section in ("prefectures", "document_types", "grounds", "decision_reasons"):
        if not catalogue.get(section):
            errors.append(f"section {section!r} is missing or empty")
    if errors:
        return errors

    departements = [entry.get("departement_code") for entry in catalogue["prefectures"]]
    if len(departements) != len(set(departements)):
        errors.append("two prefectures share a département code")

    document_codes = {entry.get("code") for entry in catalogue["document_types"]}
    for entry in catalogue["document_types"]:
        if not entry.get("label_fr") or not entry.get("label_en"):
            errors.append(f"document type {entry.get('code')!r} needs label_fr and label_en")

    seen_grounds: set[str] = set()
    for ground in catalogue["grounds"]:
        code = ground.get("code", "?")
        if code in seen_grounds:
            errors.append(f"ground {code!r} is listed twice")
        seen_grounds.add(code)
        missing = [key for key in _REQUIRED_GROUND_KEYS if ground.get(key) in (None, "", [])]
        if missing:
            errors.append(f"ground {code!r} lacks {', '.join(missing)}")
            continue
        if ground["card_type"] not in CardType.values:
            errors.append(f"ground {code!r}: unknown card type {ground['card_type']!r}")
        if ground["right_to_work"] not in RightToWork.values:
            errors.append(f"ground {code!r}: unknown right to work {ground['right_to_work']!r}")
        if ground["right_to_work"] == RightToWork.LIMITED and not ground.get("work_limitation_fr"):
            errors.append(f"ground {code!r}: a limited right to work must state its limit")
        unknown_kinds = set(ground["procedure_kinds"]) - set(ProcedureKind.values)
        if unknown_kinds:
            errors.append(f"ground {code!r}: unknown procedures {sorted(unknown_kinds)}")
        if ground["renewable"] != (ProcedureKind.RENEWAL in ground["procedure_kinds"]):
            errors.append(f"ground {code!r}: 'renewable' disagrees with its procedures")
        listed = [item.get("document") for item in ground["requirements"]]
        if len(listed) != len(set(listed)):
            errors.append(f"ground {code!r}: a document is listed twice")
        for item in ground["requirements"]:
            if item.get("document") not in document_codes:
                errors.append(f"ground {code!r}: unknown document {item.get('document')!r}")
            extra = set(item.get("procedure_kinds") or []) - set(ground["procedure_kinds"])
            if extra:
                errors.append(
                    f"ground {code!r}: document {item.get('document')!r} names procedures "
                    f"the ground does not offer: {sorted(extra)}"
                )
    for reason in catalogue["decision_reasons"]:
        code = reason.get("code", "?")
        if reason.get("kind") not in DecisionKind.values:
            errors.append(f"decision reason {code!r}: unknown kind {reason.get('kind')!r}")
        for key in ("label_fr", "label_en", "legal_basis", "remedies_fr", "remedies_en"):
            if not reason.get(key):
                errors.append(f"decision reason {code!r} lacks {key}")
    return errors


# --- Documents ---------------------------------------------------------------------------------

# The type of a file is read from its bytes by the one upload pipeline (anef/uploads.py).
sniff_document_type = uploads.sniff


def missing_mandatory_documents(
    required_document_type_ids: set[int], provided_document_type_ids: set[int]
) -> set[int]:
    """Checklist pieces still without any file."""
    return required_document_type_ids - provided_document_type_ids


def procedure_is_offered(ground_procedure_kinds: list[str], kind: str) -> bool:
    return kind in ground_procedure_kinds


# --- Retention of documents (issue 8, personal data) -------------------------------------------

# Dossiers whose outcome is final: the card was handed over, the application was refused,
# closed or withdrawn. A favourable decision whose card is not yet handed over, and anything
# still being examined, is not final: its documents are kept.
RETENTION_FINAL_STATES = frozenset(
    {
        ApplicationStatus.CLOSED_CARD_HANDED_OVER,
        ApplicationStatus.UNFAVOURABLE,
        ApplicationStatus.CLOSED,
        ApplicationStatus.WITHDRAWN,
    }
)


class RetentionAction(StrEnum):
    KEEP = "keep"
    WARN = "warn"
    PURGE = "purge"


def retention_final_since(
    *,
    status: str,
    decided_on: date | None,
    card_handed_over_on: date | None,
    withdrawn_on: date | None,
) -> date | None:
    """The day a dossier's outcome became final, from which the retention period runs; None
    while it is not final (or when the date that would make it final is not recorded)."""
    if status == ApplicationStatus.CLOSED_CARD_HANDED_OVER:
        return card_handed_over_on
    if status in (ApplicationStatus.UNFAVOURABLE, ApplicationStatus.CLOSED):
        return decided_on
    if status == ApplicationStatus.WITHDRAWN:
        return withdrawn_on
    return None


def retention_purge_on(final_since: date, retention_days: int) -> date:
    """The first day the documents may be deleted: the retention period is `retention_days`
    whole days counted from the day the outcome became final (that day included)."""
    return final_since + timedelta(days=retention_days)


def document_retention_action(
    *,
    final_since: date | None,
    warned_on: date | None,
    today: date,
    retention_days: int,
    warning_days: int,
    record_disputed: bool = False,
) -> RetentionAction:
    """What to do today with the documents of one dossier (RGPD art. 5-1-e, storage
    limitation; the periods are the operator's policy settings, not CESEDA's).

    - not final (`final_since` None), or the person disputes the record (an open error
      report): keep;
    - before `warning_days` ahead of the end of the retention period: keep;
    - from then on, if the person was not told since the outcome became final: warn;
    - once told, purge on the later of the end of the period and `warning_days` after the
      warning: a purge never happens without a warning, and a late warning postpones it.
    """
    if final_since is None or record_disputed:
        return RetentionAction.KEEP
    purge_on = retention_purge_on(final_since, retention_days)
    if today < purge_on - timedelta(days=warning_days):
        return RetentionAction.KEEP
    # A warning sent before the outcome became final (e.g. for an earlier decision, re-opened
    # since) does not count: the person must be told about this period.
    if warned_on is None or warned_on < final_since:
        return RetentionAction.WARN
    if today >= max(purge_on, warned_on + timedelta(days=warning_days)):
        return RetentionAction.PURGE
    return RetentionAction.KEEP


# --- Deadlines as dates (issue 18) ---------------------------------------------------------------

# Expected decision dates come from the decisions really taken, never from a typed figure.
PROCESSING_WINDOW_DAYS = 90  # decisions taken in the last 90 days (the 90th day included)
PROCESSING_MIN_DECISIONS = 30  # fewer decisions: « not enough data yet »
PROCESSING_PERCENTILE = 80


@dataclass(frozen=True)
class ProcessingFigures:
    """Days from completion to decision over `count` decisions: half of them came within
    `median_days`, four in five within `p80_days`."""

    count: int
    median_days: int
    p80_days: int


def processing_window_start(today: date) -> date:
    """The first day of the period the figures cover: a decision taken 90 days before `today`
    counts, one taken 91 days before does not."""
    return today - timedelta(days=PROCESSING_WINDOW_DAYS)


def processing_figures(
    durations: list[int], *, minimum: int = PROCESSING_MIN_DECISIONS
) -> ProcessingFigures | None:
    """Median and 80th percentile of the days from completion to decision; None below
    `minimum` decisions (a figure from a handful of dossiers would mislead more than help).

    The median of an even count is the mean of the two middle values, rounded **up** to a
    whole day; the 80th percentile is the nearest-rank one (the ⌈0.8 n⌉-th smallest value).
    Both round towards the later day: a person told « between … and … » is never told a date
    earlier than the figures support."""
    if len(durations) < minimum or not durations:
        return None
    ordered = sorted(durations)
    count = len(ordered)
    middle = count // 2
    # Odd count: the middle value; even: the ceiling of the mean of the two middle ones.
    median = ordered[middle] if count % 2 else -(-(ordered[middle - 1] + ordered[middle]) // 2)
    rank = -(-PROCESSING_PERCENTILE * count // 100)  # ⌈0.8 n⌉, 1-based
    return ProcessingFigures(count=count, median_days=median, p80_days=ordered[rank - 1])


# R. 432-1 CESEDA: the administration's silence on a residence permit application is an
# implicit rejection; R. 432-2: it arises after four months. The period runs from the day the
# application is complete (CRPA L. 114-5: for an incomplete one, from the receipt of the missing
# pieces; CE, 10 October 2024, n° 494718: silence on an incomplete dossier is no rejection).
# R. 432-2 sets shorter periods for a few cards (talent passport among them); anef does not
# model them and shows no date for those cards rather than a wrong one.
IMPLICIT_REJECTION_MONTHS = 4
IMPLICIT_REJECTION_NOT_MODELLED_CARDS = frozenset({CardType.TALENT_PASSPORT})


def implicit_rejection_on(*, status: str, complete_on: date | None, card_type: str) -> date | None:
    """The day the silence becomes an implicit rejection, for a complete dossier still
    awaiting its decision; None when the rule does not give a date we can state."""
    if status != ApplicationStatus.COMPLETE or complete_on is None:
        return None
    if card_type in IMPLICIT_REJECTION_NOT_MODELLED_CARDS:
        return None
    return complete_on + relativedelta(months=IMPLICIT_REJECTION_MONTHS)


# Remedies against a decision without an obligation to leave France: recours gracieux or
# hiérarchique (CRPA L. 411-2) and recours contentieux (CJA R. 421-1), two months from the
# notification. With an obligation to leave France (CESEDA L. 614-4 and following) the limits
# are 30 days, 15 days or 48 hours depending on its kind: never computed here.
REMEDY_MONTHS = 2

# A decision has been taken in these states and can be notified (a re-opened dossier goes back
# to « complete », and its notification is cleared with its decision).
DECIDED_STATES = frozenset(
    {
        ApplicationStatus.FAVOURABLE,
        ApplicationStatus.CARD_AVAILABLE,
        ApplicationStatus.CLOSED_CARD_HANDED_OVER,
        ApplicationStatus.UNFAVOURABLE,
        ApplicationStatus.CLOSED,
    }
)


class RemedyDeadline(StrEnum):
    DATED = "dated"  # a date can be stated
    NOT_NOTIFIED = "not_notified"  # the two months start on notification, not recorded yet
    NOT_COMPUTED = "not_computed"  # an obligation to leave France, or unknown: read the decision


def remedy_deadline(
    *, obligation_to_leave: bool | None, notified_on: date | None
) -> tuple[RemedyDeadline, date | None]:
    """(kind, date): « before <date> » for a decision without an obligation to leave France
    notified on `notified_on`.

    The date is the day with the same number two months later (the month's last day when it
    has none: 31 December → 28/29 February). The law's period is « franc » (neither the day of
    notification nor the last day counts), so acting **before** that date is always in time; a
    date one day early is safer than one day late. When whether the decision carries an
    obligation to leave France is not recorded (`None`), nothing is computed."""
    if obligation_to_leave is not False:
        return RemedyDeadline.NOT_COMPUTED, None
    if notified_on is None:
        return RemedyDeadline.NOT_NOTIFIED, None
    return RemedyDeadline.DATED, notified_on + relativedelta(months=REMEDY_MONTHS)
