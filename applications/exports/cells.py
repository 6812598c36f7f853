"""What a cell of an export may hold.

A spreadsheet reads a cell beginning with `=`, `+`, `-` or `@` as a formula (and a tab or a
carriage return before one of them as well): a name typed by an applicant such as
`=HYPERLINK("http://…")` would run on the agent's machine (CSV/formula injection, OWASP). Such
a text is written with a leading apostrophe, which the spreadsheet shows as text. Dates and
numbers are written as such (never formulas); only texts can carry one."""

from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str) -> str:
    """`value`, with an apostrophe before it if a spreadsheet would read it as a formula."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell_value(value: Any) -> Any:
    """A value ready for a typed cell (XLSX): texts neutralised, None as an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, date, datetime)):
        return value
    return neutralised(str(value))


def cell_text(value: Any) -> str:
    """A value as CSV text: ISO dates, texts neutralised, None as an empty field."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return neutralised(str(value))
