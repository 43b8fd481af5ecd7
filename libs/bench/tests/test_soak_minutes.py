"""The soak's open-loop schedule and its per-minute figures."""

import itertools
import math

import pytest

from payroute_bench.load import Outcome
from payroute_bench.soak_minutes import (
    MinuteBook,
    due_by,
    offered_in,
    payments_scheduled,
    start_times,
)


def test_the_schedule_spaces_starts_evenly_whatever_the_answers() -> None:
    total = payments_scheduled(15, 2)
    times = list(start_times(15, total))
    assert total == 1800
    assert times[:3] == pytest.approx([0, 1 / 15, 2 / 15])
    assert times[-1] == pytest.approx(120 - 1 / 15)
    assert all(b - a == pytest.approx(1 / 15) for a, b in itertools.pairwise(times))


@pytest.mark.parametrize("rate", [15, 10, 7.5, 1 / 7, 333.3])
def test_every_payment_is_offered_in_exactly_one_minute(rate: float) -> None:
    total = payments_scheduled(rate, 3)
    per_minute = [offered_in(m, rate, total) for m in range(3)]
    assert sum(per_minute) == total
    times = list(start_times(rate, total))
    assert per_minute == [sum(1 for t in times if m * 60 <= t < (m + 1) * 60) for m in range(3)]


def test_due_by_counts_the_starts_reached() -> None:
    assert due_by(-0.5, 10, 100) == 0
    assert due_by(0, 10, 100) == 1  # the first starts at once
    assert due_by(0.95, 10, 100) == 10
    assert due_by(1.0, 10, 100) == 11
    assert due_by(3600, 10, 100) == 100


def captured(ms: float) -> Outcome:
    return Outcome(accept_ms=ms, complete_ms=ms, status="captured")


def test_a_minute_counts_what_happened_in_it_and_forgets_it() -> None:
    book = MinuteBook(rate=2, total=240)
    for lag in [1.0] * 101 + [2.0, 400.0]:
        book.start(0, lag)
    for ms in range(1, 101):
        book.finish(0, captured(float(ms)))
    book.finish(0, Outcome(accept_ms=5, error="create 503: down"))
    book.finish(0, Outcome(accept_ms=9, complete_ms=9, status="processing"))
    book.finish(1, captured(1000))  # answered in the next minute: not in this one

    figures = book.close(0, seconds=60, elapsed_s=60)

    assert figures["minute"] == 1
    assert figures["offered_per_s"] == 2.0
    assert figures["sent"] == 103
    assert figures["achieved_per_s"] == round(100 / 60, 2)
    assert figures["statuses"] == {"captured": 100, "processing": 1}
    assert (figures["p50_ms"], figures["p99_ms"]) == (50.0, 99.0)
    assert (figures["errors"], figures["first_error"]) == (1, "create 503: down")
    assert figures["lag_max_ms"] == 400.0
    assert figures["behind"] == 120 - 103  # due 250 ms before the end, 0 s included
    assert figures["in_flight"] == 0
    assert book.close(1, seconds=60, elapsed_s=120)["p50_ms"] == 1000.0

    again = book.close(0, seconds=60, elapsed_s=60)
    assert again["answered"] == 0
    assert again["p50_ms"] is None
    assert again["lag_max_ms"] is None


def test_the_last_minute_divides_by_its_longer_time_with_the_drain() -> None:
    book = MinuteBook(rate=1, total=60)
    for _ in range(60):
        book.start(0, 0.0)
        book.finish(0, captured(10))
    figures = book.close(0, seconds=80, elapsed_s=80)
    assert figures["offered_per_s"] == 0.75
    assert figures["achieved_per_s"] == 0.75
    assert figures["behind"] == 0
    assert figures["in_flight"] == 0
    assert not math.isnan(figures["p50_ms"])


def test_a_start_due_this_instant_is_not_behind() -> None:
    book = MinuteBook(rate=10, total=1200)
    for _ in range(600):
        book.start(0, 0.5)
    # At 60.01 s payment 600 (due at 60 s) is not out yet: on time, not behind.
    figures = book.close(0, seconds=60, elapsed_s=60.01)
    assert figures["behind"] == 0
    assert book.close(1, seconds=60, elapsed_s=60.5)["behind"] == 3
