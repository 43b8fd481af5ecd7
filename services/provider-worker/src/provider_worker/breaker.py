"""A circuit breaker per provider: consecutive failures open it, a probe closes it.

- closed: calls go through. Each failure that says the provider is sick adds one
  to `consecutive_failures`; any answer from the provider resets it. At
  `threshold` the circuit opens.
- open: for `open_s` seconds calls that may be refused are refused without
  calling the provider. The first call asked for after that turns it half-open.
- half_open: one call at a time goes through as the probe; while it is out,
  others are refused. Its answer closes the circuit, its failure reopens it for
  another `open_s`.

Calls that must not be refused (`bypass`) still go while the circuit is open and
their answers count as evidence like any other. A call given up (cancelled)
leaves no verdict and frees the probe slot.

Written here rather than taken from purgatory (the asyncio circuit breaker on
PyPI): its half-open state lets every concurrent call through instead of one
probe, and it reads `time.time()` directly, so tests cannot drive its clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from payroute_common.messages.provider_health import CircuitState


@dataclass(frozen=True)
class Ticket:
    """Leave to call the provider once; `probe` when it is the half-open probe."""

    probe: bool = False


CALL = Ticket()
PROBE = Ticket(probe=True)


@dataclass(frozen=True)
class Transition:
    provider: str
    previous: CircuitState
    state: CircuitState
    reason: str
    consecutive_failures: int


class CircuitBreaker:
    def __init__(
        self,
        provider: str,
        *,
        threshold: int,
        open_s: float,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[Transition], None] = lambda _: None,
    ) -> None:
        if threshold < 1 or open_s <= 0:
            raise ValueError("a circuit breaker needs threshold >= 1 and open_s > 0")
        self.provider = provider
        self.threshold = threshold
        self.open_s = open_s
        self.state: CircuitState = "closed"
        self.consecutive_failures = 0
        self.reason = "no failure"
        self._clock = clock
        self._on_change = on_change
        self._opened_at = 0.0
        self._probing = False

    def admit(self) -> Ticket | None:
        """Leave for one call, or None: the circuit refuses it (open, or probing)."""
        if self.state == "open":
            if self.open_for_s() > 0:
                return None
            self._change("half_open", "open period over")
        if self.state == "half_open":
            if self._probing:
                return None
            self._probing = True
            return PROBE
        return CALL

    def bypass(self) -> Ticket:
        """Leave for a call that goes whatever the state (never the probe)."""
        return CALL

    def answered(self, ticket: Ticket) -> None:
        """The provider answered: a success, or a refusal that shows it is up."""
        self._release(ticket)
        if self.state == "open":
            return
        self.consecutive_failures = 0
        if self.state == "half_open":
            self._change("closed", "recovered")

    def failed(self, ticket: Ticket, reason: str) -> None:
        """The call failed in a way that says the provider is sick (`reason`: its code)."""
        self._release(ticket)
        self.consecutive_failures += 1
        self.reason = reason
        if self.state == "half_open" or (
            self.state == "closed" and self.consecutive_failures >= self.threshold
        ):
            self._opened_at = self._clock()
            self._change("open", reason)

    def abandoned(self, ticket: Ticket) -> None:
        """The call ended without an answer to judge by (cancelled)."""
        self._release(ticket)

    def open_for_s(self) -> float:
        """Seconds the circuit stays open; 0 when it is not open."""
        if self.state != "open":
            return 0.0
        return max(0.0, self._opened_at + self.open_s - self._clock())

    def _release(self, ticket: Ticket) -> None:
        if ticket.probe:
            self._probing = False

    def _change(self, state: CircuitState, reason: str) -> None:
        previous, self.state = self.state, state
        if state != "open":
            self.reason = reason
        self._on_change(
            Transition(self.provider, previous, state, reason, self.consecutive_failures)
        )
