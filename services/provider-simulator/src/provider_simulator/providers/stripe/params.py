"""Reading Stripe request parameters, with Stripe's errors for missing or malformed ones."""

from collections.abc import Collection

from provider_simulator.formdata import FormDict
from provider_simulator.providers.stripe.errors import StripeError, invalid_param

MAX_AMOUNT = 99_999_999
# https://docs.stripe.com/metadata#data: 50 keys, keys up to 40 characters, values up to 500.
METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500
COMMON_PARAMS = frozenset({"expand"})


def reject_unknown(params: FormDict, known: Collection[str]) -> None:
    for name in params:
        if name not in known and name not in COMMON_PARAMS:
            raise invalid_param(
                f"Received unknown parameter: {name}", param=name, code="parameter_unknown"
            )


def optional_str(params: FormDict, name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _invalid(name, f"Invalid string: {name}")
    return value


def required_str(params: FormDict, name: str) -> str:
    value = optional_str(params, name)
    if value is None:
        raise missing(name)
    return value


def optional_amount(params: FormDict, name: str) -> int | None:
    raw = optional_str(params, name)
    if raw is None:
        return None
    try:
        amount = int(raw)
    except ValueError:
        raise invalid_param(
            f"Invalid integer: {raw}", param=name, code="parameter_invalid_integer"
        ) from None
    if amount < 1:
        raise invalid_param(
            "This value must be greater than or equal to 1.", param=name, code="amount_too_small"
        )
    if amount > MAX_AMOUNT:
        raise invalid_param(
            f"Amount must be no more than {MAX_AMOUNT}", param=name, code="amount_too_large"
        )
    return amount


def required_amount(params: FormDict, name: str) -> int:
    amount = optional_amount(params, name)
    if amount is None:
        raise missing(name)
    return amount


def currency(params: FormDict) -> str:
    value = required_str(params, "currency").lower()
    if len(value) != 3 or not value.isalpha():
        raise _invalid("currency", f"Invalid currency: {value}")
    return value


def boolean(params: FormDict, name: str, *, default: bool) -> bool:
    raw = optional_str(params, name)
    if raw is None:
        return default
    if raw not in ("true", "false"):
        raise _invalid(name, f"Invalid boolean: {raw}")
    return raw == "true"


def choice(
    params: FormDict, name: str, allowed: Collection[str], *, default: str | None
) -> str | None:
    value = optional_str(params, name)
    if value is None:
        return default
    if value not in allowed:
        raise _invalid(name, f"Invalid {name}: must be one of {', '.join(allowed)}")
    return value


def metadata(params: FormDict) -> dict[str, str]:
    raw = params.get("metadata")
    if raw is None or raw == "":
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise _invalid("metadata", "Invalid hash")
    return within_limits(
        {key: value for key, value in raw.items() if isinstance(value, str) and value}
    )


def within_limits(metadata: dict[str, str]) -> dict[str, str]:
    """Stripe's metadata limits, refused as Stripe refuses them (400, param `metadata`)."""
    if len(metadata) > METADATA_MAX_KEYS:
        raise _invalid(
            "metadata",
            f"Invalid metadata: metadata can have at most {METADATA_MAX_KEYS} keys; "
            f"{len(metadata)} given.",
        )
    for key, value in metadata.items():
        if len(key) > METADATA_MAX_KEY_LENGTH:
            raise _invalid(
                "metadata",
                f"Invalid metadata: keys can be at most {METADATA_MAX_KEY_LENGTH} characters "
                f"long; {key[:METADATA_MAX_KEY_LENGTH]}... is {len(key)}.",
            )
        if len(value) > METADATA_MAX_VALUE_LENGTH:
            raise _invalid(
                "metadata",
                f"Invalid metadata: values can be at most {METADATA_MAX_VALUE_LENGTH} "
                f"characters long; the value of {key} is {len(value)}.",
            )
    return metadata


def expand(params: FormDict) -> frozenset[str]:
    raw = params.get("expand")
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise _invalid("expand", "Invalid array")
    return frozenset(v for v in raw if isinstance(v, str))


def missing(name: str) -> StripeError:
    return invalid_param(f"Missing required param: {name}.", param=name, code="parameter_missing")


def _invalid(name: str, message: str) -> StripeError:
    return invalid_param(message, param=name)
