"""QueryProviderStatus answered with the provider's truth, against a fake adapter."""

import pytest
from pydantic import ValidationError

from payroute_common.messages import ProviderStatusReported, QueryProviderStatus
from provider_worker import handlers
from provider_worker.adapters.base import ProviderStatus
from provider_worker.guard import Providers
from provider_worker.policy import ProviderPolicy

from .fakes import UNAVAILABLE, FakeAdapter, error

POLICY = ProviderPolicy(
    concurrency=4, timeout_s=5, rate_per_s=1000, breaker_threshold=2, breaker_open_s=60
)
QUERY = QueryProviderStatus(
    payment_id="pay_1", attempt_id="att_1", provider="fake", provider_reference=None
)


async def ask(adapter: FakeAdapter, query: QueryProviderStatus = QUERY) -> ProviderStatusReported:
    result = await handlers.call(query, Providers.build({"fake": adapter}, POLICY))
    assert isinstance(result, ProviderStatusReported)
    return result


async def test_the_providers_state_is_reported_with_its_amounts() -> None:
    adapter = FakeAdapter()
    adapter.status = ProviderStatus("captured", "pi_9", 2500, "PHP", amount_refunded=700)

    result = await ask(adapter)

    assert (result.outcome, result.provider_reference) == ("captured", "pi_9")
    assert (result.amount, result.currency, result.amount_refunded) == (2500, "PHP", 700)
    assert (result.payment_id, result.attempt_id, result.error) == ("pay_1", "att_1", None)
    assert adapter.sent == [("status", "pay_1", "att_1", None)]


async def test_a_payment_the_provider_does_not_have_is_reported_not_found() -> None:
    result = await ask(FakeAdapter())

    assert (result.outcome, result.provider_reference, result.amount) == ("not_found", None, None)


async def test_a_failed_payment_carries_the_providers_reason() -> None:
    adapter = FakeAdapter()
    declined = error("hard_decline", "card_declined")
    adapter.status = ProviderStatus("failed", "pi_9", 2500, "PHP", error=declined)

    result = await ask(adapter)

    assert (result.outcome, result.error) == ("failed", declined)


async def test_a_provider_that_cannot_be_asked_is_reported_unknown_with_the_reason() -> None:
    result = await ask(FakeAdapter(failure=UNAVAILABLE))

    assert (result.outcome, result.error) == ("unknown", UNAVAILABLE)


async def test_while_the_circuit_is_open_the_query_is_answered_unknown_without_calling() -> None:
    adapter = FakeAdapter(failure=UNAVAILABLE)
    providers = Providers.build({"fake": adapter}, POLICY)
    for _ in range(2):
        await handlers.call(QUERY, providers)

    result = await handlers.call(QUERY, providers)

    assert isinstance(result, ProviderStatusReported)
    assert result.outcome == "unknown"
    assert result.error is not None
    assert result.error.code == "circuit_open"
    assert len(adapter.sent) == 2


async def test_a_provider_this_worker_lacks_is_reported_unknown() -> None:
    result = await ask(FakeAdapter(), QUERY.model_copy(update={"provider": "elsewhere"}))

    assert result.outcome == "unknown"
    assert result.error is not None
    assert result.error.code == "provider_not_configured"


def test_the_worker_handles_status_queries() -> None:
    assert handlers.handles(QUERY)


def test_a_report_that_contradicts_its_outcome_is_refused() -> None:
    with pytest.raises(ValidationError):
        ProviderStatusReported(
            payment_id="pay_1",
            attempt_id="att_1",
            provider="fake",
            outcome="captured",
            latency_ms=1,
        )
    with pytest.raises(ValidationError):
        ProviderStatusReported(
            payment_id="pay_1", attempt_id="att_1", provider="fake", outcome="unknown", latency_ms=1
        )
