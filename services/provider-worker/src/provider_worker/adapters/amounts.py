"""Amounts in a currency's major unit (PHP 25.50, IDR 10000), as Xendit and Maya
take and give them, to and from Payroute's integer minor units.

Exponents are ISO 4217's (payroute_common.money). A major-unit amount goes out as
a JSON number: exact for every amount below 2**53 minor units. One that comes back
finer than the currency's minor unit is refused, never rounded.
"""

from decimal import Decimal, InvalidOperation

from payroute_common.money import currency_exponent
from provider_worker.adapters.failures import malformed


def to_major(amount: int, currency: str) -> int | float:
    """`amount` minor units in the major unit: whole where the currency has no minor unit."""
    exponent = currency_exponent(currency)
    return amount if exponent == 0 else float(Decimal(amount).scaleb(-exponent))


def to_minor(amount: object, currency: str) -> int:
    """A provider's major-unit amount in minor units."""
    try:
        scaled = Decimal(str(amount)).scaleb(currency_exponent(currency))
    except InvalidOperation:
        scaled = Decimal("NaN")
    if isinstance(amount, bool) or not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise malformed(f"{amount!r} is not a whole number of {currency} minor units")
    return int(scaled)
