"""Arrays quoted for PostgreSQL without a regular expression per quote (issue 16, speed).

Django 5.2 inserts many rows at once through `UNNEST`, one array per column, and its psycopg
backend binds parameters on the client: every array is written out as text by psycopg's
`ListDumper`, which escapes each double quote and backslash of an element with `re.sub` and a
template replacement. A template runs Python code for every match, and the JSON columns of an
attestation (the holder's data, the rights) hold dozens of quotes: in the national-day sweep
this escaping took about a fifth of the whole sweep (1.1 million matches for 5,000 dossiers,
cProfile). `bytes.replace` gives the very same text (backslashes first, then quotes) at C speed.

`register()` (called by `anef.apps.AnefConfig.ready`, before any connection exists) puts this
dumper in psycopg's global adapters, from which Django copies its connections' adapters. The
output is checked equal to psycopg's own on tricky values (tests/anef/test_psycopg_arrays.py), so
that an upgrade of psycopg which changes the format is caught.
"""

from typing import Any

from psycopg import adapters
from psycopg.types.array import ListDumper


class ListDumperQuickQuoting(ListDumper):
    """psycopg's text `ListDumper`, the escaping of quoted elements done by `bytes.replace`."""

    def _dump_list(self, obj: list[Any], tokens: list, needs_quotes) -> None:
        if not obj:
            tokens.append(b"{}")
            return
        dump = self.sub_dumper.dump if self.sub_dumper else self._dump_item
        delimiter = self.delimiter
        tokens.append(b"{")
        for item in obj:
            if item is None:
                tokens.append(b"NULL")
            elif isinstance(item, list):
                self._dump_list(item, tokens, needs_quotes)
            elif (dumped := dump(item)) is None:
                tokens.append(b"NULL")
            else:
                if needs_quotes(dumped):
                    escaped = bytes(dumped).replace(b"\\", b"\\\\").replace(b'"', b'\\"')
                    dumped = b'"' + escaped + b'"'
                tokens.append(dumped)
            tokens.append(delimiter)
        tokens[-1] = b"}"


def register() -> None:
    adapters.register_dumper(list, ListDumperQuickQuoting)
