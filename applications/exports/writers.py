"""The files: CSV (semicolon-separated, UTF-8 with a byte-order mark, as French spreadsheets open
it without an import dialog) and XLSX written by openpyxl in write-only mode (rows streamed to
the file, never a whole sheet in memory). Every cell goes through `cells`."""

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from applications.exports.cells import cell_text, cell_value

PROGRESS_EVERY = 1000

Progress = Callable[[int], None]


def _counted(rows: Iterable[list[Any]], on_progress: Progress) -> Iterable[list[Any]]:
    for written, row in enumerate(rows, start=1):
        yield row
        if written % PROGRESS_EVERY == 0:
            on_progress(written)


def write_csv(
    out: BinaryIO, headers: list[str], rows: Iterable[list[Any]], on_progress: Progress
) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([cell_text(header) for header in headers])
    for row in _counted(rows, on_progress):
        writer.writerow([cell_text(value) for value in row])
    text.flush()
    text.detach()  # leave `out` open for the caller


def write_xlsx(
    out: BinaryIO,
    headers: list[str],
    rows: Iterable[list[Any]],
    on_progress: Progress,
    *,
    title: str = "Queue",
) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=cell_value(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in _counted(rows, on_progress):
        # A neutralised text never begins with "=", so openpyxl never stores it as a formula.
        sheet.append([cell_value(value) for value in row])
    workbook.save(out)
