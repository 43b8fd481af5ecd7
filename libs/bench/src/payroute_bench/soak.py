"""`make soak`: a steady offered load for a long while, with figures every minute.

    python -m payroute_bench.soak [--minutes 30] [--rate 15] [--mode wait|get]
    make soak SOAK_ARGS="--minutes 240 --rate 15"

On a fresh stack (`payroute_bench.fresh_stack`) a load generator of its own
(`payroute_bench.soak_load`) offers `--rate` card payments a second on a fixed
schedule. Every minute one line: offered and achieved payments/s, p50/p99
latency, errors, the generator's lag behind its schedule, and per process
(each service replica, proxies, simulator, broker, an embedded Postgres, the
load generator) CPU ms per payment sent in that minute and RSS MB (a process
tree's sum). The broker is rotated as under `make run` (PAYROUTE_BROKER_ROTATE_RECORDS),
and a minute with a rotation says so. Then every payment must become final
(`--settle-s` at most) and the simulator's ledger must equal Payroute's books, payment by payment
(`payroute_bench.soak_checks`); a summary sets the first minutes against the
last (`payroute_bench.soak_report`). The whole record is kept as JSON in the
run directory, beside the services' logs.

Exit status 1 when a payment is not final or the ledger differs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from payroute_bench.cpu_per_payment import LOAD_GENERATOR, payroute_processes, stack_pids
from payroute_bench.fresh_stack import on_fresh_stack, replicas_asked
from payroute_bench.load import MODES
from payroute_bench.process_samples import ProcessHistory, Sample
from payroute_bench.soak_checks import final_payments, ledger_check
from payroute_bench.soak_minutes import DEFAULT_RATE, LATE_MS
from payroute_bench.soak_report import (
    HEADER,
    Minute,
    compare,
    comparison_lines,
    minute_line,
    minute_record,
)
from payroute_devstack.broker import NAME as BROKER
from payroute_devstack.stack import Stack

RECORD = "soak.json"
SAMPLE_EVERY_S = 2.0
ROTATED = "broker rotated"  # how a rotation's summary starts


class Rotations:
    """The broker rotations reported during the run (make run's, see fresh_stack)."""

    def __init__(self) -> None:
        self.reports: list[str] = []
        self.counted = 0

    def report(self, line: str) -> None:
        print(f"broker: {line}", flush=True)
        if line.startswith(ROTATED):
            self.reports.append(line)

    def since_last(self) -> int:
        """How many were reported since the last call."""
        count, self.counted = len(self.reports) - self.counted, len(self.reports)
        return count


async def soak(stack: Stack, args: argparse.Namespace, rotations: Rotations) -> dict[str, Any]:
    """The run's record: settings, every minute, the load's totals, the checks, the summary."""
    record: dict[str, Any] = {
        "rate": args.rate,
        "minutes_asked": args.minutes,
        "mode": args.mode,
        "replicas": replicas_asked() or "one each",
        "logs": str(stack.run_dir),
    }
    minutes, record["load"] = await drive(stack, args, rotations)
    record["minutes"] = minutes
    record["broker_rotations"] = rotations.reports
    print(f"load done: {json.dumps(record['load'])}\nwaiting for every payment to be final…")
    payments, record["final"] = await final_payments(
        stack.url("gateway-api"), stack.api_key, args.settle_s
    )
    record["ledger"] = await ledger_check(stack.url("provider-simulator"), payments)
    if minutes:
        record["summary"] = compare(minutes, BROKER, payroute_processes(stack))
    return record


async def drive(
    stack: Stack, args: argparse.Namespace, rotations: Rotations
) -> tuple[list[Minute], dict[str, Any]]:
    """Run the load generator as its own process; sample every process at each minute's end
    (and every `SAMPLE_EVERY_S`, so a rotated broker's CPU is counted across restarts)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "payroute_bench.soak_load",
        "--url",
        stack.url("gateway-api"),
        "--rate",
        str(args.rate),
        "--minutes",
        str(args.minutes),
        "--mode",
        args.mode,
        env={**os.environ, "PAYROUTE_BENCH_API_KEY": stack.api_key},
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    history = ProcessHistory()

    def sample() -> dict[str, Sample]:
        return history.sample({**stack_pids(stack), LOAD_GENERATOR: process.pid})

    async def keep_sampling() -> None:
        while True:
            await asyncio.sleep(SAMPLE_EVERY_S)
            sample()

    before = sample()
    sampling = asyncio.create_task(keep_sampling())
    minutes: list[Minute] = []
    totals: dict[str, Any] = {}
    print(HEADER, flush=True)
    try:
        async for raw in process.stdout:
            figures = json.loads(raw)
            if "minute" in figures:
                after = sample()
                minutes.append(
                    {**minute_record(figures, before, after), "rotations": rotations.since_last()}
                )
                before = after
                print(minute_line(minutes[-1]), flush=True)
            else:
                totals = figures
    finally:
        sampling.cancel()
    if await process.wait() != 0:
        raise SystemExit(f"the load generator failed with exit code {process.returncode}")
    return minutes, totals


def verdict(record: dict[str, Any]) -> tuple[list[str], bool]:
    """The closing lines, and whether the run passed."""
    final, ledger = record["final"], record["ledger"]
    lines = comparison_lines(record["summary"]) if "summary" in record else []
    lag = record["load"]["max_lag_ms"]
    behind = " (BEHIND: the offered rate was not kept)" if lag > LATE_MS else ""
    lines.append(f"load generator: largest lag behind its schedule {lag} ms{behind}")
    lines.append(
        f"payments: {final['payments']} listed, {final['not_final']} not final"
        f"{_examples(final['first_not_final'])}; statuses {final['statuses']}"
    )
    lines.append(
        f"ledger: {ledger['movements']} movements; {ledger['differ']} payments differ "
        f"from Payroute's books{_examples(ledger['first_differences'])}"
    )
    passed = final["not_final"] == 0 and ledger["differ"] == 0
    lines.append("PASS" if passed else "FAIL")
    return lines, passed


def _examples(found: object) -> str:
    return f" (first: {found})" if found else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=30, help="how long the load lasts")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="payments/s offered")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="wait",
        help="wait: one POST with Prefer: wait=10; get: POST then GET with Prefer: wait",
    )
    parser.add_argument(
        "--settle-s", type=float, default=120.0, help="how long payments may take to be final"
    )
    args = parser.parse_args()
    if args.rate <= 0 or args.minutes < 1:
        parser.error("--rate must be positive and --minutes at least 1")
    rotations = Rotations()
    record = asyncio.run(
        on_fresh_stack(lambda stack: soak(stack, args, rotations), rotation_report=rotations.report)
    )
    lines, passed = verdict(record)
    path = Path(record["logs"]) / RECORD
    path.write_text(json.dumps(record, indent=2))
    print("\n".join(lines))
    print(f"record: {path}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
