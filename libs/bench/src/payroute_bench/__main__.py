"""`make bench`: start a fresh stack, drive it from a separate load process, print figures.

    python -m payroute_bench [--payments 3000] [--warmup 300] [--concurrency 96]
                             [--mode get|wait]
    make bench BENCH_ARGS="--mode wait --payments 1000"

`--mode get` (the default) creates each payment, then awaits it with
`GET /v1/payments/{id}` and `Prefer: wait=10`; `--mode wait` creates it with
`Prefer: wait=10` on the POST itself and sends nothing else (see
`payroute_bench.load`). Either way the figures count the payments that ended
captured and the errors. `--warmup` payments run first and are not measured.

Printed: the figures as JSON, then a summary and a table. Besides payments/s
and latency, `cpu_s` holds each process's CPU seconds over the measured load
(every service replica, proxies, the provider simulator, the broker and an
embedded Postgres when the stack started them, the load generator),
`cpu_ms_per_payment` the same per payment sent, and
`payroute_cpu_ms_per_payment` the sum over Payroute's own services (see
`payroute_bench.cpu_per_payment`). A process's figure includes its children's.

PAYROUTE_REPLICAS (as for `make run`, e.g. `orchestrator=2,provider-worker=2,
gateway-api=2,webhook-ingest=2`) runs several replicas per service.

Against a stack already running (`make run`), run the load generator alone:
`PAYROUTE_BENCH_API_KEY=$PAYROUTE_API_KEY python -m payroute_bench.load`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from payroute_bench.cpu_per_payment import (
    LOAD_GENERATOR,
    cpu_table,
    ms_per_payment,
    payroute_ms_per_payment,
    payroute_processes,
    stack_pids,
)
from payroute_bench.fresh_stack import on_fresh_stack, replicas_asked
from payroute_bench.load import MODES
from payroute_bench.witnesses import tree_cpu_seconds
from payroute_devstack.stack import Stack


async def bench(args: argparse.Namespace) -> tuple[dict[str, object], str]:
    """The figures, and the CPU table to print beside them."""

    async def run(stack: Stack) -> tuple[dict[str, object], str]:
        figures, table = await measure(stack, args)
        figures["replicas"] = replicas_asked() or "one each"
        figures["logs"] = str(stack.run_dir)
        return figures, table

    return await on_fresh_stack(run)


async def measure(stack: Stack, args: argparse.Namespace) -> tuple[dict[str, object], str]:
    """Warm up, then run the measured load and add the CPU each process spent on it."""
    url = stack.url("gateway-api")
    if args.warmup:
        await load(url, stack.api_key, args.warmup, args)
    pids = stack_pids(stack)
    before = tree_cpu_seconds(pids)
    figures = await load(url, stack.api_key, args.payments, args)
    after = tree_cpu_seconds(pids)
    cpu_s = {n: after[n] - before[n] for n in after if n in before}
    cpu_s[LOAD_GENERATOR] = float(figures.pop("load_cpu_s"))  # type: ignore[arg-type]
    payroute = payroute_processes(stack)
    figures["cpu_s"] = {n: round(seconds, 1) for n, seconds in cpu_s.items()}
    figures["cpu_ms_per_payment"] = ms_per_payment(cpu_s, args.payments)
    figures["payroute_cpu_ms_per_payment"] = payroute_ms_per_payment(cpu_s, args.payments, payroute)
    return figures, cpu_table(cpu_s, args.payments, payroute)


async def load(
    url: str, api_key: str, payments: int, args: argparse.Namespace
) -> dict[str, object]:
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
        str(args.concurrency),
        "--mode",
        args.mode,
        env={**os.environ, "PAYROUTE_BENCH_API_KEY": api_key},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"load generator failed with exit code {process.returncode}")
    figures: dict[str, object] = json.loads(out.decode().strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description="End-to-end payments/s, latency, CPU/payment.")
    parser.add_argument("--payments", type=int, default=3000, help="measured payments")
    parser.add_argument("--concurrency", type=int, default=96, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=300, help="unmeasured payments first")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="get",
        help="get: POST then GET with Prefer: wait; wait: one POST with Prefer: wait",
    )
    args = parser.parse_args()
    if args.payments < 1:
        parser.error("--payments must be at least 1")
    figures, table = asyncio.run(bench(args))
    accept, complete = figures["accept_ms"], figures["complete_ms"]
    print(json.dumps(figures, indent=2))
    print(
        f"payments/s end to end: {figures['payments_per_s']}  "
        f"(mode {figures['mode']}, captured {figures['captured']}/{figures['payments']}, "
        f"errors {figures['errors']})\n"
        f"accept latency ms:     p50 {accept['p50']}  p99 {accept['p99']}\n"  # type: ignore[index]
        f"completion latency ms: p50 {complete['p50']}  p99 {complete['p99']}\n"  # type: ignore[index]
        f"Payroute CPU ms per payment: {figures['payroute_cpu_ms_per_payment']}"
    )
    print(table)


if __name__ == "__main__":
    main()
