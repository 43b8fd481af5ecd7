"""What `make soak` prints: a line per minute, then the first minutes against the last.

A minute's record is the load generator's figures (`payroute_bench.soak_minutes`)
with each process's CPU over the minute (`cpu_s`), that per payment sent in it
(`cpu_ms_per_payment`) and its RSS at the minute's end (`rss_mb`). The comparison
takes the first and the last `WINDOW` minutes (half the run each when shorter):
payments/s (captured over the windows' seconds), p50 (the median of the minutes'
p50), CPU per payment of the broker and of Payroute's services (CPU over the
windows per payment sent in them), and per process the RSS of the first minute,
of the last and the most seen.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from payroute_bench.process_samples import Sample, cpu_ms_per_payment
from payroute_bench.soak_minutes import LATE_MS

WINDOW = 5
HEADER = (
    "min offered/s achieved/s p50 ms p99 ms errors lag ms  per process: CPU ms per payment/RSS MB"
)

Minute = dict[str, Any]


def minute_record(
    figures: Mapping[str, Any], before: Mapping[str, Sample], after: Mapping[str, Sample]
) -> Minute:
    """The load generator's figures for a minute, with what each process spent in it."""
    return {
        **figures,
        "cpu_s": {n: round(s.cpu_s - before[n].cpu_s, 3) for n, s in after.items() if n in before},
        "cpu_ms_per_payment": cpu_ms_per_payment(before, after, figures["sent"]),
        "rss_mb": {name: sample.rss_mb for name, sample in after.items()},
    }


def behind_note(minute: Mapping[str, Any]) -> str:
    """A warning when the load generator did not keep to its schedule, else ''."""
    lag = minute["lag_max_ms"] or 0.0
    if minute["behind"] or lag > LATE_MS:
        return f"  LOAD BEHIND SCHEDULE: {minute['behind']} due not sent, lag up to {lag:.0f} ms"
    return ""


def minute_line(minute: Mapping[str, Any]) -> str:
    processes = " ".join(
        f"{name} {_figure(ms, '.2f')}/{minute['rss_mb'].get(name, 0):.0f}"
        for name, ms in minute["cpu_ms_per_payment"].items()
    )
    return (
        f"{minute['minute']:>3} {minute['offered_per_s']:>9.2f} {minute['achieved_per_s']:>10.2f}"
        f" {_figure(minute['p50_ms'], '.1f'):>6} {_figure(minute['p99_ms'], '.1f'):>6}"
        f" {minute['errors']:>6} {_figure(minute['lag_max_ms'], '.0f'):>6}  {processes}"
        f"{behind_note(minute)}{'  (broker rotated)' if minute.get('rotations') else ''}"
    )


def windows(minutes: Sequence[Minute]) -> tuple[Sequence[Minute], Sequence[Minute]]:
    """The first and the last minutes compared: `WINDOW` each, half the run when shorter."""
    size = min(WINDOW, max(1, len(minutes) // 2))
    return minutes[:size], minutes[-size:]


def payments_per_s(window: Sequence[Minute]) -> float:
    seconds = sum(m["seconds"] for m in window)
    return sum(m["statuses"].get("captured", 0) for m in window) / seconds if seconds else 0.0


def p50_ms(window: Sequence[Minute]) -> float | None:
    p50s = [m["p50_ms"] for m in window if m["p50_ms"] is not None]
    return statistics.median(p50s) if p50s else None


def cpu_per_payment(window: Sequence[Minute], processes: Collection[str]) -> float | None:
    """CPU ms of these processes per payment sent over the window; None if none ran."""
    sent = sum(m["sent"] for m in window)
    spent = [m["cpu_s"][n] for m in window for n in processes if n in m["cpu_s"]]
    return sum(spent) * 1000 / sent if sent and spent else None


def change(first: float | None, last: float | None) -> dict[str, float | None]:
    percent = (last - first) / first * 100 if first and last is not None else None
    return {
        "first": _round(first, 2),
        "last": _round(last, 2),
        "change_pct": _round(percent, 1),
    }


def compare(minutes: Sequence[Minute], broker: str, payroute: Collection[str]) -> dict[str, Any]:
    """The first minutes against the last (see the module's docstring)."""
    first, last = windows(minutes)
    names = dict.fromkeys(n for m in minutes for n in m["rss_mb"])
    return {
        "window_minutes": len(first),
        "payments_per_s": change(payments_per_s(first), payments_per_s(last)),
        "p50_ms": change(p50_ms(first), p50_ms(last)),
        "broker_cpu_ms_per_payment": change(
            cpu_per_payment(first, [broker]), cpu_per_payment(last, [broker])
        ),
        "payroute_cpu_ms_per_payment": change(
            cpu_per_payment(first, payroute), cpu_per_payment(last, payroute)
        ),
        "rss_mb": {
            name: {
                "first": minutes[0]["rss_mb"].get(name),
                "last": minutes[-1]["rss_mb"].get(name),
                "max": max(m["rss_mb"].get(name, 0.0) for m in minutes),
            }
            for name in names
        },
    }


def comparison_lines(comparison: Mapping[str, Any]) -> list[str]:
    size = comparison["window_minutes"]
    lines = [f"first {size} against last {size} minute(s):"]
    for key, label in (
        ("payments_per_s", "payments/s"),
        ("p50_ms", "p50 ms"),
        ("broker_cpu_ms_per_payment", "broker CPU ms/payment"),
        ("payroute_cpu_ms_per_payment", "Payroute CPU ms/payment"),
    ):
        figures = comparison[key]
        lines.append(
            f"  {label:<24} {_figure(figures['first'], '.2f'):>9} -> "
            f"{_figure(figures['last'], '.2f'):>9}  ({_figure(figures['change_pct'], '+.1f')} %)"
        )
    lines.append(f"  {'RSS MB':<24} {'first':>9}    {'last':>9}  {'max':>9}")
    for name, rss in comparison["rss_mb"].items():
        lines.append(
            f"  {name:<24} {_figure(rss['first'], '.1f'):>9}    "
            f"{_figure(rss['last'], '.1f'):>9}  {rss['max']:>9.1f}"
        )
    return lines


def _figure(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
