"""`make bench-recon`: settlement-report ingestion and matching at a million lines.

Makes a fresh reconciliation database on the local Postgres (PAYROUTE_POSTGRES_DSN),
seeds a ledger of 600,000 payments and 400,000 refunds straight into its tables,
writes a 1,000,000-line Stripe balance report against it (1% of lines altered),
then has a separate process (recon_worker) ingest and match it, and prints lines/s
for each step and that process's peak resident memory. Targets: under 60 s for
both steps together, under 500 MB. Exits 1 when a target is missed.

    python -m payroute_bench.recon [--lines N] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from payroute_bench.recon_data import Shape, seed_ledger, write_report
from payroute_common.migrations import upgrade_to_head
from payroute_devstack.databases import create_database, drop_database, unique_database_name
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN, sqlalchemy_url, with_database
from reconciliation import __main__ as reconciliation_main

MIGRATIONS = Path(reconciliation_main.__file__).parent / "migrations"
TARGET_S = 60.0
TARGET_MB = 500.0


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench-recon")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    dsn = os.environ.get("PAYROUTE_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN
    name = unique_database_name("bench_recon")
    asyncio.run(create_database(dsn, name))
    try:
        return _bench(dsn, name, Shape.for_lines(args.lines))
    finally:
        if not args.keep:
            asyncio.run(drop_database(dsn, name))


def _bench(dsn: str, name: str, shape: Shape) -> int:
    url = sqlalchemy_url(dsn, name)
    upgrade_to_head(MIGRATIONS, url)
    started = time.perf_counter()
    asyncio.run(seed_ledger(with_database(dsn, name), shape))
    print(f"ledger: {shape.payments:,} payments, {shape.refunds:,} refunds "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-recon-") as scratch:
        report = Path(scratch) / "stripe.csv"
        altered = write_report(report, shape)
        size_mb = report.stat().st_size / 1e6
        print(f"report: {altered['lines']:,} lines, {size_mb:.0f} MB; altered {altered}")
        worker = subprocess.run(  # noqa: S603 - this interpreter, our module, our arguments
            [sys.executable, "-m", "payroute_bench.recon_worker", url, str(report)],
            check=True,
            capture_output=True,
            text=True,
        )
    figures = json.loads(worker.stdout.strip().splitlines()[-1])
    lines, ingest_s, match_s = figures["lines"], figures["ingest_s"], figures["match_s"]
    total = ingest_s + match_s
    print(f"ingest: {ingest_s:.1f} s, {lines / ingest_s:,.0f} lines/s")
    print(f"match:  {match_s:.1f} s, {lines / match_s:,.0f} lines/s ({figures['run_status']})")
    print(f"counts: {figures['counts']}")
    print(f"peak RSS after ingest: {figures['ingest_peak_rss_mb']:.0f} MB")
    print(f"total:  {total:.1f} s (target < {TARGET_S:.0f} s)")
    print(f"peak RSS of the reconciliation process: {figures['peak_rss_mb']:.0f} MB "
          f"(target < {TARGET_MB:.0f} MB)")  # fmt: skip
    return 0 if total < TARGET_S and figures["peak_rss_mb"] < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
