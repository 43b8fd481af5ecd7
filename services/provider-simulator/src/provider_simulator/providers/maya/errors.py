"""Maya's error answers: an HTTP status and `{"code": ..., "message": ...}`, plus
`parameters` for code 2553 (https://developers.maya.ph/docs/errors)."""

from typing import Any


class MayaError(Exception):
    def __init__(
        self, status: int, code: str, message: str, parameters: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def invalid(field: str, description: str) -> MayaError:
    parameters = [{"field": field, "description": description}]
    return MayaError(400, "2553", "Missing/invalid parameters.", parameters)


def unauthenticated() -> MayaError:
    return MayaError(
        401,
        "K003",
        "Invalid authentication credentials. Kindly verify if the key you are using is correct.",
    )


def payment_not_found() -> MayaError:
    return MayaError(404, "PY0009", "Payment does not exist.")


def already_voided() -> MayaError:
    return MayaError(400, "2547", "Transaction already voided")


def excessive_refund() -> MayaError:
    return MayaError(400, "2546", "Excessive refund")


def outage() -> MayaError:
    return MayaError(503, "PY0001", "A problem is encountered (simulated outage).")


def server_error() -> MayaError:
    return MayaError(500, "1996", "General error (simulated).")
