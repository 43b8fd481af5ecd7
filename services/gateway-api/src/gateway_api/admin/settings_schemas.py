"""Request and response models of `/v1/merchant/settings` and `/v1/payment-methods`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway_api.admin.merchant_settings import (
    MAX_VERIFICATION_TTL_SECONDS,
    PERCENT_PATTERN,
    MerchantSettings,
    ppm_to_percent,
)
from gateway_api.domain import Tier
from gateway_api.payments.schemas import MAX_AMOUNT, Fees
from payroute_common.limits import DEFAULT_LIMITS
from payroute_common.messages.values import (
    PaymentMethodType,
    ProviderName,
    ProviderPriority,
    RoutingStrategy,
)
from payroute_common.money import CurrencyCode

Percent = Annotated[
    str,
    Field(
        strict=True,
        pattern=PERCENT_PATTERN,
        description="A decimal-string percent, 0..100, at most 4 decimals: '1.25' = 1.25 %.",
        examples=["1.25"],
    ),
]
LimitAmount = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT)]


class RoutingUpdate(BaseModel):
    """Routing fields to replace; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    priorities: list[ProviderPriority] | None = Field(
        default=None,
        max_length=50,
        description="Provider order per payment method and/or currency (first match wins).",
    )
    volume_split: dict[ProviderName, Annotated[int, Field(strict=True, ge=0, le=1000)]] | None = (
        Field(default=None, description="Relative weights for spreading volume across providers.")
    )
    fallback: Annotated[bool, Field(strict=True)] | None = Field(
        default=None, description="Try the next provider after a retryable failure."
    )
    max_attempts: Annotated[int, Field(strict=True, ge=1, le=5)] | None = None
    strategy: RoutingStrategy | None = Field(
        default=None,
        description="How providers not ranked by `priorities` are ordered: catalog order "
        "(priority), cheapest fee first (cost) or best recent success rate (success_rate).",
    )


class LimitsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minimum: LimitAmount
    maximum: LimitAmount


class UpdateSettingsRequest(BaseModel):
    """`POST /v1/merchant/settings`: a partial update. A field left out keeps its value;
    `null` puts it back to the default. `tier` and `platform_fee_percent` need an
    admin key (403 `insufficient_role` otherwise, and nothing changes)."""

    model_config = ConfigDict(extra="forbid")

    tier: Tier | None = Field(default=None, description="Admin keys only.")
    platform_fee_percent: Percent | None = Field(
        default=None, description="Admin keys only; null = the tier's rate."
    )
    routing: RoutingUpdate | None = None
    limits: dict[CurrencyCode, LimitsUpdate | None] | None = Field(
        default=None,
        description="Per-currency amount limits in minor units (1 <= minimum <= maximum <= "
        "the platform maximum); null for a currency restores the default.",
    )
    verification_ttl_seconds: (
        Annotated[int, Field(strict=True, ge=1, le=MAX_VERIFICATION_TTL_SECONDS)] | None
    ) = Field(default=None, description="How long a manual payment waits for verification.")


class RoutingObject(BaseModel):
    priorities: list[ProviderPriority]
    volume_split: dict[str, int]
    fallback: bool
    max_attempts: int
    strategy: RoutingStrategy


class LimitsObject(BaseModel):
    minimum: int
    maximum: int
    custom: bool = Field(description="True when the merchant set these; false = the default.")


class MerchantSettingsObject(BaseModel):
    object: Literal["merchant_settings"] = "merchant_settings"
    merchant_id: str
    tier: Tier
    platform_fee_percent: str = Field(description="The rate in force (override or tier).")
    platform_fee_percent_override: str | None
    routing: RoutingObject
    limits: dict[str, LimitsObject] = Field(description="Every currency's limits in force.")
    verification_ttl_seconds: int

    @classmethod
    def of(cls, settings: MerchantSettings) -> MerchantSettingsObject:
        override = settings.platform_fee_ppm_override
        routing = settings.routing
        return cls(
            merchant_id=settings.merchant_id,
            tier=settings.tier,
            platform_fee_percent=ppm_to_percent(settings.platform_fee_ppm),
            platform_fee_percent_override=None if override is None else ppm_to_percent(override),
            routing=RoutingObject(
                priorities=list(routing.priorities),
                volume_split=dict(routing.volume_split),
                fallback=routing.fallback,
                max_attempts=routing.max_attempts,
                strategy=routing.strategy,
            ),
            limits={
                currency: LimitsObject(
                    minimum=settings.limits_for(currency).minimum,
                    maximum=settings.limits_for(currency).maximum,
                    custom=currency in settings.limits,
                )
                for currency in sorted(DEFAULT_LIMITS)
            },
            verification_ttl_seconds=settings.verification_ttl_seconds,
        )


class ProviderQuote(BaseModel):
    provider: str
    fees: Fees | None = Field(description="What `amount` would cost here; null without amount.")


class PaymentMethodOption(BaseModel):
    object: Literal["payment_method_option"] = "payment_method_option"
    type: PaymentMethodType
    providers: list[ProviderQuote]


class PaymentMethodList(BaseModel):
    object: Literal["list"] = "list"
    currency: str
    amount: int | None
    data: list[PaymentMethodOption]


class UpdatePricingRequest(BaseModel):
    """`POST /v1/merchants/{merchant_id}/pricing` (admin keys): a partial update. A field
    left out keeps its value; `"platform_fee_percent": null` goes back to the tier's rate."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"tier": "professional", "platform_fee_percent": "1.25"}]},
    )

    tier: Tier | None = Field(default=None, description="The fee tier; it cannot be null.")
    platform_fee_percent: Percent | None = Field(
        default=None, description="The merchant's own platform fee; null = the tier's rate."
    )


class MerchantPricingObject(BaseModel):
    """What a merchant pays Payroute: its tier and the platform fee in force."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "object": "merchant_pricing",
                    "merchant_id": "mch_3f9c",
                    "tier": "professional",
                    "platform_fee_percent": "1.25",
                    "platform_fee_percent_override": "1.25",
                }
            ]
        }
    )

    object: Literal["merchant_pricing"] = "merchant_pricing"
    merchant_id: str
    tier: Tier
    platform_fee_percent: str = Field(description="The rate in force (override or tier).")
    platform_fee_percent_override: str | None

    @classmethod
    def of(cls, settings: MerchantSettings) -> MerchantPricingObject:
        override = settings.platform_fee_ppm_override
        return cls(
            merchant_id=settings.merchant_id,
            tier=settings.tier,
            platform_fee_percent=ppm_to_percent(settings.platform_fee_ppm),
            platform_fee_percent_override=None if override is None else ppm_to_percent(override),
        )
