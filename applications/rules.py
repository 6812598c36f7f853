"""Pure rules about dossiers: no database, no clock. Those about the reference catalogue
and postal codes are in `reference.rules`."""

from datetime import date, timedelta
from enum import StrEnum

from anef import uploads
from applications.enums import ApplicationStatus

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
