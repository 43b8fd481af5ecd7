"""Every provider call goes through its provider's guard: concurrency limit, circuit
breaker, rate limit and deadline, in that order, with metrics.

A call waits for a concurrency slot, then asks the circuit breaker (a refused call
fails at once with `provider_unavailable`/`circuit_open`, the provider not
called), then waits for the rate limit, then runs under the policy's deadline (a
call past it fails with `timeout`: the outcome is unknown). Its answer is judged
for the breaker: failures in SICK say the provider is unwell; an invalid request
says nothing either way (adapters refuse some without calling the provider); any
other answer, declines included, shows it is up. The health check's request is
built so that every answer, a refusal included, shows the provider up.

Credentials are judged apart from the breaker: an `authentication` answer (401/403)
marks the provider `misconfigured` (it is up, but refuses our key: nothing we send
can succeed); the next answer that shows the key accepted (a success, a decline, the
health check's refusal) clears it. Calls still go while it is misconfigured, so any
of them, or the scheduled health check, shows the fix.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiolimiter import AsyncLimiter

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory
from provider_worker import metrics
from provider_worker.adapters.base import ProviderAdapter, ProviderFailure
from provider_worker.breaker import CircuitBreaker, Ticket, Transition
from provider_worker.policy import ProviderPolicy

T = TypeVar("T")

SICK: frozenset[ErrorCategory] = frozenset({"provider_unavailable", "timeout"})
HEALTH_CHECK = "health_check"

# Called after each change of a provider's state: with the breaker's transition, or
# with None when the provider became misconfigured or recovered from it.
OnChange = Callable[["ProviderGuard", Transition | None], None]
# Answers that show the provider accepted our credentials.
KEY_ACCEPTED: frozenset[ErrorCategory] = frozenset({"hard_decline", "soft_decline"})


class ProviderGuard:
    """One provider's adapter behind its policy."""

    def __init__(
        self,
        adapter: ProviderAdapter,
        policy: ProviderPolicy,
        *,
        on_change: OnChange = lambda _guard, _change: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = adapter.name
        # The provider's refusal of our credentials (`authentication: <code>`) while it
        # lasts; None while they are accepted (or not yet tried).
        self.misconfigured: str | None = None
        self.adapter = adapter
        self.policy = policy
        self._on_change = on_change
        self.breaker = CircuitBreaker(
            adapter.name,
            threshold=policy.breaker_threshold,
            open_s=policy.breaker_open_s,
            clock=clock,
            on_change=self._changed,
        )
        self._slots = asyncio.Semaphore(policy.concurrency)
        # aiolimiter takes whole calls per period: below one call a second the
        # period grows instead (0.5/s is 1 call per 2 s).
        burst = max(1.0, policy.rate_per_s)
        self._rate = AsyncLimiter(burst, burst / policy.rate_per_s)
        self._show()

    async def call(
        self, operation: str, send: Callable[[], Awaitable[T]], *, refusable: bool = True
    ) -> T:
        """`send()` under this provider's limits; raises ProviderFailure. With
        `refusable` False the call goes even while the circuit is open."""
        async with self._slots:
            ticket = self.breaker.admit() if refusable else self.breaker.bypass()
            if ticket is None:
                metrics.count_call(self.name, operation, "circuit_open", None)
                raise ProviderFailure(self._circuit_open())
            return await self._send(operation, send, ticket)

    async def check_health(self) -> None:
        """One cheap call, judged like any other; a refused or failed one is not raised."""
        try:
            await self.call(HEALTH_CHECK, self.adapter.health_check)
        except ProviderFailure:
            return

    async def _send(self, operation: str, send: Callable[[], Awaitable[T]], ticket: Ticket) -> T:
        started = time.perf_counter()
        try:
            await self._wait_for_rate()
            started = time.perf_counter()
            deadline = asyncio.timeout(self.policy.timeout_s)
            try:
                async with deadline:
                    answer = await send()
            except TimeoutError:
                if not deadline.expired():
                    raise
                raise ProviderFailure(self._deadline_passed()) from None
        except ProviderFailure as failure:
            self._judge(ticket, failure.error, operation)
            metrics.count_call(
                self.name, operation, failure.error.category, time.perf_counter() - started
            )
            raise
        except Exception:
            self.breaker.abandoned(ticket)
            metrics.count_call(self.name, operation, "adapter_error", time.perf_counter() - started)
            raise
        except BaseException:
            self.breaker.abandoned(ticket)
            raise
        self.breaker.answered(ticket)
        self._credentials_accepted()
        metrics.count_call(
            self.name, operation, metrics.answered(answer), time.perf_counter() - started
        )
        self._show()
        return answer

    async def _wait_for_rate(self) -> None:
        if not self._rate.has_capacity():
            metrics.RATE_LIMITED.labels(provider=self.name).inc()
        await self._rate.acquire()

    def _judge(self, ticket: Ticket, error: ProviderError, operation: str) -> None:
        if error.category in SICK:
            self.breaker.failed(ticket, error.code)
        elif error.category == "invalid_request" and operation != HEALTH_CHECK:
            self.breaker.abandoned(ticket)
        else:
            self.breaker.answered(ticket)
        if error.category == "authentication":
            self._credentials_refused(error)
        elif error.category in KEY_ACCEPTED or (
            error.category == "invalid_request" and operation == HEALTH_CHECK
        ):
            self._credentials_accepted()
        self._show()

    def _credentials_refused(self, error: ProviderError) -> None:
        first = self.misconfigured is None
        self.misconfigured = f"authentication: {error.code}"[:200]
        if first:
            self._show()
            self._on_change(self, None)

    def _credentials_accepted(self) -> None:
        if self.misconfigured is not None:
            self.misconfigured = None
            self._show()
            self._on_change(self, None)

    def _show(self) -> None:
        breaker = self.breaker
        metrics.show_circuit(self.name, breaker.state, breaker.consecutive_failures)
        metrics.show_up(self.name, self.misconfigured is None and breaker.state != "open")

    def _changed(self, transition: Transition) -> None:
        metrics.CIRCUIT_TRANSITIONS.labels(provider=self.name, state=transition.state).inc()
        self._show()
        self._on_change(self, transition)

    def _circuit_open(self) -> ProviderError:
        breaker = self.breaker
        why = f"{breaker.consecutive_failures} consecutive failures, last {breaker.reason}"
        state = "half-open (a probe is in flight)" if breaker.state == "half_open" else "open"
        return ProviderError(
            category="provider_unavailable",
            code="circuit_open",
            message=f"{self.name}'s circuit is {state} after {why}; the provider was not called",
        )

    def _deadline_passed(self) -> ProviderError:
        return ProviderError(
            category="timeout",
            code="worker_timeout",
            message=f"no answer from {self.name} within {self.policy.timeout_s:g} s",
        )


@dataclass(frozen=True)
class Providers:
    """The guarded adapters this worker runs, by provider name."""

    guards: dict[str, ProviderGuard]

    @classmethod
    def build(
        cls,
        adapters: dict[str, ProviderAdapter],
        policy: ProviderPolicy | Callable[[str], ProviderPolicy],
        *,
        on_change: OnChange = lambda _guard, _change: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Providers:
        def policy_of(name: str) -> ProviderPolicy:
            return policy if isinstance(policy, ProviderPolicy) else policy(name)

        return cls(
            {
                name: ProviderGuard(adapter, policy_of(name), on_change=on_change, clock=clock)
                for name, adapter in adapters.items()
            }
        )

    def get(self, provider: str) -> ProviderGuard | None:
        return self.guards.get(provider)
