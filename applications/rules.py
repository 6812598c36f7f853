"""Pure rules about dossiers: no database, no clock. Those about the reference catalogue
and postal codes are in `reference.rules`."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from django.conf import settings

from anef import uploads
from anef.working_days import nth_working_day_after
from applications.enums import ApplicationStatus
from reference.enums import CardType

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


# --- Filing a renewal in time (CESEDA R. 431-5) -------------------------------------------------


@dataclass(frozen=True)
class FilingPolicy:
    """When a renewal may be filed: the law's window (R. 431-5 1°), which a policy may only
    widen. The attestations' policy (`attestations.rules.Policy`) extends it: whether a renewal
    was filed in time decides whether the law gives an API."""

    renewal_window_start_days: int = 120
    renewal_window_end_days: int = 60
    filed_before_expiry_counts_as_in_time: bool = False
    # Continuity of public service (a principle of constitutional value, Conseil
    # constitutionnel n° 79-105 DC of 25 July 1979; R. 431-2 CESEDA and the arrêté of 1 August
    # 2023: an online service that fails must not cost the person a right): a renewal filed
    # within this many working days after an outage of the online service that covered the
    # last day of its filing window counts as filed in time (`renewal_filed_within_outage_grace`).
    outage_grace_working_days: int = 3

    @classmethod
    def from_settings(cls) -> "FilingPolicy":
        """The window in force, from its keys of `settings.ATTESTATION_POLICY` (each value's
        legal source is cited there). A window narrower than the law's is refused."""
        names = {name.upper(): name for name in cls.__dataclass_fields__}
        policy = cls(
            **{
                names[key]: value
                for key, value in settings.ATTESTATION_POLICY.items()
                if key in names
            }
        )
        law = cls()
        if (
            policy.renewal_window_start_days < law.renewal_window_start_days
            or policy.renewal_window_end_days > law.renewal_window_end_days
            or policy.outage_grace_working_days < 0
        ):
            raise ValueError("ATTESTATION_POLICY is stricter than CESEDA R. 431-5")
        return policy


@dataclass(frozen=True)
class FilingWindow:
    """R. 431-5: the days on which a renewal is filed in time (both included)."""

    opens_on: date
    closes_on: date


FILING_TOO_EARLY = "too_early"
FILING_IN_TIME = "in_time"
FILING_LATE = "late"


# R. 431-5, titles not on the list of titles renewed online: "dans le courant des deux mois
# précédant l'expiration" of the title.
OFFLINE_RENEWAL_WINDOW_MONTHS = 2


def renewal_filing_window(
    expires_on: date, policy: FilingPolicy, *, renewed_online: bool = True
) -> FilingWindow:
    """A title renewed online (R. 431-5 1°): from the 120th to the 60th day before expiry. Any
    other title: within the two months before it ends, up to its last day. The policy may only
    widen a window (any day before expiry counted as in time)."""
    if not renewed_online:
        opens_on = expires_on - relativedelta(months=OFFLINE_RENEWAL_WINDOW_MONTHS)
        return FilingWindow(opens_on, expires_on)
    opens_on = expires_on - timedelta(days=policy.renewal_window_start_days)
    closes_on = expires_on - timedelta(days=policy.renewal_window_end_days)
    if policy.filed_before_expiry_counts_as_in_time:
        closes_on = expires_on
    return FilingWindow(opens_on, closes_on)


def renewal_filing_timing(
    filed_on: date, expires_on: date, policy: FilingPolicy, *, renewed_online: bool = True
) -> str:
    """Whether a renewal filed on `filed_on` is early (not to be filed yet), in time, or late
    (accepted, but the law gives no API)."""
    window = renewal_filing_window(expires_on, policy, renewed_online=renewed_online)
    if filed_on < window.opens_on:
        return FILING_TOO_EARLY
    if filed_on > window.closes_on:
        return FILING_LATE
    return FILING_IN_TIME


@dataclass(frozen=True)
class OutageDays:
    """An outage of the online service as the rules read it: its first and last day (local
    dates, both included, however short the outage was on them); `last_day` None while it
    goes on."""

    first_day: date
    last_day: date | None = None

    def covers(self, day: date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


def renewal_filed_within_outage_grace(
    filed_on: date,
    window: FilingWindow,
    outages: Iterable[OutageDays],
    policy: FilingPolicy,
) -> bool:
    """Outages count for the person, not against them: a renewal filed after its window closed
    is in time all the same when an outage covered the window's last day (any part of it) and
    the renewal was filed by the `policy.outage_grace_working_days`-th working day after the
    outage's last day (weekends and public holidays are not counted; the outage's own last day
    is not one of them), or while it still goes on."""
    if filed_on <= window.closes_on:
        return False  # not late: nothing to excuse
    for outage in outages:
        if not outage.covers(window.closes_on):
            continue
        if outage.last_day is None:
            return True
        if filed_on <= nth_working_day_after(outage.last_day, policy.outage_grace_working_days):
            return True
    return False


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
