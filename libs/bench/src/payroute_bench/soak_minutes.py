"""The soak's open-loop schedule and what its load generator saw, minute by minute.

The schedule is fixed before the load starts: payment `i` starts `i / rate`
seconds after the first, whatever the system answers (open loop), so a slow
system faces the same offered load and a queue, not fewer requests. A start
later than its time is the generator's lag, reported per minute with how many
payments were due (`LATE_MS` ago or longer) but not yet started at the minute's end.

A minute's figures count what happened in it: payments sent, answers received
(latency is the completion latency of the payments answered in the minute) and
errors. The last minute also holds the answers that came while the load drained.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from payroute_bench.latency import percentile
from payroute_bench.load import Outcome

MINUTE_S = 60.0
DEFAULT_RATE = 15.0  # payments/s: this 2-core machine holds it with room to spare
LATE_MS = 250.0  # a start this late means the load generator falls behind its schedule


def payments_scheduled(rate: float, minutes: int) -> int:
    return round(rate * minutes * MINUTE_S)


def start_times(rate: float, total: int) -> Iterator[float]:
    """When each payment starts, in seconds from the first."""
    for i in range(total):
        yield i / rate


def due_by(elapsed_s: float, rate: float, total: int) -> int:
    """How many payments the schedule has started `elapsed_s` seconds in."""
    if elapsed_s < 0:
        return 0
    return min(total, math.floor(elapsed_s * rate + 1e-9) + 1)


def offered_in(minute: int, rate: float, total: int) -> int:
    """How many payments the schedule starts in minute `minute` (from 0)."""
    start, end = minute * MINUTE_S, (minute + 1) * MINUTE_S
    return due_by(end - 1e-9, rate, total) - due_by(start - 1e-9, rate, total)


@dataclass
class Minute:
    sent: int = 0
    lags_ms: list[float] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


class MinuteBook:
    """Starts and answers as they happen, then each minute's figures once it ends."""

    def __init__(self, rate: float, total: int) -> None:
        self.rate = rate
        self.total = total
        self.started = 0
        self.finished = 0
        self.max_lag_ms = 0.0
        self._minutes: dict[int, Minute] = {}

    def _minute(self, minute: int) -> Minute:
        return self._minutes.setdefault(minute, Minute())

    def start(self, minute: int, lag_ms: float) -> None:
        self.started += 1
        self.max_lag_ms = max(self.max_lag_ms, lag_ms)
        entry = self._minute(minute)
        entry.sent += 1
        entry.lags_ms.append(lag_ms)

    def finish(self, minute: int, outcome: Outcome) -> None:
        self.finished += 1
        self._minute(minute).outcomes.append(outcome)

    def close(self, minute: int, seconds: float, elapsed_s: float) -> dict[str, object]:
        """Minute `minute`'s figures (it lasted `seconds`, and ended `elapsed_s` into the
        schedule), forgetting its samples."""
        entry = self._minutes.pop(minute, Minute())
        answered = [o for o in entry.outcomes if o.status is not None]
        errors = [o.error for o in entry.outcomes if o.error is not None]
        statuses: dict[str, int] = {}
        for outcome in answered:
            assert outcome.status is not None
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        latencies = [o.complete_ms for o in answered if o.complete_ms is not None]
        return {
            "minute": minute + 1,
            "seconds": round(seconds, 1),
            "offered_per_s": round(offered_in(minute, self.rate, self.total) / seconds, 2),
            "sent": entry.sent,
            "achieved_per_s": round(statuses.get("captured", 0) / seconds, 2),
            "answered": len(answered),
            "statuses": statuses,
            "p50_ms": _rounded(percentile(latencies, 0.50)),
            "p99_ms": _rounded(percentile(latencies, 0.99)),
            "errors": len(errors),
            "first_error": errors[0] if errors else None,
            "lag_p99_ms": _rounded(percentile(entry.lags_ms, 0.99)),
            "lag_max_ms": _rounded(max(entry.lags_ms, default=math.nan)),
            "behind": max(
                0, due_by(elapsed_s - LATE_MS / 1000, self.rate, self.total) - self.started
            ),
            "in_flight": self.started - self.finished,
        }


def _rounded(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 1)
