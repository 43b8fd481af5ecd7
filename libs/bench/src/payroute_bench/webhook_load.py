"""Open-loop webhook load: signed Stripe events at fixed offered rates, one process.

Requests start on a fixed schedule whatever the server's pace (open loop), so a
slow server shows as latency, not as a lower offered rate. Each latency runs
from the request's scheduled start to its full answer, so time spent waiting for
a free connection, or for this process itself, counts too (no coordinated
omission); `send_lag_ms` shows how late this process started requests.

    PAYROUTE_BENCH_STRIPE_WEBHOOK_SECRET=whsec_... python -m payroute_bench.webhook_load \
        --url http://127.0.0.1:8001 --run r1 --rates 1000,1500 --duration 20 --warmup 5

Prints one JSON object: the figures of each step and the ids of events that got
no 2xx. Event ids are `stripe_events.event_id(run, 0 .. events-1)`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import uvloop

from payroute_bench.http1 import Http1Pool, ProtocolError, request_bytes
from payroute_bench.latency import summary
from payroute_bench.stripe_events import event_id, signed_request

WEBHOOK_PATH = "/webhooks/stripe"
SECRET_ENV = "PAYROUTE_BENCH_STRIPE_WEBHOOK_SECRET"  # noqa: S105 (a variable name)


@dataclass
class Step:
    """One offered rate held for a while; a warm-up step is sent but not reported."""

    rate: float
    duration_s: float
    warmup: bool = False
    latencies_ms: list[float] = field(default_factory=list)
    lag_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0

    def figures(self) -> dict[str, Any]:
        sent = sum(self.statuses.values())
        ok = self.statuses.get("200", 0)
        return {
            "offered_per_s": self.rate,
            "sent": sent,
            "elapsed_s": round(self.elapsed_s, 2),
            "achieved_per_s": round(ok / self.elapsed_s, 1) if self.elapsed_s else 0.0,
            "latency_ms": summary(self.latencies_ms),
            "send_lag_ms": summary(self.lag_ms),
            "statuses": dict(sorted(self.statuses.items())),
        }


@dataclass
class Sender:
    client: Http1Pool
    secret: str
    run: str
    sent: int = 0
    unacknowledged: list[str] = field(default_factory=list)

    async def send(self, step: Step, due: float) -> None:
        """Deliver the next event; record its latency (from `due`) and its answer."""
        step.lag_ms.append((time.perf_counter() - due) * 1000)
        event = event_id(self.run, self.sent)
        self.sent += 1
        body, headers = signed_request(self.secret, event, int(time.time()))
        request = request_bytes("POST", WEBHOOK_PATH, self.client.host, headers, body)
        try:
            outcome = str(await self.client.request(request))
        except (OSError, TimeoutError, ProtocolError) as error:
            outcome = type(error).__name__
        step.latencies_ms.append((time.perf_counter() - due) * 1000)
        step.statuses[outcome] += 1
        if outcome != "200":
            self.unacknowledged.append(event)

    async def run_step(self, step: Step) -> None:
        """Start `rate * duration` requests on schedule, then wait for every answer."""
        total = round(step.rate * step.duration_s)
        tasks: set[asyncio.Task[None]] = set()
        started = time.perf_counter()
        for i in range(total):
            due = started + i / step.rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(self.send(step, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        step.elapsed_s = time.perf_counter() - started


async def run(
    url: str, secret: str, run_id: str, steps: list[Step], connections: int
) -> dict[str, Any]:
    client = Http1Pool(url, connections)
    sender = Sender(client, secret, run_id)
    try:
        for step in steps:
            await sender.run_step(step)
    finally:
        client.close()
    return {
        "run": run_id,
        "events": sender.sent,
        "connections": connections,
        "steps": [step.figures() for step in steps if not step.warmup],
        "unacknowledged": sender.unacknowledged,
    }


def plan_steps(rates: list[float], duration_s: float, warmup_s: float) -> list[Step]:
    """A warm-up at the first rate (when `warmup_s` > 0), then each rate in turn."""
    warmup = [Step(rates[0], warmup_s, warmup=True)] if warmup_s > 0 and rates else []
    return warmup + [Step(rate, duration_s) for rate in rates]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8001")
    parser.add_argument("--run", required=True, help="tag that makes this run's event ids unique")
    parser.add_argument("--rates", default="1000,1500", help="offered rates, requests/s")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per rate")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds at the first rate")
    parser.add_argument("--connections", type=int, default=256)
    args = parser.parse_args()
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        parser.error(f"the webhook signing secret is read from ${SECRET_ENV}")
    rates = [float(rate) for rate in args.rates.split(",") if rate.strip()]
    if not rates or min(rates) <= 0:
        parser.error("--rates needs one or more positive rates")
    steps = plan_steps(rates, args.duration, args.warmup)
    figures = uvloop.run(run(args.url, secret, args.run, steps, args.connections))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
