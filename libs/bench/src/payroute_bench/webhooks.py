"""`make bench-webhooks`: webhook-ingest throughput and latency on one process.

Starts a broker, Postgres and webhook-ingest alone (one process, its real
configuration, a generated `STRIPE_WEBHOOK_SECRET`), then drives it from a
separate load process (`payroute_bench.webhook_load`) with unique, correctly
signed Stripe `payment_intent.succeeded` events at fixed offered rates. Prints
each rate's figures, the service's CPU per webhook and the database's commit
latency meanwhile (a disk that stalls shows there, not only in the tail), then
checks that the audit log holds exactly one accepted row per event sent and that
the outbox drained to the broker; exits 1 if not.

Every request comes from 127.0.0.1, one source for the per-source rate limit,
so the bench raises that limit (the limiter still runs on every request).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from payroute_bench.run_dir import new_run_dir
from payroute_bench.stripe_events import event_id, event_prefix
from payroute_bench.webhook_check import (
    StoredEvents,
    libpq_url,
    published_events,
    stored_events,
    wait_outbox_drained,
)
from payroute_bench.webhook_load import SECRET_ENV
from payroute_bench.witnesses import CommitProbe, cpu_seconds
from payroute_common.topics import PROVIDER_WEBHOOKS, topic_name
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN
from payroute_devstack.infra import start_infra
from payroute_devstack.plan import session_plan
from payroute_devstack.services import service
from payroute_devstack.stack import Stack, start_stack

SERVICE = "webhook-ingest"
BENCH_RATE_LIMIT = "1000000"


def service_env(secret: str) -> dict[str, str]:
    return {
        **os.environ,
        "STRIPE_WEBHOOK_SECRET": secret,
        "WEBHOOK_INGEST_RATE_PER_SOURCE": BENCH_RATE_LIMIT,
        "WEBHOOK_INGEST_BURST_PER_SOURCE": BENCH_RATE_LIMIT,
    }


async def load(url: str, secret: str, run: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run the load generator as its own process, so it does not share the bench's loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "payroute_bench.webhook_load",
        f"--url={url}",
        f"--run={run}",
        f"--rates={args.rates}",
        f"--duration={args.duration}",
        f"--warmup={args.warmup}",
        f"--connections={args.connections}",
        env={**os.environ, SECRET_ENV: secret},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"load generator failed with exit code {process.returncode}")
    figures: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return figures


async def drive(stack: Stack, args: argparse.Namespace) -> int:
    secret = stack.env["STRIPE_WEBHOOK_SECRET"]
    run = secrets.token_hex(4)
    database_url = stack.database_url(SERVICE)
    pid = stack.process(SERVICE).pid
    assert pid is not None
    cpu_before, started = cpu_seconds(pid), time.monotonic()
    async with CommitProbe(libpq_url(database_url)) as probe:
        figures = await load(stack.url(SERVICE), secret, run, args)
    cpu, elapsed = cpu_seconds(pid) - cpu_before, time.monotonic() - started
    print_figures(figures, stack.run_dir)
    print(
        f"webhook-ingest CPU over the whole load: {cpu:.1f} s in {elapsed:.1f} s "
        f"({cpu / elapsed:.0%} of one core), {cpu / figures['events'] * 1000:.2f} ms per webhook"
    )
    print(probe.report())
    expected = [event_id(run, seq) for seq in range(figures["events"])]
    left = await wait_outbox_drained(database_url)
    stored = await stored_events(database_url, event_prefix(run), expected)
    topic = topic_name(PROVIDER_WEBHOOKS, stack.topic_prefix)
    published = await published_events(stack.bootstrap_servers, topic, event_prefix(run))
    unpublished = len(set(expected) - set(stored.missing) - set(published))
    return print_verification(stored, left, published, unpublished, set(figures["unacknowledged"]))


async def bench(args: argparse.Namespace) -> int:
    run_dir = new_run_dir()
    infra = await start_infra(
        run_dir,
        postgres_dsn=os.environ.get("PAYROUTE_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN,
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
    )
    try:
        plan = session_plan(infra.postgres_dsn, services=(service(SERVICE),))
        secret = f"whsec_{secrets.token_hex(24)}"
        stack = await start_stack(plan, infra, run_dir, base_env=service_env(secret), seeder=None)
        try:
            return await drive(stack, args)
        finally:
            await stack.stop()
            await stack.drop_databases()
    finally:
        await infra.stop()


ROW = "{:>9} {:>6} {:>10}  {:>6} {:>6} {:>6} {:>7}  {}"


def print_figures(figures: dict[str, Any], run_dir: Path) -> None:
    connections = figures["connections"]
    print(f"webhook-ingest, one process; {connections} client connections; logs in {run_dir}")
    print(ROW.format("offered/s", "sent", "achieved/s", "p50 ms", "p95", "p99", "max", "statuses"))
    for step in figures["steps"]:
        ms = step["latency_ms"]
        statuses = json.dumps(step["statuses"])
        print(
            ROW.format(
                step["offered_per_s"],
                step["sent"],
                step["achieved_per_s"],
                ms["p50"],
                ms["p95"],
                ms["p99"],
                ms["max"],
                statuses,
            )
        )
        lag = step["send_lag_ms"]
        if lag["p99"] is not None and lag["p99"] > 5:
            print(f"  (the load process started requests late: p99 {lag['p99']} ms)")


def print_verification(
    stored: StoredEvents,
    outbox_left: int,
    published: Counter[str],
    unpublished: int,
    unacknowledged: set[str],
) -> int:
    """Print what the database and the broker hold; 0 if it is exactly what was sent."""
    print(
        f"stored: {stored.accepted_once}/{stored.expected} events accepted exactly once; "
        f"missing {len(stored.missing)} (of which acknowledged with a 2xx: "
        f"{len(set(stored.missing) - unacknowledged)}), accepted twice "
        f"{len(stored.accepted_twice)}, unexpected ids {len(stored.unexpected)}, "
        f"other rows {stored.other_rows}"
    )
    print(
        f"outbox: {outbox_left} rows left; accepted events not on provider.webhooks: "
        f"{unpublished} ({sum(published.values()) - len(published)} published more than once)"
    )
    ok = stored.ok and outbox_left == 0 and unpublished == 0
    for name in ("missing", "accepted_twice", "unexpected"):
        sample = getattr(stored, name)[:5]
        if sample:
            print(f"  {name}: {', '.join(sample)}")
    print("verification:", "OK" if ok else "FAILED")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="1000,1500", help="offered rates, webhooks/s")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per rate")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds at the first rate")
    parser.add_argument("--connections", type=int, default=256)
    raise SystemExit(asyncio.run(bench(parser.parse_args())))


if __name__ == "__main__":
    main()
