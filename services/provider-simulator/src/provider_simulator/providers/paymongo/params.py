"""Reading a JSON:API request body `{"data": {"attributes": {...}}}`; bad input raises
PaymongoError in PayMongo's words."""

from collections.abc import Mapping, Sequence
from typing import Any

from provider_simulator.providers.paymongo.errors import (
    PaymongoError,
    above_maximum,
    below_minimum,
    invalid,
    required,
)

Attributes = Mapping[str, Any]
MAX_AMOUNT = 10_000_000_000


def attributes(body: object) -> Attributes:
    data = body.get("data") if isinstance(body, Mapping) else None
    attrs = data.get("attributes") if isinstance(data, Mapping) else None
    if not isinstance(attrs, Mapping):
        raise required("data.attributes")
    return attrs


def reject_unknown(attrs: Attributes, known: Sequence[str]) -> None:
    for name in attrs:
        if name not in known:
            raise PaymongoError(
                400, "parameter_not_allowed", f"{name} is not allowed.", attribute=name
            )


def amount(attrs: Attributes, name: str, *, minimum: int, optional: bool = False) -> int | None:
    value = attrs.get(name)
    if value is None:
        if optional:
            return None
        raise required(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(name, f"{name} must be an integer.")
    if value < minimum:
        raise below_minimum(name, minimum)
    if value > MAX_AMOUNT:
        raise above_maximum(name, MAX_AMOUNT)
    return value


def text(attrs: Attributes, name: str, *, optional: bool = True) -> str | None:
    value = attrs.get(name)
    if value is None:
        if optional:
            return None
        raise required(name)
    if not isinstance(value, str) or not value:
        raise invalid(name, f"{name} must be a non-empty string.")
    return value


def choice(attrs: Attributes, name: str, allowed: Sequence[str], default: str) -> str:
    value = attrs.get(name, default)
    if value not in allowed:
        raise invalid(name, f"{name} must be one of {', '.join(allowed)}.")
    return str(value)


def text_list(attrs: Attributes, name: str, allowed: Sequence[str]) -> list[str]:
    value = attrs.get(name)
    if value is None:
        raise required(name)
    if not isinstance(value, list) or not value or any(v not in allowed for v in value):
        raise invalid(name, f"{name} must be a list of: {', '.join(allowed)}.")
    return [str(v) for v in value]


def metadata(attrs: Attributes) -> dict[str, str]:
    value = attrs.get("metadata") or {}
    if not isinstance(value, Mapping) or any(
        not isinstance(v, str) or isinstance(v, Mapping) for v in value.values()
    ):
        raise invalid(
            "metadata", "metadata values must be strings; nested objects are not allowed."
        )
    return {str(k): v for k, v in value.items()}
