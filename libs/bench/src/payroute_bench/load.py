"""End-to-end load: create card payments over HTTP and wait for each to be captured.

Each payment is one `POST /v1/payments` (accept latency) followed by one
`GET /v1/payments/{id}` with `Prefer: wait=10`, which the gateway answers as
soon as its read model shows the payment out of `processing` (completion
latency, measured from the start of the POST). Throughput is payments
completed per second of wall time, first POST to last completion.

    PAYROUTE_BENCH_API_KEY=sk_... python -m payroute_bench.load \
        --url http://127.0.0.1:8000 --payments 3000 --concurrency 96
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


@dataclass
class Results:
    accept_ms: list[float] = field(default_factory=list)
    complete_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


async def one_payment(client: aiohttp.ClientSession, results: Results) -> None:
    started = time.perf_counter()
    body = {
        "amount": 10_000,
        "currency": "PHP",
        "payment_method": {"type": "card", "token": "pm_card_visa"},
        "order_id": f"bench-{uuid.uuid4().hex[:12]}",
    }
    async with client.post("/v1/payments", json=body) as created:
        payment = await created.json()
        results.accept_ms.append((time.perf_counter() - started) * 1000)
        if created.status not in (200, 201, 202):
            results.errors.append(f"create {created.status}: {str(payment)[:200]}")
            return
    status = payment["status"]
    deadline = started + 30
    while status in ("pending", "processing") and time.perf_counter() < deadline:
        async with client.get(
            f"/v1/payments/{payment['id']}", headers={"Prefer": "wait=10"}
        ) as answer:
            status = (await answer.json())["status"]
    results.complete_ms.append((time.perf_counter() - started) * 1000)
    results.statuses[status] = results.statuses.get(status, 0) + 1


async def run(url: str, api_key: str, payments: int, concurrency: int) -> dict[str, object]:
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
                    await one_payment(client, results)
                except (aiohttp.ClientError, TimeoutError) as error:
                    results.errors.append(f"{type(error).__name__}: {error}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    captured = results.statuses.get("captured", 0)
    return {
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
    args = parser.parse_args()
    if not args.api_key:
        parser.error("an API key is needed: --api-key or PAYROUTE_BENCH_API_KEY")
    figures = asyncio.run(run(args.url, args.api_key, args.payments, args.concurrency))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
