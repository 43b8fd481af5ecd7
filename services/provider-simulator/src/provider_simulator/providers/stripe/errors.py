"""Stripe's error objects (`{"error": {...}}`) and the exception that carries one."""

from collections.abc import Mapping

DOCS = "https://stripe.com/docs/error-codes"


class StripeError(Exception):
    """An error response. `replayable` says whether an idempotency key stores it (Stripe does
    not store requests that failed validation before the endpoint began executing)."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        replayable: bool = True,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.replayable = replayable
        self.error: dict[str, object] = {"type": type_, "message": message}
        if code is not None:
            self.error["code"] = code
            self.error["doc_url"] = f"{DOCS}/{code.replace('_', '-')}"
        if param is not None:
            self.error["param"] = param
        self.error.update(extra or {})

    def body(self, request_id: str) -> dict[str, object]:
        log_url = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return {"error": {**self.error, "request_log_url": log_url}}


def invalid_request(
    message: str, *, code: str | None = None, param: str | None = None, status: int = 400
) -> StripeError:
    return StripeError(status, "invalid_request_error", message, code=code, param=param)


def invalid_param(message: str, *, param: str, code: str | None = None) -> StripeError:
    return StripeError(
        400, "invalid_request_error", message, code=code, param=param, replayable=False
    )


def resource_missing(kind: str, ident: str, *, param: str, status: int = 404) -> StripeError:
    return invalid_request(
        f"No such {kind}: '{ident}'", code="resource_missing", param=param, status=status
    )


def unexpected_state(message: str, payment_intent: Mapping[str, object]) -> StripeError:
    """Stripe names the PaymentIntent, as it is now, in `error.payment_intent`."""
    return StripeError(
        400,
        "invalid_request_error",
        message,
        code="payment_intent_unexpected_state",
        extra={"payment_intent": payment_intent},
    )


def authentication(api_key: str | None) -> StripeError:
    if not api_key:
        message = (
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details."
        )
    else:
        message = f"Invalid API Key provided: {mask_key(api_key)}"
    return StripeError(401, "invalid_request_error", message, replayable=False)


def mask_key(api_key: str) -> str:
    """`sk_test_…1234` → `sk_test_****1234`, as Stripe echoes a wrong key."""
    prefix = api_key[:8] if api_key[:8] in _KEY_PREFIXES else ""
    return f"{prefix}****{api_key[-4:]}"


_KEY_PREFIXES = frozenset({"sk_test_", "sk_live_", "rk_test_", "rk_live_"})


def api_error(status: int, message: str) -> StripeError:
    return StripeError(status, "api_error", message, replayable=False)


def idempotency_mismatch(key: str) -> StripeError:
    return StripeError(
        400,
        "idempotency_error",
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request.",
        replayable=False,
    )


def idempotency_in_use() -> StripeError:
    return StripeError(
        409,
        "idempotency_error",
        "There is currently another in-progress request using this Idempotent Key (that "
        "probably means you submitted twice, and the other request is still going through): "
        "Please try again later.",
        code="idempotency_key_in_use",
        replayable=False,
    )
