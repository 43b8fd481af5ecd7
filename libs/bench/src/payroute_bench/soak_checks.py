"""After a soak: every payment final, and the simulator's ledger equal to Payroute's books.

Both read what a merchant and a provider would: the gateway's payments API
(`GET /v1/payments`, a page of 100 at a time) and the simulator's ledger,
judged by `payroute_bench.books`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import httpx

from payroute_bench.books import disagreements, ledger_movements
from payroute_common.lifecycle import TERMINAL

# Nothing more happens to these without a merchant's or a customer's action.
FINAL = frozenset({*TERMINAL, "captured", "partially_refunded"})
PAGE = 100
POLL_S = 5.0
SHOWN = 5


async def every_payment(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every payment of the merchant, newest first."""
    payments: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": PAGE}
    while True:
        answer = await client.get("/v1/payments", params=params)
        answer.raise_for_status()
        page = answer.json()
        payments += page["data"]
        if not page["has_more"] or not page["data"]:
            return payments
        params["starting_after"] = page["data"][-1]["id"]


async def final_payments(
    gateway_url: str, api_key: str, within_s: float
) -> tuple[list[dict[str, Any]], dict[str, object]]:
    """Every payment once all are final, or as they are after `within_s` seconds; and
    what that check found."""
    deadline = time.monotonic() + within_s
    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(base_url=gateway_url, headers=headers, timeout=30) as client:
        while True:
            payments = await every_payment(client)
            still_open = [p["id"] for p in payments if p["status"] not in FINAL]
            if not still_open or time.monotonic() > deadline:
                break
            await asyncio.sleep(POLL_S)
    found: dict[str, object] = {
        "payments": len(payments),
        "statuses": dict(Counter(p["status"] for p in payments)),
        "not_final": len(still_open),
        "first_not_final": still_open[:SHOWN],
    }
    return payments, found


async def ledger_check(simulator_url: str, payments: list[dict[str, Any]]) -> dict[str, object]:
    """Per payment, the ledger against Payroute's books; what differs, with a few examples."""
    moves = await ledger_movements(simulator_url, within_s=300)
    wrong = disagreements(payments, moves)
    return {
        "movements": len(moves),
        "differ": len(wrong),
        "first_differences": dict(list(wrong.items())[:SHOWN]),
    }
