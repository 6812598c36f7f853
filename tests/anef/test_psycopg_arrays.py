"""Arrays quoted by anef.psycopg_arrays: the same text as psycopg's, used by Django's inserts."""

import datetime

import pytest
from django.db import connection
from psycopg import adapt
from psycopg.adapt import PyFormat
from psycopg.types.array import ListDumper
from psycopg.types.json import Jsonb

from anef.psycopg_arrays import ListDumperQuickQuoting
from attestations.models import Attestation

TRICKY = [
    ["plain", 'a "quoted" word', "back\\slash", '\\"both\\"', "", None, "x,y", "{braces}"],
    ["é ü ع 中", "null", "NULL", " space ", "tab\tand\nnewline"],
    [["nested", 'in "quotes"'], ["back\\", None]],
    [1, 2, None, 3],
    [Jsonb({"name": 'Aïcha "Ben" \\ Ali', "rights": ["work", 'a "b"']}), Jsonb({})],
    [],
]


def _quoted(dumper_class, value) -> bytes:
    context = adapt.Transformer()
    dumper = dumper_class(list, context).upgrade(value, PyFormat.TEXT)
    return bytes(dumper.dump(value))


@pytest.mark.parametrize("value", TRICKY)
def test_quick_quoting_writes_what_psycopg_writes(value):
    assert _quoted(ListDumperQuickQuoting, value) == _quoted(ListDumper, value)


@pytest.mark.django_db
def test_django_connections_quote_lists_with_the_quick_dumper():
    with connection.cursor() as cursor:
        dumper = cursor.connection.adapters.get_dumper(list, PyFormat.TEXT)
    assert dumper is ListDumperQuickQuoting


@pytest.mark.django_db
def test_bulk_inserted_json_with_quotes_and_backslashes_reads_back_unchanged():
    snapshot = {"given_names": "Aïcha", "family_name": 'Ben "Ali" \\ Ḥaddād'}
    copies = [
        Attestation(
            number=f"TEST-{n}",
            kind="technical_impossibility",
            valid_from=datetime.date(2026, 12, 4),
            issue_on=datetime.date(2026, 12, 4),
            holder_snapshot=snapshot,
            rights=['work "full time"', "back\\slash"],
        )
        for n in range(2)  # two rows: Django inserts them through UNNEST arrays
    ]
    Attestation.objects.bulk_create(copies)
    stored = Attestation.objects.filter(number__startswith="TEST-").order_by("number")
    assert [(row.holder_snapshot, row.rights) for row in stored] == [
        (snapshot, ['work "full time"', "back\\slash"])
    ] * 2
