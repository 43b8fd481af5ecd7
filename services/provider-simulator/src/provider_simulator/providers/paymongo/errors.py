"""PayMongo's error object: `{"errors": [{"code", "detail", "source": {...}}]}`
(https://developers.paymongo.com/reference/errors)."""

from typing import Any


class PaymongoError(Exception):
    """A refusal PayMongo answers with; `replayable` ones are stored under the idempotency key."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        attribute: str | None = None,
        replayable: bool = True,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.attribute = attribute
        self.replayable = replayable

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "detail": self.detail}
        if self.attribute is not None:
            error["source"] = {"pointer": self.attribute, "attribute": self.attribute}
        return {"errors": [error]}


def required(attribute: str) -> PaymongoError:
    return PaymongoError(
        400, "parameter_required", f"{attribute} is required.", attribute=attribute
    )


def invalid(attribute: str, detail: str) -> PaymongoError:
    return PaymongoError(400, "parameter_invalid", detail, attribute=attribute)


def below_minimum(attribute: str, minimum: int) -> PaymongoError:
    return PaymongoError(
        400,
        "parameter_below_minimum",
        f"{attribute} cannot be less than {minimum}.",
        attribute=attribute,
    )


def above_maximum(attribute: str, maximum: int) -> PaymongoError:
    return PaymongoError(
        400,
        "parameter_above_maximum",
        f"{attribute} cannot be more than {maximum}.",
        attribute=attribute,
    )


def not_found(kind: str, resource_id: str) -> PaymongoError:
    return PaymongoError(
        404, "resource_not_found", f"No such {kind} with id {resource_id}.", attribute="id"
    )


def failed_state(detail: str) -> PaymongoError:
    return PaymongoError(400, "resource_failed_state", detail)


def authentication() -> PaymongoError:
    return PaymongoError(
        401,
        "api_key_invalid",
        "API key is invalid. Use a secret key as the username of HTTP Basic auth.",
        replayable=False,
    )


def idempotency_mismatch() -> PaymongoError:
    return PaymongoError(
        400,
        "idempotency_key_reused",
        "This Idempotency-Key was already used with different parameters.",
        replayable=False,
    )


def idempotency_in_flight() -> PaymongoError:
    return PaymongoError(
        409,
        "idempotency_request_in_progress",
        "A request with this Idempotency-Key is still being processed.",
        replayable=False,
    )


def unavailable(status: int, detail: str) -> PaymongoError:
    code = "service_unavailable" if status == 503 else "internal_server_error"
    return PaymongoError(status, code, detail, replayable=False)
