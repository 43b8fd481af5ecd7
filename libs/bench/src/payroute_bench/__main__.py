"""`make bench`: start a fresh stack, drive it from a separate load process, print figures.

PAYROUTE_REPLICAS (as for `make run`, e.g. `orchestrator=2,provider-worker=2,
gateway-api=2,webhook-ingest=2`) runs several replicas per service; the figures
then include each process's CPU seconds over the measured load, proxies too.

Against a stack already running (`make run`), run the load generator alone:
`PAYROUTE_BENCH_API_KEY=$PAYROUTE_API_KEY python -m payroute_bench.load`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from payroute_bench.run_dir import new_run_dir
from payroute_bench.witnesses import cpu_seconds
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN
from payroute_devstack.infra import start_infra
from payroute_devstack.plan import session_plan
from payroute_devstack.replicas import REPLICAS_VAR
from payroute_devstack.stack import Stack, start_stack


def cpu_by_process(stack: Stack) -> dict[str, float]:
    return {
        name: cpu_seconds(process.pid)
        for name, process in stack.processes.items()
        if process.pid is not None and process.is_running()
    }


async def bench(payments: int, concurrency: int, warmup: int) -> dict[str, object]:
    run_dir = new_run_dir()
    infra = await start_infra(
        run_dir,
        postgres_dsn=os.environ.get("PAYROUTE_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN,
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
    )
    try:
        replicas = os.environ.get(REPLICAS_VAR, "")
        plan = session_plan(infra.postgres_dsn, replicas=replicas)
        stack = await start_stack(plan, infra, run_dir)
        try:
            url = stack.url("gateway-api")
            if warmup:
                await load(url, stack.api_key, warmup, concurrency)
            before = cpu_by_process(stack)
            figures = await load(url, stack.api_key, payments, concurrency)
            after = cpu_by_process(stack)
            figures["replicas"] = replicas or "one each"
            figures["cpu_s"] = {n: round(after[n] - before[n], 1) for n in after if n in before}
            figures["logs"] = str(run_dir)
            return figures
        finally:
            await stack.stop()
            await stack.drop_databases()
    finally:
        await infra.stop()


async def load(url: str, api_key: str, payments: int, concurrency: int) -> dict[str, object]:
    """Run the load generator as its own process, so it does not share our event loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "payroute_bench.load",
        "--url",
        url,
        "--payments",
        str(payments),
        "--concurrency",
        str(concurrency),
        env={**os.environ, "PAYROUTE_BENCH_API_KEY": api_key},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"load generator failed with exit code {process.returncode}")
    figures: dict[str, object] = json.loads(out.decode().strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description="End-to-end payments/s and latency.")
    parser.add_argument("--payments", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=96)
    parser.add_argument("--warmup", type=int, default=300)
    args = parser.parse_args()
    figures = asyncio.run(bench(args.payments, args.concurrency, args.warmup))
    accept, complete = figures["accept_ms"], figures["complete_ms"]
    print(json.dumps(figures, indent=2))
    print(
        f"payments/s end to end: {figures['payments_per_s']}  "
        f"(captured {figures['captured']}/{figures['payments']}, errors {figures['errors']})\n"
        f"accept latency ms:     p50 {accept['p50']}  p99 {accept['p99']}\n"  # type: ignore[index]
        f"completion latency ms: p50 {complete['p50']}  p99 {complete['p99']}"  # type: ignore[index]
    )


if __name__ == "__main__":
    main()
