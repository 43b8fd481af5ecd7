"""The reconciliation side of `make bench-recon`, in its own process so its peak
memory is its own: ingest the report file, run it, print the figures as JSON.

    python -m payroute_bench.recon_worker DATABASE_URL REPORT_FILE
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from payroute_common.db import make_session_factory
from reconciliation.reports.ingest import ingest
from reconciliation.reports.spool import spool_file
from reconciliation.runs.create import RunRequest, create_run
from reconciliation.runs.execute import execute_run
from reconciliation.store import ReconciliationUnitOfWork
from reconciliation.tables import inbox, outbox


async def measure(url: str, report: Path) -> dict[str, object]:
    engine = create_async_engine(url, poolclass=NullPool)
    sessions = make_session_factory(engine)

    def uow() -> ReconciliationUnitOfWork:
        return ReconciliationUnitOfWork(
            sessions,
            outbox_table=outbox,
            inbox_table=inbox,
            topic_prefix="",
            after_commit=lambda: None,
        )

    try:
        started = time.perf_counter()
        async with uow() as work:
            result = await ingest(
                spool_file(report, limit=1 << 34), "stripe", uow=work, source="directory"
            )
        ingested = time.perf_counter()
        ingest_rss = _peak_rss_mb()
        async with uow() as work:
            run_id = await create_run(RunRequest(report_id=result.report.id), uow=work)
        await execute_run(run_id, uow=uow())
        matched = time.perf_counter()
        async with uow() as work:
            run = await work.runs.get(run_id)
    finally:
        await engine.dispose()
    assert run is not None
    return {
        "lines": result.report.lines,
        "line_errors": result.report.error_count,
        "ingest_s": round(ingested - started, 2),
        "match_s": round(matched - ingested, 2),
        "run_status": run.status,
        "counts": run.counts,
        "ingest_peak_rss_mb": ingest_rss,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> float:
    """This process's own peak (VmHWM): `ru_maxrss` would carry the parent's peak
    over from before `exec`."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    url, report = sys.argv[1], Path(sys.argv[2])
    print(json.dumps(asyncio.run(measure(url, report))))


if __name__ == "__main__":
    main()
