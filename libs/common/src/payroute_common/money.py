"""Money as integer minor units plus an ISO 4217 currency code.

No floats anywhere near money: amounts are whole numbers of the currency's
minor unit (cents for USD, centavos for PHP, yen for JPY, fils for KWD).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# ISO 4217 exponents of the currencies Payroute accepts.
CURRENCY_EXPONENTS: dict[str, int] = {
    "AUD": 2, "BHD": 3, "CAD": 2, "CHF": 2, "CNY": 2, "EUR": 2, "GBP": 2,
    "HKD": 2, "IDR": 2, "INR": 2, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
    "MYR": 2, "NZD": 2, "OMR": 3, "PHP": 2, "SGD": 2, "THB": 2, "TND": 3,
    "USD": 2, "VND": 0,
}  # fmt: skip


class UnknownCurrencyError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unsupported currency {code!r}; use an ISO 4217 code such as 'PHP'")


def currency_exponent(code: str) -> int:
    try:
        return CURRENCY_EXPONENTS[code.upper()]
    except KeyError:
        raise UnknownCurrencyError(code) from None


def _known_currency(code: str) -> str:
    currency_exponent(code)
    return code.upper()


CurrencyCode = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_known_currency)]
MinorUnits = Annotated[int, Field(ge=0, strict=True)]


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: MinorUnits
    currency: CurrencyCode

    def __str__(self) -> str:
        exponent = currency_exponent(self.currency)
        if exponent == 0:
            return f"{self.amount} {self.currency}"
        whole, fraction = divmod(self.amount, 10**exponent)
        return f"{whole}.{fraction:0{exponent}d} {self.currency}"
