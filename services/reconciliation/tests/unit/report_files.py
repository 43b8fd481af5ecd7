"""Read a sample report the way ingestion does (reports.reader): the header checked
against the format's required columns, then (line number, row) pairs to its parser."""

import tempfile
from pathlib import Path

from reconciliation.reports.formats import FORMATS
from reconciliation.reports.lines import LineError, ReportLine
from reconciliation.reports.reader import open_report

SAMPLES = Path(__file__).parent / "samples"


def parse(provider: str, text: str) -> list[ReportLine | LineError]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.csv"
        path.write_text(text)
        return parse_file(provider, path)


def parse_file(provider: str, path: Path) -> list[ReportLine | LineError]:
    report = FORMATS[provider]
    unreadable: list[LineError] = []
    with open_report(path, report, unreadable) as rows:
        parsed: list[ReportLine | LineError] = list(report.parse(rows))
    return parsed + list(unreadable)


def parse_sample(provider: str, name: str) -> list[ReportLine | LineError]:
    return parse_file(provider, SAMPLES / name)


def lines_of(parsed: list[ReportLine | LineError]) -> list[ReportLine]:
    return [line for line in parsed if isinstance(line, ReportLine)]


def errors_of(parsed: list[ReportLine | LineError]) -> dict[int, str]:
    return {e.line_no: e.message for e in parsed if isinstance(e, LineError)}
