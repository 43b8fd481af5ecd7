"""Xendit's error answers: an HTTP status and `{"error_code": ..., "message": ...}`
(https://developers.xendit.co/api-reference/#errors)."""


class XenditError(Exception):
    def __init__(self, status: int, code: str, message: str, *, replayable: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.replayable = replayable
        """Stored under the idempotency key (a retry gets it again) unless False."""

    def body(self) -> dict[str, str]:
        return {"error_code": self.code, "message": self.message}


def validation(message: str) -> XenditError:
    return XenditError(400, "API_VALIDATION_ERROR", message)


def not_found(what: str) -> XenditError:
    return XenditError(404, "DATA_NOT_FOUND", f"{what} was not found")


def invalid_key() -> XenditError:
    return XenditError(401, "INVALID_API_KEY", "The API key is invalid or missing")


def duplicate(message: str) -> XenditError:
    return XenditError(409, "DUPLICATE_ERROR", message, replayable=False)


def outage() -> XenditError:
    return XenditError(503, "CHANNEL_UNAVAILABLE", "The channel is unavailable (simulated outage)")


def server_error() -> XenditError:
    return XenditError(500, "SERVER_ERROR", "An unexpected error occurred (simulated)")
