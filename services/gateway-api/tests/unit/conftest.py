"""An app wired to the in-memory unit of work (fakes.py): the HTTP edge without I/O."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway_api import app as gateway_app
from gateway_api.reads.changes import PaymentWaiters
from payroute_common.http import RequestIdMiddleware

from .fakes import FakeStore, FakeUnitOfWork

MAX_BODY_BYTES = 4096


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def secret(store: FakeStore) -> str:
    return store.add_merchant()[1]


@pytest.fixture
def app(store: FakeStore) -> FastAPI:
    # The same stack as ServiceRuntime.create_app builds, minus broker and database.
    application = FastAPI(middleware=gateway_app.middleware(MAX_BODY_BYTES))
    application.add_middleware(RequestIdMiddleware)
    gateway_app.register_routes(application, lambda: FakeUnitOfWork(store), PaymentWaiters())
    return application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http


def valid_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "amount": 10_050,
        "currency": "PHP",
        "payment_method": {"type": "card", "token": "pm_card_visa"},
    }
    body.update(changes)
    return body


@pytest.fixture
def body() -> Any:
    return valid_body


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def headers(secret: str) -> dict[str, str]:
    return auth(secret)


@pytest.fixture
def uow(store: FakeStore) -> FakeUnitOfWork:
    return FakeUnitOfWork(store)
