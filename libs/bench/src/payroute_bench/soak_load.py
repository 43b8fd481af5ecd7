"""The soak's load generator: card payments on a fixed schedule, figures every minute.

Payments start on the schedule of `payroute_bench.soak_minutes` (open loop), each
one as in `payroute_bench.load` (`--mode wait`: one POST with `Prefer: wait=10`;
`--mode get`: POST, then GET with `Prefer: wait`). At each minute's end one JSON
line goes to stdout with that minute's figures; the last one follows the drain
(the answers still awaited when the schedule ended, `DRAIN_S` at most), then a
line with the run's totals. At most `MAX_IN_FLIGHT` payments are awaited at once;
a start held back by it shows as lag, like one the event loop was late for.

    PAYROUTE_BENCH_API_KEY=sk_... python -m payroute_bench.soak_load \
        --url http://127.0.0.1:8000 --rate 15 --minutes 30 --mode wait
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

import aiohttp

from payroute_bench.load import MODES, Outcome, one_payment
from payroute_bench.soak_minutes import (
    DEFAULT_RATE,
    MINUTE_S,
    MinuteBook,
    payments_scheduled,
    start_times,
)

MAX_IN_FLIGHT = 1_000
DRAIN_S = 90.0
FIRST_ERRORS = 5


def emit(line: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


class OpenLoop:
    """One soak run: the schedule, the payments in flight and their figures."""

    def __init__(self, client: aiohttp.ClientSession, rate: float, minutes: int, mode: str):
        self.client = client
        self.minutes = minutes
        self.mode = mode
        self.book = MinuteBook(rate, payments_scheduled(rate, minutes))
        self.in_flight: set[asyncio.Task[None]] = set()
        self.slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.errors = 0
        self.first_errors: list[str] = []
        self.open_minute = 0  # the first minute whose figures are not yet out
        self.loop = asyncio.get_running_loop()
        self.t0 = self.loop.time()

    def elapsed(self) -> float:
        return self.loop.time() - self.t0

    def minute_now(self) -> int:
        """The current minute, from 0, never one already reported; the drain belongs to
        the last."""
        return min(max(int(self.elapsed() // MINUTE_S), self.open_minute), self.minutes - 1)

    async def run(self) -> dict[str, object]:
        reporter = asyncio.create_task(self.report_minutes())
        for due in start_times(self.book.rate, self.book.total):
            delay = self.t0 + due - self.loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.slots.acquire()
            self.book.start(self.minute_now(), (self.elapsed() - due) * 1000)
            task = asyncio.create_task(self.pay())
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        await reporter
        unanswered = await self.drain()
        elapsed = self.elapsed()
        emit(self.book.close(self.minutes - 1, elapsed - self.last_minute_start(), elapsed))
        return {
            "totals": True,
            "scheduled": self.book.total,
            "sent": self.book.started,
            "unanswered": unanswered,
            "errors": self.errors,
            "first_errors": self.first_errors,
            "max_lag_ms": round(self.book.max_lag_ms, 1),
        }

    def last_minute_start(self) -> float:
        return (self.minutes - 1) * MINUTE_S

    async def report_minutes(self) -> None:
        """Every minute but the last, once it ends: its figures."""
        for minute in range(self.minutes - 1):
            end = self.t0 + (minute + 1) * MINUTE_S
            await asyncio.sleep(max(0.0, end - self.loop.time()))
            self.open_minute = minute + 1
            emit(self.book.close(minute, MINUTE_S, self.elapsed()))

    async def drain(self) -> int:
        """Wait out the last minute, then the answers still due; how many never came."""
        end = self.t0 + self.minutes * MINUTE_S
        await asyncio.sleep(max(0.0, end - self.loop.time()))
        if not self.in_flight:
            return 0
        _, pending = await asyncio.wait(set(self.in_flight), timeout=DRAIN_S)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return len(pending)

    async def pay(self) -> None:
        started = self.loop.time()
        try:
            outcome = await one_payment(self.client, self.mode)
        except Exception as error:  # whatever went wrong is this payment's error, counted
            outcome = Outcome((self.loop.time() - started) * 1000, error=_described(error))
        finally:
            self.slots.release()
        if outcome.error is not None:
            self.errors += 1
            if len(self.first_errors) < FIRST_ERRORS:
                self.first_errors.append(outcome.error)
        self.book.finish(self.minute_now(), outcome)


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:200]


async def soak_load(url: str, api_key: str, rate: float, minutes: int, mode: str) -> None:
    # As in payroute_bench.load: aiohttp, whose client CPU per request is the lower.
    async with aiohttp.ClientSession(
        base_url=url,
        headers={"Authorization": f"Bearer {api_key}"},
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=60),
    ) as client:
        emit(await OpenLoop(client, rate, minutes, mode).run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="payments/s offered")
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--mode", choices=MODES, default="wait")
    args = parser.parse_args()
    api_key = os.environ.get("PAYROUTE_BENCH_API_KEY")
    if not api_key:
        parser.error("set PAYROUTE_BENCH_API_KEY to the merchant's secret key")
    if args.rate <= 0 or args.minutes < 1:
        parser.error("--rate must be positive and --minutes at least 1")
    asyncio.run(soak_load(args.url, api_key, args.rate, args.minutes, args.mode))


if __name__ == "__main__":
    main()
