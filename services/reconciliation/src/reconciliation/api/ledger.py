"""Reading the ledger view over HTTP."""

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from reconciliation.api.errors import NOT_ADMIN, UNAUTHENTICATED, ErrorOut, error_response
from reconciliation.auth import admin_key
from reconciliation.store import ReconciliationUnitOfWork


class MovementOut(BaseModel):
    """Money moved: a capture (with its fees) or a succeeded refund; amounts are positive."""

    kind: Literal["capture", "refund"]
    source_id: str  # the payment id for a capture, the refund id for a refund
    amount: int
    currency: str
    provider: str | None
    provider_reference: str | None
    provider_fee: int | None
    platform_fee: int | None
    occurred_at: datetime


class LedgerEntryOut(BaseModel):
    object: str = "ledger_entry"
    payment_id: str
    merchant_id: str
    provider: str | None
    provider_reference: str | None
    status: str
    amount: int
    amount_captured: int
    amount_refunded: int
    currency: str
    version: int
    created_at: datetime
    updated_at: datetime
    captured_at: datetime | None
    movements: list[MovementOut]


NOT_FOUND: dict[str, Any] = {"model": ErrorOut, "description": "No ledger entry for this payment"}


def ledger_router(unit_of_work: Callable[[], ReconciliationUnitOfWork]) -> APIRouter:
    router = APIRouter(
        prefix="/v1/ledger",
        tags=["ledger"],
        dependencies=[Depends(admin_key(unit_of_work))],
        responses={401: UNAUTHENTICATED, 403: NOT_ADMIN},
    )

    @router.get("/{payment_id}", response_model=LedgerEntryOut, responses={404: NOT_FOUND})
    async def get_ledger_entry(payment_id: str) -> LedgerEntryOut | JSONResponse:
        """The ledger view of one payment: its latest state and the money it moved.

        Platform admins only (`Authorization: Bearer <admin key>`).
        """
        async with unit_of_work() as uow:
            entry = await uow.ledger.get(payment_id)
            movements = await uow.ledger.movements(payment_id)
        if entry is None:
            return error_response(404, "resource_missing", f"No ledger entry for {payment_id}.")
        return LedgerEntryOut.model_validate(
            {**asdict(entry), "movements": [asdict(m) for m in movements]}
        )

    return router
