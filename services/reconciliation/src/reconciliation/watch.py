"""The watched directory: report files dropped there are ingested, then moved.

A file is named for its provider, `<provider>/<any>.csv` or `<provider>_<any>.csv`
(`stripe_2026-12-01.csv`); a `YYYY-MM-DD` in the name is its settlement date.
The file is first renamed into `processing/` (a rename succeeds for one replica
only), ingested, then moved to `done/` or, with a `.error` note beside it, to
`failed/`. Ingestion is idempotent, so a file seen twice is one report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import structlog

from reconciliation.reports.errors import ReportRefused
from reconciliation.reports.ingest import Ingested, ingest
from reconciliation.reports.lines import HeaderError
from reconciliation.reports.spool import spool_file
from reconciliation.store import ReconciliationUnitOfWork

log = structlog.get_logger(__name__)

DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
STATES = ("processing", "done", "failed")


@dataclass(frozen=True)
class Dropped:
    path: Path
    provider: str
    settlement_date: date | None


def dropped_files(root: Path, providers: set[str]) -> Iterator[Dropped]:
    """Report files waiting in `root`, oldest first, with the provider they are for."""
    candidates = list(root.glob("*.csv")) + [
        p for p in root.glob("*/*.csv") if p.parent.name in providers
    ]
    for path in sorted(candidates, key=lambda p: p.stat().st_mtime):
        provider = path.parent.name if path.parent != root else _provider_prefix(path, providers)
        if provider is not None:
            match = DATE.search(path.name)
            day = date.fromisoformat(match.group(1)) if match else None
            yield Dropped(path, provider, day)


def _provider_prefix(path: Path, providers: set[str]) -> str | None:
    prefix = re.split(r"[_\-.]", path.name, maxsplit=1)[0].lower()
    return prefix if prefix in providers else None


async def ingest_dropped(
    root: Path,
    providers: set[str],
    *,
    limit: int,
    uow: Callable[[], ReconciliationUnitOfWork],
) -> list[Ingested]:
    """Ingest every waiting file; one bad file does not stop the others."""
    for state in STATES:
        (root / state).mkdir(exist_ok=True)
    done: list[Ingested] = []
    for dropped in list(dropped_files(root, providers)):
        taken = root / "processing" / f"{dropped.provider}_{dropped.path.name}"
        try:
            dropped.path.rename(taken)
        except FileNotFoundError:
            continue  # another replica took it
        try:
            async with uow() as work:
                result = await ingest(
                    spool_file(taken, limit=limit),
                    dropped.provider,
                    uow=work,
                    source="directory",
                    filename=dropped.path.name,
                    settlement_date=dropped.settlement_date,
                )
        except (HeaderError, ReportRefused) as error:
            taken.rename(root / "failed" / dropped.path.name)
            (root / "failed" / f"{dropped.path.name}.error").write_text(f"{error}\n")
            log.warning("report_file_refused", file=dropped.path.name, reason=str(error))
            continue
        taken.rename(root / "done" / dropped.path.name)
        log.info("report_file_ingested", file=dropped.path.name, report_id=result.report.id)
        done.append(result)
    return done
