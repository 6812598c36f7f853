"""The notification log (issue 16): record, once per person, kind, due day and channel, that a
person was told something, and learn which of a batch were new.

Why a hand-written INSERT: `bulk_create(ignore_conflicts=True)` skips duplicates but does not
say which rows it wrote, and the caller must enqueue an e-mail only for those. PostgreSQL (and
SQLite from 3.35) answer `INSERT … ON CONFLICT DO NOTHING RETURNING`: a second run writes
nothing and gets nothing back; two runs at once cannot both write the same row (the second
waits on the first's uncommitted row, then skips it, or writes it if the first rolled back).
One statement per batch, whatever its size.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone

from anef.models import NotificationLog

# Rows per statement (five parameters each; far below PostgreSQL's and SQLite's limits).
CHUNK = 500


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
    table = connection.ops.quote_name(NotificationLog._meta.db_table)
    columns = ("person_id", "kind", "due_day", "channel", "subject_type", "subject_id")
    quoted = ", ".join(connection.ops.quote_name(column) for column in (*columns, "created_at"))
    conflict = ", ".join(connection.ops.quote_name(column) for column in columns[:4])
    returning = ", ".join(connection.ops.quote_name(column) for column in columns[:4])
    now = timezone.now()
    written: list[Notification] = []
    rows = list(pending.values())
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        parameters: list = []
        for row in chunk:
            parameters += [
                row.person_id,
                row.kind,
                connection.ops.adapt_datefield_value(row.due_day),
                row.channel,
                row.subject_type,
                row.subject_id,
                connection.ops.adapt_datetimefield_value(now),
            ]
        sql = (
            f"INSERT INTO {table} ({quoted}) VALUES {values} "  # noqa: S608 (names, not data)
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {returning}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            keys = cursor.fetchall()
        for person_id, kind, due_day, channel in keys:
            if isinstance(due_day, str):  # SQLite returns the date as it stored it
                due_day = date.fromisoformat(due_day)
            written.append(pending[(person_id, kind, due_day, channel)])
    return written
