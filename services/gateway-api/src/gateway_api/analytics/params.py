"""Analytics request parameters: parsed and checked here, refused with the parameter's name.

Figures are kept per hour of a payment's creation (UTC), so a range is whole hours:

- `from` (inclusive) and `to` are an ISO 8601 date (`2025-03-01`) or date-time on
  the hour (`2025-03-01T08:00:00+08:00`; no offset means UTC);
- a date `to` includes that whole day; a date-time `to` is exclusive;
- without `to`: up to the end of the current hour; without `from`: 30 days before `to`;
- `from` must come before `to`, and the range may not exceed the configured maximum.

Pure: no I/O; `now` is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, get_args

from gateway_api.domain import InvalidRequest

GroupBy = Literal["provider", "method", "currency", "day"]
Format = Literal["json", "csv"]
GROUP_BYS: tuple[str, ...] = get_args(GroupBy)
FORMATS: tuple[str, ...] = get_args(Format)
DEFAULT_RANGE = timedelta(days=30)
CSV_MEDIA_TYPE = "text/csv"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class TimeRange:
    """[start, end), both on the hour, UTC."""

    start: datetime
    end: datetime


def _moment(value: str, param: str, *, end: bool) -> datetime:
    try:
        if len(value) == len("YYYY-MM-DD"):
            day = date.fromisoformat(value)
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return midnight + DAY if end else midnight
        moment = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        raise InvalidRequest(
            f"Invalid {param}: {value!r} is not an ISO 8601 date (2025-03-01) or date-time "
            "(2025-03-01T08:00:00Z).",
            param=param,
        ) from None
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    if moment.minute or moment.second or moment.microsecond:
        raise InvalidRequest(
            f"Invalid {param}: figures are kept per hour; give a time on the hour "
            f"(e.g. {moment:%Y-%m-%dT%H}:00:00Z).",
            param=param,
        )
    return moment


def end_of_hour(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + HOUR


def time_range(start: str | None, end: str | None, *, now: datetime, max_days: int) -> TimeRange:
    """The range the caller asked for, or 400 naming `from` or `to`."""
    end_at = _moment(end, "to", end=True) if end else end_of_hour(now)
    start_at = _moment(start, "from", end=False) if start else end_at - DEFAULT_RANGE
    if start_at >= end_at:
        raise InvalidRequest("Invalid from: it must be before to.", param="from")
    if end_at - start_at > timedelta(days=max_days):
        raise InvalidRequest(
            f"Invalid to: the range from {start_at:%Y-%m-%dT%H:%M:%SZ} to "
            f"{end_at:%Y-%m-%dT%H:%M:%SZ} is longer than {max_days} days.",
            param="to",
        )
    return TimeRange(start_at, end_at)


def group_by(value: str | None) -> GroupBy:
    chosen = value or "provider"
    if chosen not in GROUP_BYS:
        raise InvalidRequest(
            f"Invalid group_by: {chosen!r}; use one of {', '.join(GROUP_BYS)}.",
            param="group_by",
        )
    return chosen  # type: ignore[return-value]  # checked just above


def answer_format(value: str | None, accept: str | None) -> Format:
    """`format` when given, else CSV when the Accept header asks for it, else JSON."""
    if value is None:
        wanted = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
        return "csv" if CSV_MEDIA_TYPE in wanted else "json"
    if value not in FORMATS:
        raise InvalidRequest(
            f"Invalid format: {value!r}; use one of {', '.join(FORMATS)}.", param="format"
        )
    return value  # type: ignore[return-value]  # checked just above


def covering_periods(span: TimeRange) -> list[tuple[str, datetime, datetime]]:
    """(grain, start, end) pieces covering `span`: whole UTC days, plus hours at the edges."""
    first_day = span.start.replace(hour=0)
    if first_day < span.start:
        first_day += DAY
    last_day = span.end.replace(hour=0)
    if first_day >= last_day:
        return [("hour", span.start, span.end)]
    pieces = [("hour", span.start, first_day), ("day", first_day, last_day)]
    pieces.append(("hour", last_day, span.end))
    return [(grain, a, b) for grain, a, b in pieces if a < b]
