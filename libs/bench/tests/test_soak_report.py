"""The soak's per-minute records and its first-against-last comparison."""

from typing import Any

import pytest

from payroute_bench.process_samples import Sample
from payroute_bench.soak_report import compare, comparison_lines, minute_line, minute_record

PAYROUTE = {"gateway-api", "orchestrator"}


def minute(
    n: int, captured: int, p50: float, broker_cpu_s: float, rss: float, **extra: Any
) -> dict[str, Any]:
    return {
        "minute": n,
        "seconds": 60.0,
        "offered_per_s": 10.0,
        "achieved_per_s": captured / 60,
        "sent": 600,
        "statuses": {"captured": captured},
        "p50_ms": p50,
        "p99_ms": p50 * 2,
        "errors": 0,
        "lag_max_ms": 1.0,
        "behind": 0,
        "cpu_s": {"broker": broker_cpu_s, "gateway-api": 3.0, "orchestrator": 1.2},
        "cpu_ms_per_payment": {"broker": broker_cpu_s * 1000 / 600},
        "rss_mb": {"broker": rss, "gateway-api": 100.0},
        **extra,
    }


def test_a_minute_record_holds_each_process_cpu_per_payment_and_rss() -> None:
    before = {"broker": Sample(10.0, 50.0), "gateway-api": Sample(5.0, 90.0)}
    after = {
        "broker": Sample(10.6, 52.5),
        "gateway-api": Sample(7.4, 91.0),
        "late-comer": Sample(1.0, 10.0),
    }
    record = minute_record({"sent": 600}, before, after)
    assert record["cpu_s"] == {"broker": 0.6, "gateway-api": 2.4}
    assert record["cpu_ms_per_payment"] == {"broker": 1.0, "gateway-api": 4.0}
    assert record["rss_mb"] == {"broker": 52.5, "gateway-api": 91.0, "late-comer": 10.0}
    assert minute_record({"sent": 0}, before, after)["cpu_ms_per_payment"]["broker"] is None


def test_first_five_minutes_against_last_five() -> None:
    # Ten minutes: the first five steady, the last five slower, the broker costlier,
    # its memory growing every minute.
    minutes = [minute(n, 600, 50.0, 0.6, 100.0 + n) for n in range(1, 6)]
    minutes += [minute(n, 540, 60.0, 0.9, 100.0 + n) for n in range(6, 11)]
    minutes[2]["p50_ms"] = 500.0  # one odd minute does not move the median

    comparison = compare(minutes, "broker", PAYROUTE)

    assert comparison["window_minutes"] == 5
    assert comparison["payments_per_s"] == {"first": 10.0, "last": 9.0, "change_pct": -10.0}
    assert comparison["p50_ms"] == {"first": 50.0, "last": 60.0, "change_pct": 20.0}
    assert comparison["broker_cpu_ms_per_payment"] == {
        "first": 1.0,
        "last": 1.5,
        "change_pct": 50.0,
    }
    assert comparison["payroute_cpu_ms_per_payment"]["change_pct"] == 0.0
    assert comparison["rss_mb"]["broker"] == {"first": 101.0, "last": 110.0, "max": 110.0}
    assert comparison["rss_mb"]["gateway-api"] == {"first": 100.0, "last": 100.0, "max": 100.0}
    text = "\n".join(comparison_lines(comparison))
    assert "first 5 against last 5 minute(s)" in text
    assert "(-10.0 %)" in text
    assert "(+50.0 %)" in text


@pytest.mark.parametrize(("count", "window"), [(1, 1), (2, 1), (3, 1), (7, 3), (30, 5)])
def test_a_short_run_compares_its_halves(count: int, window: int) -> None:
    minutes = [minute(n, 600, 50.0, 0.6, 100.0) for n in range(1, count + 1)]
    assert compare(minutes, "broker", PAYROUTE)["window_minutes"] == window


def test_without_a_broker_process_its_change_is_unknown() -> None:
    minutes = [minute(n, 600, 50.0, 0.6, 100.0) for n in range(1, 3)]
    for m in minutes:
        del m["cpu_s"]["broker"]
    figures = compare(minutes, "broker", PAYROUTE)["broker_cpu_ms_per_payment"]
    assert figures == {"first": None, "last": None, "change_pct": None}


def test_a_minute_line_warns_when_the_load_fell_behind() -> None:
    steady = minute(1, 600, 50.0, 0.6, 100.0)
    assert "BEHIND" not in minute_line(steady)
    assert "broker 1.00/100" in minute_line(steady)
    late = minute(2, 600, 50.0, 0.6, 100.0, lag_max_ms=900.0, behind=12)
    assert "LOAD BEHIND SCHEDULE: 12 due not sent, lag up to 900 ms" in minute_line(late)
