"""A provider adapter that answers as told, a clock tests move by hand, and the policy and
operation commands the handler tests send through them."""

from __future__ import annotations

import asyncio

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    ProviderError,
    RefundCharge,
    VoidAuthorization,
)
from provider_worker.adapters.base import (
    Authorization,
    OperationResult,
    ProviderFailure,
    ProviderStatus,
)
from provider_worker.policy import ProviderPolicy

POLICY = ProviderPolicy(
    concurrency=4, timeout_s=5, rate_per_s=1000, breaker_threshold=3, breaker_open_s=60
)
OPERATIONS = {
    "capture": CaptureAuthorization(
        payment_id="pay_1",
        operation_id="op_1",
        provider="fake",
        provider_reference="pi_1",
        amount=1500,
        currency="PHP",
    ),
    "void": VoidAuthorization(
        payment_id="pay_1", operation_id="op_1", provider="fake", provider_reference="pi_1"
    ),
    "refund": RefundCharge(
        payment_id="pay_1",
        operation_id="op_1",
        provider="fake",
        provider_reference="pi_1",
        amount=700,
        currency="PHP",
    ),
}


def error(category: str, code: str = "some_code") -> ProviderError:
    return ProviderError(category=category, code=code, message="no")  # type: ignore[arg-type]


UNAVAILABLE = error("provider_unavailable", "api_error")
DECLINED = error("hard_decline", "card_declined")


class FakeAdapter:
    """Answers every call with `failure` when set, else succeeds; records what it was
    sent. While `gate` is set and not open, calls wait for it."""

    def __init__(self, name: str = "fake", failure: ProviderError | None = None) -> None:
        self.name = name
        self.failure = failure
        self.status: ProviderStatus | None = None
        self.sent: list[object] = []
        self.gate: asyncio.Event | None = None
        self.in_flight = 0
        self.most_in_flight = 0

    async def _answer(self, command: object) -> None:
        self.sent.append(command)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
        finally:
            self.in_flight -= 1
        if self.failure is not None:
            raise ProviderFailure(self.failure)

    async def authorize(self, command: AuthorizePayment) -> Authorization:
        await self._answer(command)
        return Authorization("authorized", "pi_1", command.amount, command.currency)

    async def capture(self, command: CaptureAuthorization) -> OperationResult:
        await self._answer(command)
        return OperationResult(command.provider_reference, command.amount, "PHP")

    async def void(self, command: VoidAuthorization) -> OperationResult:
        await self._answer(command)
        return OperationResult(command.provider_reference, 2500, "PHP")

    async def refund(self, command: RefundCharge) -> OperationResult:
        await self._answer(command)
        return OperationResult("re_1", command.amount, "PHP")

    async def get_status(
        self, payment_id: str, attempt_id: str, provider_reference: str | None
    ) -> ProviderStatus | None:
        await self._answer(("status", payment_id, attempt_id, provider_reference))
        return self.status

    async def health_check(self) -> None:
        await self._answer("health_check")

    async def close(self) -> None:
        return None


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
