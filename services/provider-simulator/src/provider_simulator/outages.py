"""Outage windows: stretches of time, relative to when they were set, when a provider is down."""

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class OutageWindow(BaseModel):
    """Down from `start_s` until (not including) `end_s` seconds after the scenario was set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_s: float = Field(ge=0, le=86_400)
    end_s: float = Field(gt=0, le=86_400)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_s <= self.start_s:
            msg = "end_s must be after start_s"
            raise ValueError(msg)
        return self

    def contains(self, elapsed_s: float) -> bool:
        return self.start_s <= elapsed_s < self.end_s


def in_any(windows: tuple[OutageWindow, ...], since: datetime | None, now: datetime) -> bool:
    """Whether `now` falls in one of the windows counted from `since` (when they were set)."""
    if not windows or since is None:
        return False
    elapsed_s = (now - since).total_seconds()
    return any(window.contains(elapsed_s) for window in windows)
