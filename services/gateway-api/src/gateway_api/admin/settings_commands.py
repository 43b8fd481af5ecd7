"""Merchant settings and payment-method quotes: one function per thing asked."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from gateway_api.admin.merchant_settings import (
    MerchantSettings,
    SettingsChange,
    changed,
    percent_to_ppm,
)
from gateway_api.admin.roles import require_role
from gateway_api.admin.settings_schemas import (
    RoutingUpdate,
    UpdatePricingRequest,
    UpdateSettingsRequest,
)
from gateway_api.domain import InvalidRequest, Merchant, Principal, ResourceMissing, Tier
from gateway_api.unit_of_work import HandlerUnitOfWork
from payroute_common.catalog import PROVIDERS
from payroute_common.clock import utcnow
from payroute_common.fees import fees_for
from payroute_common.limits import AmountLimits
from payroute_common.messages import Fees
from payroute_common.messages.values import PaymentMethodType

log = structlog.get_logger(__name__)


async def get_settings(*, principal: Principal, uow: HandlerUnitOfWork) -> MerchantSettings:
    return await uow.merchant_settings.get(principal.merchant_id)


def settings_change(request: UpdateSettingsRequest) -> SettingsChange:
    """The request as a domain change (fields present, `null`s kept as "default")."""
    fields = frozenset(request.model_fields_set)
    percent = request.platform_fee_percent
    return SettingsChange(
        fields=fields,
        tier=request.tier,
        platform_fee_ppm_override=None if percent is None else percent_to_ppm(percent),
        routing=(
            request.routing.model_dump(exclude_unset=True)
            if request.routing
            else dict.fromkeys(RoutingUpdate.model_fields)  # `"routing": null`: all defaults
        ),
        limits={
            currency: None if new is None else AmountLimits(new.minimum, new.maximum)
            for currency, new in (request.limits or {}).items()
        },
        verification_ttl_seconds=request.verification_ttl_seconds,
    )


async def update_settings(
    request: UpdateSettingsRequest, *, principal: Principal, uow: HandlerUnitOfWork
) -> MerchantSettings:
    """Apply a partial update. Routing, limits and the verification window are the
    merchant's back office (operator keys); what the merchant pays (tier, fee) is the
    platform's (admin keys)."""
    change = settings_change(request)
    require_role(principal, "operator", "change the merchant's settings")
    if change.pricing:
        require_role(principal, "admin", f"change {' or '.join(sorted(change.pricing))}")
    if "tier" in change.fields and change.tier is None:
        raise InvalidRequest("The tier cannot be null.", param="tier")
    return await change_settings(principal.merchant_id, change, uow=uow)


async def change_settings(
    merchant_id: str, change: SettingsChange, *, uow: HandlerUnitOfWork
) -> MerchantSettings:
    """Apply `change` under a lock on the merchant, so concurrent updates all land."""
    current = await uow.merchant_settings.get(merchant_id, for_update=True)
    settings = changed(current, change)
    await uow.merchant_settings.save(settings)
    await uow.commit()
    return settings


async def update_merchant_terms(
    merchant_id: str, *, tier: Tier | None, platform_fee_percent: str | None, uow: HandlerUnitOfWork
) -> MerchantSettings:
    """The platform's terms for a merchant (CLI, admin API): the tier and/or the fee
    override (`"default"` clears it)."""
    fields: set[str] = set()
    fee_ppm = None
    if tier is not None:
        fields.add("tier")
    if platform_fee_percent is not None:
        fields.add("platform_fee_percent")
        if platform_fee_percent != "default":
            fee_ppm = percent_to_ppm(platform_fee_percent)
    change = SettingsChange(fields=frozenset(fields), tier=tier, platform_fee_ppm_override=fee_ppm)
    return await change_settings(merchant_id, change, uow=uow)


async def show_merchant(
    merchant_id: str, *, uow: HandlerUnitOfWork
) -> tuple[Merchant, MerchantSettings]:
    merchant = await uow.merchants.get(merchant_id)
    if merchant is None:
        raise ResourceMissing("merchant", merchant_id)
    return merchant, await uow.merchant_settings.get(merchant_id)


@dataclass(frozen=True)
class MethodQuote:
    method: PaymentMethodType
    providers: list[tuple[str, Fees | None]]


async def payment_methods(
    currency: str, amount: int | None, *, principal: Principal, uow: HandlerUnitOfWork
) -> list[MethodQuote]:
    """What the merchant can take in `currency` now, and what each provider would cost.

    Provider health is not known yet (circuit state comes later): every catalog
    provider counts as healthy. An `amount` outside the merchant's limits is
    refused (400), since no method could take it.
    """
    settings = await uow.merchant_settings.get(principal.merchant_id)
    if amount is not None:
        settings.check_amount(amount, currency)
    today = utcnow().date()
    by_method: dict[PaymentMethodType, list[tuple[str, Fees | None]]] = {}
    for name, caps in PROVIDERS.items():
        if currency not in caps.currencies:
            continue
        for method in sorted(caps.methods):
            fees = None
            if amount is not None:
                fees = fees_for(
                    amount,
                    currency,
                    provider=name,
                    platform_fee_ppm=settings.platform_fee_ppm,
                    on=today,
                    method=method,
                )
            by_method.setdefault(method, []).append((name, fees))
    return [MethodQuote(method, quotes) for method, quotes in sorted(by_method.items())]


async def get_pricing(
    merchant_id: str, *, principal: Principal, uow: HandlerUnitOfWork
) -> MerchantSettings:
    """Any merchant's tier and platform fee, for the platform (admin keys)."""
    require_role(principal, "admin", "read a merchant's pricing")
    return await uow.merchant_settings.get(merchant_id)


async def update_pricing(
    merchant_id: str,
    request: UpdatePricingRequest,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
) -> MerchantSettings:
    """Set any merchant's tier and/or platform fee (admin keys); the role is checked first,
    so a refused request reads and changes nothing."""
    require_role(principal, "admin", "change a merchant's pricing")
    fields = frozenset(request.model_fields_set)
    if "tier" in fields and request.tier is None:
        raise InvalidRequest("The tier cannot be null.", param="tier")
    percent = request.platform_fee_percent
    change = SettingsChange(
        fields=fields,
        tier=request.tier,
        platform_fee_ppm_override=None if percent is None else percent_to_ppm(percent),
    )
    settings = await change_settings(merchant_id, change, uow=uow)
    log.info(
        "merchant_pricing_changed",
        merchant_id=merchant_id,
        by_key_id=principal.key_id,
        tier=settings.tier,
        platform_fee_ppm=settings.platform_fee_ppm,
    )
    return settings
