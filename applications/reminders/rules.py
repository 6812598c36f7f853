"""Which renewal reminder is due for one card held, on one day: pure, no database, no clock.

Why (DESIGN.md §3, "Renewal reminders"): the law gives an API only to a COMPLETE renewal filed
between the 120th and the 60th day before the card ends (CESEDA R. 431-5 1°, R. 431-15-1). A
person who files late, or whose renewal stays incomplete, ends up without any document proving
their right to stay. So, for a card held in the portal:

- no renewal filed yet: a reminder on the day the window opens (the 120th day before the card
  ends, `FilingPolicy.renewal_window_start_days`), again on the 90th and on the 70th day, as long
  as the window is open (until its last day, the 60th day before the end, included);
- a renewal filed but not complete, with something left for the person to do (a piece missing, a
  correction asked for): a reminder naming what is missing on the 30th and on the 20th day
  before the card ends, up to its last day.

Reminders stop once the person files (a draft is not filed; a withdrawn renewal no longer
counts) or once nothing is left for them to do. A day missed by the scheduler is caught up: the
rule names the LATEST reminder due on `today`, never the earlier ones it replaces; the sender
logs each once (anef.models.NotificationLog).

A card renewed outside the online list (R. 431-5: within the two months before it ends) has only
the first reminder, on the first day of its own window: the 90th and 70th days fall before it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from anef.enums import NotificationKind, NotificationSubject
from applications.enums import ApplicationStatus
from applications.rules import FilingPolicy, renewal_filing_window

WINDOW_OPEN = NotificationKind.RENEWAL_WINDOW_OPEN_120
REMINDER_90 = NotificationKind.RENEWAL_REMINDER_90
REMINDER_70 = NotificationKind.RENEWAL_REMINDER_70
INCOMPLETE_30 = NotificationKind.RENEWAL_INCOMPLETE_30
INCOMPLETE_20 = NotificationKind.RENEWAL_INCOMPLETE_20

# Days before the card's last day on which a reminder falls due (the window's opening comes
# from the filing policy, R. 431-5).
NOT_FILED_REMINDERS = ((REMINDER_90, 90), (REMINDER_70, 70))
INCOMPLETE_REMINDERS = ((INCOMPLETE_30, 30), (INCOMPLETE_20, 20))
INCOMPLETE_KINDS = frozenset(kind for kind, _days in INCOMPLETE_REMINDERS)

# A renewal in these states is not filed (a draft) or no longer counts (withdrawn).
NOT_FILED_STATES = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN})
# Filed, waiting for the person or the prefecture: the only states in which pieces can lack.
INCOMPLETE_STATES = frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.CORRECTION_REQUESTED})


@dataclass(frozen=True)
class PermitFacts:
    """One card held, as the rule needs it. `expires_on`: its last day of validity."""

    permit_id: int
    expires_on: date
    renewable: bool = True  # its ground can be renewed (unknown ground: assumed so)
    renewed_online: bool = True  # R. 431-5 1° window, else the two months before it ends
    replaced: bool = False  # a newer card of the same person is recorded


@dataclass(frozen=True)
class RenewalFacts:
    """One application that renews (or continues) the card."""

    application_id: int
    status: str
    missing: tuple = ()  # the pieces the person must still give, in the order to show them
    correction_requested: bool = False  # an open correction request waits for the person

    @property
    def filed(self) -> bool:
        return self.status not in NOT_FILED_STATES

    @property
    def waits_for_the_person(self) -> bool:
        return self.status in INCOMPLETE_STATES and (
            bool(self.missing) or self.correction_requested
        )


@dataclass(frozen=True)
class Reminder:
    """The reminder due for one card: what, due on which day, and the dates it states."""

    kind: str
    due_on: date
    permit_id: int
    expires_on: date
    opens_on: date  # first day to file in time
    closes_on: date  # last day to file in time
    application_id: int | None = None  # the incomplete renewal, for the incomplete kinds
    missing: tuple = field(default=())
    correction_requested: bool = False

    @property
    def is_incomplete(self) -> bool:
        return self.kind in INCOMPLETE_KINDS

    @property
    def subject(self) -> tuple[str, int]:
        """What the reminder is about, for the notification log."""
        if self.application_id is not None:
            return NotificationSubject.APPLICATION, self.application_id
        return NotificationSubject.PERMIT, self.permit_id

    def days_left(self, today: date) -> int:
        """Days left to act, today included (1 on the last day): to file in time, or, for an
        incomplete renewal, before the card ends."""
        last = self.expires_on if self.is_incomplete else self.closes_on
        return (last - today).days + 1


def not_filed_schedule(
    expires_on: date, policy: FilingPolicy, *, renewed_online: bool = True
) -> list[tuple[str, date]]:
    """(kind, due day) of the reminders of a card with no renewal filed, in order."""
    window = renewal_filing_window(expires_on, policy, renewed_online=renewed_online)
    schedule = [(WINDOW_OPEN, window.opens_on)]
    for kind, days in NOT_FILED_REMINDERS:
        due_on = expires_on - timedelta(days=days)
        if window.opens_on < due_on <= window.closes_on:
            schedule.append((kind, due_on))
    return schedule


def incomplete_schedule(expires_on: date) -> list[tuple[str, date]]:
    """(kind, due day) of the reminders of an incomplete renewal, in order."""
    return [(kind, expires_on - timedelta(days=days)) for kind, days in INCOMPLETE_REMINDERS]


def _latest_due(schedule: list[tuple[str, date]], today: date) -> tuple[str, date] | None:
    due = [(kind, due_on) for kind, due_on in schedule if due_on <= today]
    return max(due, key=lambda entry: entry[1]) if due else None


def due_reminder(
    permit: PermitFacts,
    renewals: Iterable[RenewalFacts],
    today: date,
    policy: FilingPolicy,
) -> Reminder | None:
    """The latest reminder due on `today` for this card, or None: nothing to remind (yet, or
    any more)."""
    if not permit.renewable or permit.replaced or today > permit.expires_on:
        return None
    window = renewal_filing_window(permit.expires_on, policy, renewed_online=permit.renewed_online)
    dates = {
        "permit_id": permit.permit_id,
        "expires_on": permit.expires_on,
        "opens_on": window.opens_on,
        "closes_on": window.closes_on,
    }
    filed = sorted(
        (renewal for renewal in renewals if renewal.filed), key=lambda r: r.application_id
    )
    if filed:
        waiting = [renewal for renewal in filed if renewal.waits_for_the_person]
        # Another renewal of this card complete or decided: nothing left to ask the person.
        if not waiting or any(renewal.status not in INCOMPLETE_STATES for renewal in filed):
            return None
        latest = _latest_due(incomplete_schedule(permit.expires_on), today)
        if latest is None:
            return None
        renewal = waiting[0]
        return Reminder(
            kind=latest[0],
            due_on=latest[1],
            application_id=renewal.application_id,
            missing=renewal.missing,
            correction_requested=renewal.correction_requested,
            **dates,
        )
    if today > window.closes_on:
        return None
    latest = _latest_due(
        not_filed_schedule(permit.expires_on, policy, renewed_online=permit.renewed_online), today
    )
    if latest is None:
        return None
    return Reminder(kind=latest[0], due_on=latest[1], **dates)


# One notice per person per day (DESIGN.md: reminders must not drown the person): when several
# are due the same day (two cards, or a card's reminder and an incomplete renewal), the most
# urgent goes first and the others follow on the next days, each still due until sent. An
# incomplete renewal close to the card's end risks a gap soonest (no API without completeness,
# 15 days ahead); then the filing reminders, the latest first.
URGENCY = (INCOMPLETE_20, INCOMPLETE_30, REMINDER_70, REMINDER_90, WINDOW_OPEN)


def most_urgent(reminders: Iterable[Reminder]) -> Reminder | None:
    """The reminder to send first among those due to one person: by kind (`URGENCY`), then the
    card ending first."""
    return min(
        reminders,
        key=lambda one: (URGENCY.index(one.kind), one.expires_on, one.permit_id),
        default=None,
    )
