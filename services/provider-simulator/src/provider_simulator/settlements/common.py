"""What every provider's settlement report shares: the list-price fee, when money becomes
available, amounts as major-unit decimal strings, stable ids. Which movements settle,
and their positions, come from the ledger (`Ledger.settling`)."""

import hashlib
import json
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from payroute_common.fees import NoFeeScheduleError, fees_for
from payroute_common.money import UnknownCurrencyError, currency_exponent
from provider_simulator.ledger import Movement

PAYOUT_DELAY = timedelta(days=2)
DEFAULT_EXPONENT = 2


def provider_fee(movement: Movement) -> int:
    """The provider's list price; a currency its schedule does not cover costs nothing.
    Refunds cost nothing (none of the modelled providers returns or charges a fee on them)."""
    if movement.kind == "refund":
        return 0
    try:
        fees = fees_for(
            movement.amount,
            movement.currency.upper(),
            provider=movement.provider,
            platform_fee_ppm=0,
            on=movement.at.date(),
            method=movement.method,
        )
    except NoFeeScheduleError:
        return 0
    return fees.provider_fee


def exponent(currency: str) -> int:
    """The ISO 4217 exponent; two decimals for a currency Payroute does not list."""
    try:
        return currency_exponent(currency)
    except UnknownCurrencyError:
        return DEFAULT_EXPONENT


def major(minor: int, currency: str) -> str:
    """`12345` PHP → `"123.45"`; `2500` JPY → `"2500"`."""
    return str(Decimal(minor).scaleb(-exponent(currency)))


def stable_id(prefix: str, *parts: object, length: int = 24) -> str:
    """An id stable for as long as the ledger is (until a reset): `prefix` + hex digits."""
    seed = ":".join(str(part) for part in parts)
    return prefix + hashlib.sha256(seed.encode()).hexdigest()[:length]


def metadata_json(metadata: Mapping[str, object]) -> str:
    """A metadata object as one CSV cell, the way dashboards export it."""
    return json.dumps(dict(metadata), separators=(",", ":"), sort_keys=True) if metadata else ""


def payment_metadata(movement: Movement) -> dict[str, str]:
    return {"payment_id": movement.payment_id} if movement.payment_id else {}
