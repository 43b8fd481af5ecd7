"""The simulator's ledger as the witness of Payroute's books.

`GET /_sim/ledger` lists every money movement the providers made, each naming
Payroute's payment id. Per payment, the money the providers kept (charges and
captures less refunds) must equal what Payroute shows (`amount_captured` less
`amount_refunded`), and a payment tries each provider at most once, so money
kept at two providers is a double charge. The whole-system tests and `make soak`
judge the system by these rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

SIGNS = {"charge": 1, "capture": 1, "refund": -1}

Movement = Mapping[str, Any]


async def ledger_movements(
    simulator_url: str, payment_id: str | None = None, *, within_s: float = 5
) -> list[dict[str, Any]]:
    """The simulator's movements, oldest first: one payment's, or every one."""
    params = {"payment_id": payment_id} if payment_id else {}
    async with httpx.AsyncClient(timeout=within_s) as client:
        response = await client.get(f"{simulator_url}/_sim/ledger", params=params)
        response.raise_for_status()
    return list(response.json())


def net_charged(moves: Iterable[Movement]) -> int:
    """What the customer paid, net: charges and captures less refunds."""
    return sum(SIGNS.get(m["kind"], 0) * m["amount"] for m in moves)


def kept_per_provider(moves: Iterable[Movement]) -> dict[str, int]:
    """Net money kept at each provider, those that kept none left out."""
    kept: dict[str, int] = defaultdict(int)
    for move in moves:
        kept[move["provider"]] += SIGNS.get(move["kind"], 0) * move["amount"]
    return {provider: amount for provider, amount in kept.items() if amount}


def moves_per_payment(moves: Iterable[Movement]) -> dict[str, list[Movement]]:
    """The movements grouped by Payroute's payment id (those without one left out)."""
    grouped: dict[str, list[Movement]] = defaultdict(list)
    for move in moves:
        if move.get("payment_id"):
            grouped[move["payment_id"]].append(move)
    return dict(grouped)


def shown_net(payment: Mapping[str, Any]) -> int:
    """What Payroute shows the customer paid, net."""
    return int(payment["amount_captured"]) - int(payment["amount_refunded"])


def books_agree(payment: Mapping[str, Any], moves: Iterable[Movement]) -> bool:
    """The payment's movements add up to what Payroute shows, at one provider at most."""
    moves = list(moves)
    return net_charged(moves) == shown_net(payment) and len(kept_per_provider(moves)) <= 1


def disagreements(
    payments: Iterable[Mapping[str, Any]], moves: Iterable[Movement]
) -> dict[str, str]:
    """Every payment whose books and ledger differ, with what each says; money moved
    for a payment Payroute does not show counts too."""
    grouped = moves_per_payment(moves)
    wrong: dict[str, str] = {}
    shown = {str(p["id"]): p for p in payments}
    for payment_id, payment in shown.items():
        own = grouped.get(payment_id, [])
        if not books_agree(payment, own):
            wrong[payment_id] = (
                f"Payroute shows {shown_net(payment)} ({payment['status']}), "
                f"the providers kept {kept_per_provider(own)}"
            )
    for payment_id, own in grouped.items():
        if payment_id not in shown and net_charged(own):
            wrong[payment_id] = f"unknown to Payroute, the providers kept {kept_per_provider(own)}"
    return wrong
