"""`/v1/merchant/settings` and `/v1/payment-methods`: decode, call a handler, encode."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway_api.admin import settings_commands
from gateway_api.admin.settings_schemas import (
    MerchantSettingsObject,
    PaymentMethodList,
    PaymentMethodOption,
    ProviderQuote,
    UpdateSettingsRequest,
)
from gateway_api.dependencies import PrincipalDep, UnitOfWorkDep
from gateway_api.edge.error_schemas import ErrorResponse, error_responses
from gateway_api.payments.schemas import MAX_AMOUNT, Fees
from payroute_common.money import CurrencyCode

router = APIRouter(prefix="/v1", tags=["merchant"])


@router.get(
    "/merchant/settings",
    response_model=MerchantSettingsObject,
    responses=error_responses(401, 500),
    summary="Retrieve the merchant's settings",
)
async def get_settings(principal: PrincipalDep, uow: UnitOfWorkDep) -> MerchantSettingsObject:
    settings = await settings_commands.get_settings(principal=principal, uow=uow)
    return MerchantSettingsObject.of(settings)


@router.post(
    "/merchant/settings",
    response_model=MerchantSettingsObject,
    responses={
        **error_responses(400, 401, 413, 500),
        403: {"model": ErrorResponse, "description": "Tier and fee need an admin key"},
    },
    summary="Update the merchant's settings (partial)",
)
async def update_settings(
    body: UpdateSettingsRequest, principal: PrincipalDep, uow: UnitOfWorkDep
) -> MerchantSettingsObject:
    settings = await settings_commands.update_settings(body, principal=principal, uow=uow)
    return MerchantSettingsObject.of(settings)


@router.get(
    "/payment-methods",
    response_model=PaymentMethodList,
    responses=error_responses(400, 401, 500),
    summary="List the payment methods available for a currency, with fee quotes",
)
async def list_payment_methods(
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    currency: Annotated[CurrencyCode, Query(description="ISO 4217 code, e.g. PHP.")],
    amount: Annotated[
        int | None,
        Query(gt=0, le=MAX_AMOUNT, description="Minor units; with it, each provider's fees."),
    ] = None,
) -> PaymentMethodList:
    """Provider health is not tracked yet: every catalog provider counts as available."""
    quotes = await settings_commands.payment_methods(currency, amount, principal=principal, uow=uow)
    options = [
        PaymentMethodOption(
            type=quote.method,
            providers=[
                ProviderQuote(provider=provider, fees=Fees(**fees.model_dump()) if fees else None)
                for provider, fees in quote.providers
            ],
        )
        for quote in quotes
    ]
    return PaymentMethodList(currency=currency, amount=amount, data=options)
