"""Every service serves its process's metrics at `/metrics`, unless it serves its own."""

import httpx
from sqlalchemy import MetaData

from payroute_common.runtime import ServiceRuntime
from payroute_common.settings import ServiceSettings


def runtime() -> ServiceRuntime:
    settings = ServiceSettings(
        service_name="served",
        port=8000,
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
    )
    return ServiceRuntime(settings, MetaData())


async def get_metrics(serve_metrics: bool) -> httpx.Response:
    app = runtime().create_app(serve_metrics=serve_metrics)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get("/metrics")


async def test_every_service_app_serves_the_shared_metrics() -> None:
    response = await get_metrics(serve_metrics=True)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for name in ("payroute_consumer_lag", "payroute_dead_letters_total", "payroute_outbox_backlog"):
        assert f"# TYPE {name} " in response.text


async def test_a_service_with_its_own_metrics_route_can_leave_it_out() -> None:
    assert (await get_metrics(serve_metrics=False)).status_code == 404
