"""What a failed HTTP call means, for every adapter that speaks HTTP itself."""

import httpx
import pytest

from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.transport import (
    coded_error,
    json_answer,
    status_category,
    transport_error,
)

REQUEST = httpx.Request("POST", "https://provider.test/payments")


@pytest.mark.parametrize(
    ("error", "category", "code"),
    [
        (
            httpx.ConnectError("refused", request=REQUEST),
            "provider_unavailable",
            "connection_error",
        ),
        (httpx.ConnectTimeout("slow", request=REQUEST), "provider_unavailable", "connection_error"),
        (httpx.PoolTimeout("busy", request=REQUEST), "provider_unavailable", "connection_error"),
        (httpx.ReadTimeout("late", request=REQUEST), "timeout", "timeout"),
        (httpx.RemoteProtocolError("reset", request=REQUEST), "timeout", "no_answer"),
    ],
)
def test_not_sent_is_unavailable_and_sent_without_answer_is_unknown(
    error: httpx.TransportError, category: str, code: str
) -> None:
    normalized = transport_error(error)
    assert (normalized.category, normalized.code) == (category, code)


@pytest.mark.parametrize(
    ("status", "category"),
    [(400, "invalid_request"), (401, "authentication"), (403, "authentication"),
     (404, "invalid_request"), (429, "timeout"), (500, "timeout"), (503, "timeout")],
)  # fmt: skip
def test_an_unknown_code_takes_its_category_from_the_status(status: int, category: str) -> None:
    assert status_category(status) == category


def test_a_known_code_keeps_its_category_and_the_raw_code() -> None:
    response = httpx.Response(400, json={"error_code": "DUPLICATE_ERROR", "message": "again"})
    error = coded_error(response, code_key="error_code", categories={"DUPLICATE_ERROR": "timeout"})
    assert (error.category, error.code, error.message) == ("timeout", "DUPLICATE_ERROR", "again")


def test_an_error_without_a_json_body_is_named_by_its_status() -> None:
    error = coded_error(httpx.Response(502, text="<html>"), code_key="code", categories={})
    assert (error.category, error.code, error.message) == (
        "timeout",
        "http_502",
        "no code: Bad Gateway",
    )


@pytest.mark.parametrize(
    ("status", "code"), [(429, "rate_limited"), (500, "http_500"), (503, "http_503")]
)
def test_429_and_5xx_are_undetermined_whatever_the_providers_code(status: int, code: str) -> None:
    response = httpx.Response(status, json={"error_code": "SERVER_ERROR", "message": "oops"})
    categories = {"SERVER_ERROR": "provider_unavailable"}
    error = coded_error(response, code_key="error_code", categories=categories)  # type: ignore[arg-type]
    assert (error.category, error.code, error.message) == ("timeout", code, "SERVER_ERROR: oops")


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_are_authentication_whatever_the_providers_code(status: int) -> None:
    response = httpx.Response(status, json={"error_code": "DUPLICATE_ERROR", "message": "no"})
    categories = {"DUPLICATE_ERROR": "timeout"}
    error = coded_error(response, code_key="error_code", categories=categories)  # type: ignore[arg-type]
    assert (error.category, error.code) == ("authentication", "DUPLICATE_ERROR")


def test_a_success_that_is_not_json_is_a_malformed_answer() -> None:
    with pytest.raises(ProviderFailure) as raised:
        json_answer(httpx.Response(200, text='{"id": "pay_'), "Xendit")
    assert (raised.value.error.category, raised.value.error.code) == ("timeout", "malformed_answer")
