"""Reading a report file: its header checked against the format, then its rows.

Rows are `(line_no, csv.DictReader row)` as formats expect them: surplus cells
under the `None` key, missing ones as `None` (see formats/base.py). The line
number is the file's physical line where the row ends; the header is line 1.
Bytes that are not UTF-8 are replaced, so they surface as unreadable cells.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, cast

from reconciliation.reports.formats.base import ReportFormat, Row
from reconciliation.reports.lines import HeaderError, LineError


@contextmanager
def open_report(
    path: Path, report_format: ReportFormat, unreadable: list[LineError]
) -> Iterator[Iterator[Row]]:
    """The report's rows; raises HeaderError for an empty file or a missing column.
    Lines the CSV reader itself cannot split are added to `unreadable` and skipped."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as text:
        yield _rows(text, report_format, unreadable)


def check_header(path: Path, report_format: ReportFormat) -> None:
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as text:
        _header(csv.reader(text), report_format)


def _header(reader: Iterator[list[str]], report_format: ReportFormat) -> list[str]:
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise HeaderError("the report is empty: expected a header row and lines")
    names = [cell.strip() for cell in header]
    missing = sorted(report_format.required_columns - set(names))
    if missing:
        raise HeaderError(f"the header lacks required column(s): {', '.join(missing)}")
    return names


def _rows(text: TextIO, report_format: ReportFormat, unreadable: list[LineError]) -> Iterator[Row]:
    reader = csv.reader(text)
    names = _header(reader, report_format)
    width = len(names)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            unreadable.append(LineError(reader.line_num, f"unreadable CSV: {error}"))
            continue
        if not cells:
            continue
        row: dict[str | None, object] = dict(zip(names, cells, strict=False))
        if len(cells) > width:
            row[None] = cells[width:]
        elif len(cells) < width:
            row.update(dict.fromkeys(names[len(cells) :]))
        yield reader.line_num, cast("dict[str, str]", row)
