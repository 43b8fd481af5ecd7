"""gateway-api's `/metrics`: HTTP requests counted and timed per route template, on the
app as the service builds it (no request here reaches the database)."""

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import REGISTRY

from gateway_api.app import build_app
from gateway_api.config import Settings
from gateway_api.tables import metadata
from payroute_common.runtime import ServiceRuntime


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings()
    app = build_app(ServiceRuntime(settings, metadata), settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def requests(route: str, method: str, status: str) -> float:
    labels = {"service": "gateway-api", "route": route, "method": method, "status": status}
    return REGISTRY.get_sample_value("payroute_http_requests_total", labels) or 0.0


async def test_requests_are_counted_by_route_template_never_by_path(
    gateway: httpx.AsyncClient,
) -> None:
    one_payment = requests("/v1/payments/{payment_id}", "GET", "401")
    nowhere = requests("unmatched", "GET", "404")

    await gateway.get("/v1/payments/pay_one")
    await gateway.get("/v1/payments/pay_two")
    await gateway.get("/no/such/route")

    assert requests("/v1/payments/{payment_id}", "GET", "401") == one_payment + 2
    assert requests("unmatched", "GET", "404") == nowhere + 1
    text = (await gateway.get("/metrics")).text
    assert "pay_one" not in text
    assert (
        'payroute_http_request_seconds_count{method="GET",route="/v1/payments/{payment_id}",'
        'service="gateway-api"}' in text
    )


async def test_an_unknown_method_is_counted_as_other(gateway: httpx.AsyncClient) -> None:
    before = requests("/v1/payments/{payment_id}", "OTHER", "405")
    await gateway.request("BREW", "/v1/payments/pay_one")
    assert requests("/v1/payments/{payment_id}", "OTHER", "405") == before + 1
