"""`GET /health/payments`: every provider's state, for operators (operator or admin keys).

The gateway owns no provider state; provider-worker does (its breakers, credentials
and call record). So this asks provider-worker's `/health` over HTTP, with a short
timeout, and answers its `providers` section: per provider `state` (up, degraded,
down, misconfigured), `circuit`, `success_rate` and `average_latency_ms` over
`window_s`, `last_success`, `last_failure`, `reason`. Asked rather than kept from
`provider.health` events because those carry no success rate or latency, and a
table of them would be one more copy to keep in step. With several worker
replicas the answer is one replica's view (each keeps its own breakers), which is
what the replica sending a payment to that provider would decide by.

When provider-worker does not answer in time, the answer is 503 with status
UNKNOWN: the gateway cannot tell whether payments can reach any provider.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway_api.admin.roles import require_role
from gateway_api.dependencies import PrincipalDep
from payroute_common.clock import utcnow

router = APIRouter(tags=["operations"])


class ProviderHealthSource(BaseSettings):
    """Where provider-worker answers (`GATEWAY_API_PROVIDER_WORKER_URL`)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_API_", extra="ignore", frozen=True)

    provider_worker_url: str = "http://127.0.0.1:8004"
    provider_health_timeout_s: float = Field(default=1.0, gt=0, le=10)

    async def read(self) -> dict[str, Any]:
        """provider-worker's `/health` body; raises when it does not answer with one."""
        async with httpx.AsyncClient(timeout=self.provider_health_timeout_s) as client:
            answer = await client.get(f"{self.provider_worker_url.rstrip('/')}/health")
        body = answer.json()
        if not isinstance(body, dict):
            raise ValueError("provider-worker's /health is not a JSON object")
        return body


ReadWorkerHealth = Callable[[], Awaitable[dict[str, Any]]]
_SOURCE = ProviderHealthSource()


def provider_health_source() -> ReadWorkerHealth:
    return _SOURCE.read


SourceDep = Annotated[ReadWorkerHealth, Depends(provider_health_source)]


@router.get(
    "/health/payments",
    summary="Every payment provider's state, as provider-worker sees it (operators)",
)
async def providers_health(principal: PrincipalDep, read_worker_health: SourceDep) -> JSONResponse:
    require_role(principal, "operator", "read the providers' health")
    checked_at = utcnow().isoformat()
    try:
        worker = await read_worker_health()
    except (httpx.HTTPError, ValueError) as error:
        reason = f"provider-worker did not answer: {type(error).__name__}: {error}"[:300]
        unknown = {"status": "UNKNOWN", "checked_at": checked_at, "error": reason, "providers": {}}
        return JSONResponse(unknown, status_code=503)
    providers = worker.get("providers") or {}
    unusable = sorted(
        n for n, p in providers.items() if p.get("state") in {"down", "misconfigured"}
    )
    body: dict[str, Any] = {
        "status": "DEGRADED" if unusable else "HEALTHY",
        "checked_at": checked_at,
        "worker_status": worker.get("status"),
        "unusable": unusable,
        "providers": providers,
    }
    return JSONResponse(body)
