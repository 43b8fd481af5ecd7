"""`/v1/merchants/{merchant_id}/pricing`: the platform's terms for any merchant (admin
keys). Thin edge: decode, call a handler, encode."""

from __future__ import annotations

from fastapi import APIRouter

from gateway_api.admin import settings_commands
from gateway_api.admin.settings_schemas import MerchantPricingObject, UpdatePricingRequest
from gateway_api.dependencies import PrincipalDep, UnitOfWorkDep
from gateway_api.edge.error_schemas import error_responses

router = APIRouter(prefix="/v1", tags=["platform"])


@router.get(
    "/merchants/{merchant_id}/pricing",
    response_model=MerchantPricingObject,
    responses=error_responses(401, 403, 404, 500),
    summary="Retrieve a merchant's fee tier and platform fee (admin keys only)",
)
async def get_pricing(
    merchant_id: str, principal: PrincipalDep, uow: UnitOfWorkDep
) -> MerchantPricingObject:
    settings = await settings_commands.get_pricing(merchant_id, principal=principal, uow=uow)
    return MerchantPricingObject.of(settings)


@router.post(
    "/merchants/{merchant_id}/pricing",
    response_model=MerchantPricingObject,
    responses=error_responses(400, 401, 403, 404, 413, 500),
    summary="Change a merchant's fee tier and/or platform fee (admin keys only)",
    description="A partial update: a field left out keeps its value. Setting absolute "
    "values, it is idempotent by nature. Keys of any other role get 403 "
    "`insufficient_role` and nothing changes.",
)
async def update_pricing(
    merchant_id: str, body: UpdatePricingRequest, principal: PrincipalDep, uow: UnitOfWorkDep
) -> MerchantPricingObject:
    settings = await settings_commands.update_pricing(
        merchant_id, body, principal=principal, uow=uow
    )
    return MerchantPricingObject.of(settings)
