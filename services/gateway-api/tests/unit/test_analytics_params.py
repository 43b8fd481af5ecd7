"""Analytics parameters, whose figures a key gets, the rows' arithmetic and the CSV form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway_api.analytics import params
from gateway_api.analytics.csv_writer import to_csv
from gateway_api.analytics.facts import Figures
from gateway_api.analytics.handlers import scope
from gateway_api.analytics.report import GroupFigures, payments_row, quantile_ms
from gateway_api.domain import InvalidRequest, PermissionDenied, Principal

NOW = datetime(2025, 3, 10, 14, 25, tzinfo=UTC)


def span(start: str | None, end: str | None, max_days: int = 366) -> params.TimeRange:
    return params.time_range(start, end, now=NOW, max_days=max_days)


def test_dates_cover_whole_days_and_date_times_are_exclusive_ends() -> None:
    assert span("2025-03-01", "2025-03-01") == params.TimeRange(
        datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
    )
    assert span("2025-03-01T08:00:00+08:00", "2025-03-01T10:00:00") == params.TimeRange(
        datetime(2025, 3, 1, 0, tzinfo=UTC), datetime(2025, 3, 1, 10, tzinfo=UTC)
    )


def test_defaults_are_the_30_days_up_to_the_end_of_this_hour() -> None:
    assert span(None, None) == params.TimeRange(
        datetime(2025, 2, 8, 15, tzinfo=UTC), datetime(2025, 3, 10, 15, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("start", "end", "max_days", "param"),
    [
        ("2025-02-30", None, 366, "from"),
        ("2025-03-01", "next week", 366, "to"),
        ("2025-03-01T10:15:00Z", "2025-03-02", 366, "from"),
        ("2025-03-02", "2025-03-01", 366, "from"),
        ("2025-03-01T10:00:00Z", "2025-03-01T10:00:00Z", 366, "from"),
        ("2025-01-01", "2025-03-01", 31, "to"),
        ("9999-12-31", "9999-12-31", 366, "to"),
    ],
)
def test_bad_ranges_name_their_parameter(
    start: str, end: str | None, max_days: int, param: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        span(start, end, max_days)
    assert refused.value.param == param


def test_group_by_and_format() -> None:
    assert params.group_by(None) == "provider"
    assert params.group_by("day") == "day"
    with pytest.raises(InvalidRequest, match="group_by"):
        params.group_by("merchant")
    assert params.answer_format(None, "text/html, text/csv;q=0.9") == "csv"
    assert params.answer_format(None, "application/json") == "json"
    assert params.answer_format("json", "text/csv") == "json"
    with pytest.raises(InvalidRequest, match="format"):
        params.answer_format("xlsx", None)


def test_a_range_is_whole_days_plus_edge_hours() -> None:
    pieces = params.covering_periods(
        params.TimeRange(datetime(2025, 3, 1, 22, tzinfo=UTC), datetime(2025, 3, 4, 3, tzinfo=UTC))
    )
    assert [(g, a.day, a.hour, b.day, b.hour) for g, a, b in pieces] == [
        ("hour", 1, 22, 2, 0),
        ("day", 2, 0, 4, 0),
        ("hour", 4, 0, 4, 3),
    ]
    within_a_day = params.TimeRange(
        datetime(2025, 3, 1, 2, tzinfo=UTC), datetime(2025, 3, 1, 5, tzinfo=UTC)
    )
    assert [g for g, _, _ in params.covering_periods(within_a_day)] == ["hour"]


def test_merchant_keys_get_their_own_figures_admin_keys_any() -> None:
    merchant = Principal("key_1", "mch_1", "merchant")
    admin = Principal("key_2", "mch_9", "admin")
    assert scope(merchant, None) == "mch_1"
    assert scope(Principal("key_3", "mch_1", "operator"), "mch_1") == "mch_1"
    assert scope(admin, None) is None
    assert scope(admin, "mch_1") == "mch_1"
    with pytest.raises(PermissionDenied):
        scope(merchant, "mch_2")


def test_quantiles_interpolate_within_their_bucket() -> None:
    assert quantile_ms((0,) * 14, 0.95) is None
    only_first = (10,) + (0,) * 13
    assert quantile_ms(only_first, 0.95) == 95  # 0..100 ms, 95% of the way
    above_all = (0,) * 13 + (1,)
    assert quantile_ms(above_all, 0.95) == 86_400_000


def test_a_row_without_decided_payments_has_no_rate_or_times() -> None:
    row = payments_row(GroupFigures("stripe", "PHP", Figures(payments=3)))
    assert (row.count, row.success_rate, row.avg_processing_ms, row.p95_processing_ms) == (
        3,
        None,
        None,
        None,
    )


def test_csv_has_a_header_and_defuses_formulas() -> None:
    text = to_csv(
        ["group", "count", "rate", "none"],
        [{"group": "=cmd()", "count": -5, "rate": 0.25, "none": None}],
    )
    assert text == "group,count,rate,none\r\n'=cmd(),-5,0.25,\r\n"
