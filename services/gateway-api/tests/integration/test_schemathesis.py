"""gateway-api against its own OpenAPI: generated requests, real app, real database.

Schemathesis generates requests for every operation, valid ones and invalid ones
(hypothesis, a bounded number each, run in a worker thread). They are sent here,
in the test's event loop, through the real app over the migrated database with
a real merchant key, then again with an operator key, and every answer must be:
no 5xx, a declared status code and content type, and a body matching the schema.
Invalid requests must be refused (4xx).

`Prefer` is dropped from generated requests: `wait=N` only makes a request last
N seconds (it is tested on its own), which would blow the time budget.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from gateway_api.admin import api_keys

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}
EXISTING_EXAMPLES = 10
DROPPED_HEADERS = {"prefer", "authorization"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def generate_cases(schema: Any, payment_id: str) -> list[Case]:
    """A bounded sample of cases per operation and mode (blocking: run it in a thread).

    Operations on one payment also get valid cases about a payment that exists
    (random ids only ever reach the 404 branch).
    """
    cases: list[Case] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/v1/"):
            continue  # /health/*: the shared runtime's, not this API's
        runs: list[tuple[GenerationMode, int, dict[str, str] | None]] = [
            (mode, count, None) for mode, count in EXAMPLES_PER_OPERATION.items()
        ]
        if "{payment_id}" in operation.path:
            runs.append((GenerationMode.POSITIVE, EXISTING_EXAMPLES, {"payment_id": payment_id}))
        for mode, count, path_parameters in runs:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            cases += _sample(strategy, count, mode)
    return cases


def _sample(strategy: Any, count: int, mode: GenerationMode) -> list[Case]:
    cases: list[Case] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def collect(case: Case) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # nothing to make invalid (an operation without inputs)
        assert mode is GenerationMode.NEGATIVE
    return cases


def request_of(case: Case, secret: str) -> dict[str, Any]:
    """The case as httpx arguments, with our key and without `Prefer`."""
    kwargs = case.as_transport_kwargs(base_url="http://gateway")
    headers = {k: v for k, v in kwargs["headers"].items() if k.lower() not in DROPPED_HEADERS}
    headers["Authorization"] = f"Bearer {secret}"
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": headers,
        "params": kwargs.get("params"),
    }
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    elif "data" in kwargs:
        request["content"] = kwargs["data"]
    return request


async def run_cases(client: httpx.AsyncClient, cases: list[Case], secret: str) -> list[str]:
    failures: list[str] = []
    for case in cases:
        response = await client.request(**request_of(case, secret))
        checks = [*CHECKS, negative_data_rejection] if _negated_beyond_headers(case) else CHECKS
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as error:
            failures.append(
                f"{case.method} {case.formatted_path} query={case.query!r:.200} "
                f"body={case.body!r:.200} negated={sorted(_negated(case))} "
                f"-> {response.status_code} "
                f"{response.text[:300]}\n  {[type(e).__name__ for e in error.exceptions]}"
            )
    return failures


def _negated(case: Case) -> set[str]:
    """Where the case is invalid on purpose (none for a valid case)."""
    if case.meta is None:
        return set()
    return {loc.value for loc, c in case.meta.components.items() if not c.mode.is_positive}


def _negated_beyond_headers(case: Case) -> bool:
    """Invalid somewhere we send as generated (we replace the key and drop `Prefer`)."""
    return bool(_negated(case) - {"header"})


async def test_every_operation_conforms_to_the_schema(
    gateway: Any, client: httpx.AsyncClient, merchant: Any
) -> None:
    async with gateway.unit_of_work() as uow:
        operator = await api_keys.create_api_key(merchant.id, "operator", uow=uow)
    created = await client.post(
        "/v1/payments",
        json={"amount": 5_000, "currency": "PHP", "payment_method": {"type": "cash"}},
        headers=merchant.headers,
    )
    assert created.status_code == 201, created.text
    schema = schemathesis.openapi.from_dict(gateway.app.openapi())
    cases = await asyncio.to_thread(generate_cases, schema, created.json()["id"])
    assert len({(c.method, c.path) for c in cases}) >= 4  # every operation got cases

    failures = await run_cases(client, cases, merchant.secret)
    failures += await run_cases(client, cases, operator.secret)

    assert not failures, "\n".join(failures[:20])
