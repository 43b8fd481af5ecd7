"""End-to-end load: create card payments over HTTP and wait for each to be captured.

`--mode get` (the default): each payment is one `POST /v1/payments` (accept
latency) followed by one `GET /v1/payments/{id}` with `Prefer: wait=10`, which
the gateway answers as soon as its read model shows the payment out of
`processing` (completion latency, measured from the start of the POST).
`--mode wait`: each payment is one `POST /v1/payments` with `Prefer: wait=10`
and no GET; its answer is both the accept and the completion figure.
Payments capture automatically (the API's default). Throughput is payments
captured per second of wall time, first POST to last completion; `load_cpu_s`
is this process's own CPU time over the load.

    PAYROUTE_BENCH_API_KEY=sk_... python -m payroute_bench.load \
        --url http://127.0.0.1:8000 --payments 3000 --concurrency 96 --mode get
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from payroute_bench.latency import percentile

MODES = ("get", "wait")
WAIT = {"Prefer": "wait=10"}


@dataclass(frozen=True)
class Outcome:
    """One payment: its accept latency, then its final status and completion latency,
    or the error its create answered."""

    accept_ms: float
    complete_ms: float | None = None
    status: str | None = None
    error: str | None = None


@dataclass
class Results:
    accept_ms: list[float] = field(default_factory=list)
    complete_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.accept_ms.append(outcome.accept_ms)
        if outcome.error is not None:
            self.errors.append(outcome.error)
        if outcome.status is not None and outcome.complete_ms is not None:
            self.complete_ms.append(outcome.complete_ms)
            self.statuses[outcome.status] = self.statuses.get(outcome.status, 0) + 1


async def one_payment(client: aiohttp.ClientSession, mode: str) -> Outcome:
    started = time.perf_counter()
    body = {
        "amount": 10_000,
        "currency": "PHP",
        "payment_method": {"type": "card", "token": "pm_card_visa"},
        "order_id": f"bench-{uuid.uuid4().hex[:12]}",
    }
    headers = WAIT if mode == "wait" else {}
    async with client.post("/v1/payments", json=body, headers=headers) as created:
        payment = await created.json()
        accept_ms = (time.perf_counter() - started) * 1000
        if created.status not in (200, 201, 202):
            return Outcome(accept_ms, error=f"create {created.status}: {str(payment)[:200]}")
    status = payment["status"]
    if mode == "get":
        status = await settled_status(client, payment["id"], status, deadline=started + 30)
    return Outcome(accept_ms, (time.perf_counter() - started) * 1000, status)


async def settled_status(
    client: aiohttp.ClientSession, payment_id: str, status: str, *, deadline: float
) -> str:
    """Await the payment with `GET` and `Prefer: wait` until it settles or the deadline passes."""
    while status in ("pending", "processing") and time.perf_counter() < deadline:
        async with client.get(f"/v1/payments/{payment_id}", headers=WAIT) as answer:
            status = (await answer.json())["status"]
    return status


async def run(
    url: str, api_key: str, payments: int, concurrency: int, mode: str = "get"
) -> dict[str, object]:
    results = Results()
    queue: asyncio.Queue[None] = asyncio.Queue()
    for _ in range(payments):
        queue.put_nowait(None)
    headers = {"Authorization": f"Bearer {api_key}"}
    # aiohttp rather than httpx: the load generator shares the machine it measures,
    # so its own CPU per request counts against the system.
    async with aiohttp.ClientSession(
        base_url=url,
        headers=headers,
        connector=aiohttp.TCPConnector(limit=concurrency),
        timeout=aiohttp.ClientTimeout(total=60),
    ) as client:

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                try:
                    results.add(await one_payment(client, mode))
                except (aiohttp.ClientError, TimeoutError) as error:
                    results.errors.append(f"{type(error).__name__}: {error}")

        started, cpu_before = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu_s = time.process_time() - cpu_before
    captured = results.statuses.get("captured", 0)
    return {
        "mode": mode,
        "payments": payments,
        "concurrency": concurrency,
        "elapsed_s": round(elapsed, 2),
        "captured": captured,
        "statuses": results.statuses,
        "errors": len(results.errors),
        "first_errors": results.errors[:3],
        "payments_per_s": round(captured / elapsed, 1),
        "accept_ms": {
            "p50": round(percentile(results.accept_ms, 0.50), 1),
            "p99": round(percentile(results.accept_ms, 0.99), 1),
            "mean": round(statistics.fmean(results.accept_ms), 1) if results.accept_ms else None,
        },
        "complete_ms": {
            "p50": round(percentile(results.complete_ms, 0.50), 1),
            "p99": round(percentile(results.complete_ms, 0.99), 1),
        },
        "load_cpu_s": round(cpu_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("PAYROUTE_BENCH_API_KEY"),
        help="merchant secret key (default $PAYROUTE_BENCH_API_KEY, which keeps it out of ps)",
    )
    parser.add_argument("--payments", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=96)
    parser.add_argument("--mode", choices=MODES, default="get")
    args = parser.parse_args()
    if not args.api_key:
        parser.error("an API key is needed: --api-key or PAYROUTE_BENCH_API_KEY")
    figures = asyncio.run(run(args.url, args.api_key, args.payments, args.concurrency, args.mode))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
