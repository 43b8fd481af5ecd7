"""`Prefer: wait=N`: the answer waits for the payment to settle, woken by notification."""

import asyncio
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway_api.edge.prefer import requested_wait
from gateway_api.reads.changes import PaymentWaiters

from .fakes import FakeStore


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 0.0),
        ("wait=3", 3.0),
        ("respond-async, wait=2.5", 2.5),
        ("wait=60", 10.0),
        ("wait=-1", 0.0),
        ("wait=soon", 0.0),
        ("wait=nan", 0.0),
        ("handling=strict", 0.0),
    ],
)
def test_the_prefer_header_is_read_and_capped(header: str | None, seconds: float) -> None:
    assert requested_wait(header) == seconds


async def created(client: httpx.AsyncClient, secret: str, body: Any) -> str:
    headers = {"Authorization": f"Bearer {secret}"}
    return str((await client.post("/v1/payments", json=body(), headers=headers)).json()["id"])


async def test_a_waiting_get_answers_as_soon_as_the_payment_settles(
    client: httpx.AsyncClient, app: FastAPI, store: FakeStore, secret: str, body: Any
) -> None:
    payment_id = await created(client, secret, body)
    waiters: PaymentWaiters = app.state.payment_waiters

    async def settle_later() -> None:
        await asyncio.sleep(0.2)
        store.payments[payment_id] = replace(store.payments[payment_id], status="captured")
        waiters.wake([payment_id])

    settling = asyncio.create_task(settle_later())
    started = time.monotonic()
    answer = await client.get(
        f"/v1/payments/{payment_id}",
        headers={"Authorization": f"Bearer {secret}", "Prefer": "wait=5"},
    )
    await settling
    assert answer.json()["status"] == "captured"
    assert answer.headers["Preference-Applied"] == "wait=5"
    assert time.monotonic() - started < 4


async def test_a_waiting_get_gives_up_after_the_requested_time(
    client: httpx.AsyncClient, secret: str, body: Any
) -> None:
    payment_id = await created(client, secret, body)
    started = time.monotonic()
    answer = await client.get(
        f"/v1/payments/{payment_id}",
        headers={"Authorization": f"Bearer {secret}", "Prefer": "wait=0.3"},
    )
    assert answer.json()["status"] == "processing"
    assert time.monotonic() - started >= 0.3


async def test_wake_ups_for_other_payments_do_not_end_the_wait(
    client: httpx.AsyncClient, app: FastAPI, secret: str, body: Any
) -> None:
    payment_id = await created(client, secret, body)
    waiters: PaymentWaiters = app.state.payment_waiters

    async def noise() -> None:
        for _ in range(5):
            await asyncio.sleep(0.05)
            waiters.wake(["pay_someone_else", payment_id])

    noisy = asyncio.create_task(noise())
    answer = await client.get(
        f"/v1/payments/{payment_id}",
        headers={"Authorization": f"Bearer {secret}", "Prefer": "wait=0.5"},
    )
    await noisy
    assert answer.json()["status"] == "processing"


async def test_a_waiting_post_sees_a_change_that_lands_as_its_command_commits(
    client: httpx.AsyncClient, app: FastAPI, store: FakeStore, secret: str, body: Any
) -> None:
    # The POST starts waiting from the payment it wrote, without reading it again, so
    # it must already be watching when the command commits.
    waiters: PaymentWaiters = app.state.payment_waiters

    async def settle_once_committed() -> None:
        while not store.payments:
            await asyncio.sleep(0)
        (payment_id,) = store.payments
        store.payments[payment_id] = replace(store.payments[payment_id], status="captured")
        waiters.wake([payment_id])

    settling = asyncio.create_task(settle_once_committed())
    started = time.monotonic()
    answer = await client.post(
        "/v1/payments",
        json=body(),
        headers={"Authorization": f"Bearer {secret}", "Prefer": "wait=5"},
    )
    await settling
    assert answer.status_code == 201
    assert answer.json()["status"] == "captured"
    assert time.monotonic() - started < 4
