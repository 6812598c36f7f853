"""The notification log (issue 16): record, once per person, kind, due day and channel, that a
person was told something, and learn which of a batch were new.

The caller must enqueue an e-mail only for the rows this call wrote: the log is written by
`anef.bulk_insert.insert_skipping_conflicts` (`INSERT … ON CONFLICT DO NOTHING RETURNING`), so a
second run writes nothing and gets nothing back, and two runs at once cannot both write the same
row. One statement per batch on PostgreSQL, whatever its size (on SQLite, as many as its limit
on parameters needs).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from anef.bulk_insert import insert_skipping_conflicts
from anef.models import NotificationLog


@dataclass(frozen=True)
class Notification:
    """One notification to log: to whom, what, due on which day, on which channel, about what."""

    person_id: int
    kind: str
    due_day: date
    channel: str
    subject_type: str
    subject_id: int

    @property
    def key(self) -> tuple[int, str, date, str]:
        """The unique key of its log row."""
        return (self.person_id, self.kind, self.due_day, self.channel)


def notifications_record(notifications: Iterable[Notification]) -> list[Notification]:
    """Log the notifications not logged yet, in the caller's transaction; return those this
    call wrote (the others were logged before, or by a run at the same time)."""
    pending = {notification.key: notification for notification in notifications}
    if not pending:
        return []
    columns = ("person_id", "kind", "due_day", "channel", "subject_type", "subject_id")
    keys = insert_skipping_conflicts(
        NotificationLog,
        columns,
        [tuple(getattr(row, column) for column in columns) for row in pending.values()],
        returning=columns[:4],
        conflict=columns[:4],
    )
    written: list[Notification] = []
    for person_id, kind, due_day, channel in keys:
        if isinstance(due_day, str):  # SQLite returns the date as it stored it
            due_day = date.fromisoformat(due_day)
        written.append(pending[(person_id, kind, due_day, channel)])
    return written
