"""What a provider's report format must offer, and the cell parsers formats share.

Money cells are major-unit decimal strings ("12.50"); they become integer minor
units through the currency's ISO 4217 exponent with `Decimal`, never a float, and
a value with more decimals than the currency has is refused rather than rounded.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from payroute_common.money import CURRENCY_EXPONENTS
from reconciliation.reports.lines import LineError, ReportLine

Row = tuple[int, dict[str, str]]


class ReportFormat(Protocol):
    """One provider's settlement-report CSV: the columns it must have and its row parser."""

    @property
    def required_columns(self) -> frozenset[str]: ...

    def parse(self, rows: Iterator[Row]) -> Iterator[ReportLine | LineError]: ...


class CellError(ValueError):
    """A cell a parser could not read; the message names the column and the value."""


# Known codes as written in reports (either case), looked up once per line.
_CODES = {spelling: code for code in CURRENCY_EXPONENTS for spelling in (code, code.lower())}


def currency_code(value: str) -> str:
    code = _CODES.get(value) or _CODES.get(value.strip().upper())
    if code is None:
        raise CellError(f"unknown currency {value!r}")
    return code


def minor_units(value: str, currency: str, *, column: str) -> int:
    """A signed major-unit decimal string as signed integer minor units of `currency`.

    The plain form (`-12.50`) is read with integer arithmetic; anything else
    (exponents, `+`, spaces) goes through `Decimal`. Either way, exactly."""
    exponent = CURRENCY_EXPONENTS.get(currency)
    if exponent is None:
        raise CellError(f"unknown currency {currency!r}")
    whole, _, fraction = value.removeprefix("-").partition(".")
    if whole.isdecimal() and len(fraction) <= exponent and (fraction.isdecimal() or not fraction):
        minor: int = int(whole) * 10**exponent
        if fraction:
            minor += int(fraction) * 10 ** (exponent - len(fraction))
        return -minor if value.startswith("-") else minor
    return _decimal_minor_units(value, currency, exponent, column=column)


def _decimal_minor_units(value: str, currency: str, exponent: int, *, column: str) -> int:
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise CellError(f"{column} {value!r} is not a number") from None
    if not amount.is_finite():
        raise CellError(f"{column} {value!r} is not a number")
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise CellError(f"{column} {value!r} has more decimals than {currency} allows")
    return int(scaled)


def utc_timestamp(value: str, *, column: str) -> datetime:
    """An ISO 8601 or "YYYY-MM-DD HH:MM:SS" timestamp, or Unix seconds; naive means UTC."""
    text = value.strip()
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        if len(text) == 19:  # the common "YYYY-MM-DD HH:MM:SS": parsed as UTC at once
            return datetime.fromisoformat(text + "+00:00")
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise CellError(f"{column} {value!r} is not a date") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def column_count_error(line_no: int, row: dict[str, str]) -> LineError | None:
    """csv.DictReader keys surplus cells under None and fills missing ones with None."""
    if None in row:
        return LineError(line_no, "too many columns")
    if None in row.values():
        return LineError(line_no, "too few columns")
    return None


def required(row: dict[str, str], column: str) -> str:
    """The cell of `column`, which may not be empty."""
    value = row[column].strip()
    if not value:
        raise CellError(f"{column} is empty")
    return value


def payment_id_in_metadata(metadata: str | None) -> str | None:
    """`metadata.payment_id` of a JSON metadata cell; metadata that is not a JSON
    object carries none."""
    try:
        parsed = json.loads(metadata or "{}")
    except ValueError:
        return None
    value = parsed.get("payment_id") if isinstance(parsed, dict) else None
    return value if isinstance(value, str) and value else None
