"""Many rows inserted in one statement that skips the rows a unique constraint refuses and says
which rows it stored: `INSERT … ON CONFLICT DO NOTHING RETURNING` (PostgreSQL, and SQLite from
3.35).

`bulk_create(ignore_conflicts=True)` skips duplicates but cannot say which rows it wrote: the
notification log must enqueue a message only for the rows it wrote, and the sweep needs the ids
of the attestations it stored (it read every one back by number, and Django prepared each value
of each model instance on the way in: a third of a cold start, issue 16). Here the rows are plain
tuples of the columns the caller decides; every other column takes its model default, computed
once per statement. On PostgreSQL the rows travel as one array per column through `UNNEST`, as
Django's own `bulk_create` does; elsewhere (the embedded SQLite) as `VALUES`, each value prepared
by its field, in batches the backend accepts. Two runs at once cannot both write the same row:
the second waits on the first's uncommitted row, then skips it (or writes it if the first rolled
back).
"""

import json
from collections.abc import Iterator, Sequence

from django.db import connection
from django.db.models import JSONField, Model
from django.utils import timezone


def insert_skipping_conflicts(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    returning: Sequence[str],
    conflict: Sequence[str] = (),
) -> list[tuple]:
    """Insert `rows` (tuples of the fields `columns`, by attribute name: `person_id`) into
    `model`'s table. A row that breaks a unique constraint (only the one on `conflict`, if
    given) is skipped, not an error. Returns, for each row stored, its `returning` fields as
    the database gives them back (SQLite: a date as text). Values are what the fields hold in
    Python: str, int, date, datetime, None; a dict or list for a JSON field."""
    if not rows:
        return []
    meta = model._meta
    by_name = {field.attname: field for field in meta.concrete_fields}
    given = [by_name[name] for name in columns]
    defaults = [
        field
        for field in meta.concrete_fields
        if field.attname not in columns and not field.primary_key
    ]
    now = timezone.now()
    default_values = [
        field.get_db_prep_save(now if _stamped(field) else field.get_default(), connection)
        for field in defaults
    ]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({})".format(
        quote(meta.db_table), ", ".join(quote(field.column) for field in [*given, *defaults])
    )
    target = "({})".format(", ".join(quote(by_name[name].column) for name in conflict))
    tail = "ON CONFLICT {}DO NOTHING RETURNING {}".format(
        f"{target} " if conflict else "",
        ", ".join(quote(meta.get_field(name).column) for name in returning),
    )
    if connection.vendor == "postgresql":
        statements = [_unnest_insert(head, tail, given, default_values, rows)]
    else:
        statements = _values_inserts(head, tail, given, defaults, default_values, rows)
    stored: list[tuple] = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            stored += cursor.fetchall()
    return stored


def _stamped(field) -> bool:
    """A date or time the model sets on save (`auto_now`, `auto_now_add`): now, as `save` would."""
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _unnest_insert(head, tail, given, default_values, rows) -> tuple[str, list]:
    """One statement: an array per given column, the defaults as constants."""
    arrays = []
    for index, field in enumerate(given):
        values = [row[index] for row in rows]
        if isinstance(field, JSONField):
            values = [None if v is None else json.dumps(v, cls=field.encoder) for v in values]
        arrays.append(values)
    casts = ", ".join(f"%s::{field.db_type(connection)}[]" for field in given)
    constants = "".join(", %s" for _ in default_values)
    sql = f"{head} SELECT new.*{constants} FROM UNNEST({casts}) AS new {tail}"  # noqa: S608 (names)
    return sql, [*default_values, *arrays]


def _values_inserts(head, tail, given, defaults, default_values, rows) -> Iterator:
    """As many statements as the backend's limit on parameters needs, each value prepared."""
    per_statement = max(1, connection.ops.bulk_batch_size([*given, *defaults], rows))
    placeholders = "({})".format(", ".join("%s" for _ in [*given, *defaults]))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        params: list = []
        for row in chunk:
            params += [
                field.get_db_prep_save(value, connection)
                for field, value in zip(given, row, strict=True)
            ]
            params += default_values
        yield f"{head} VALUES {', '.join(placeholders for _ in chunk)} {tail}", params
