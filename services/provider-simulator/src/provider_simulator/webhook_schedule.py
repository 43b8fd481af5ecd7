"""When and in what order one request's webhooks go out, as the scenario asks. Pure.

- `webhook_reorder`: the request's webhooks are handed over last first, so a consumer sees,
  say, `refund.created` before `charge.refunded`.
- `webhook_delay_ms`: every delivery waits that long.
- `webhook_jitter_ms`: each delivery (each duplicate too) waits a further uniform
  `[0, jitter)`, drawn on its own, so deliveries overtake each other, across requests too.
- `webhook_duplicates`: each webhook is sent that many extra times.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from provider_simulator.scenarios import Scenario

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Scheduled(Generic[T]):
    delivery: T
    delay_s: float


def schedule(deliveries: Sequence[T], scenario: Scenario, rng: random.Random) -> list[Scheduled[T]]:
    if not scenario.webhooks:
        return []
    ordered = list(reversed(deliveries)) if scenario.webhook_reorder else list(deliveries)
    planned = []
    for delivery in ordered:
        for _ in range(1 + scenario.webhook_duplicates):
            delay_ms = float(scenario.webhook_delay_ms)
            if scenario.webhook_jitter_ms:
                delay_ms += rng.uniform(0, scenario.webhook_jitter_ms)
            planned.append(Scheduled(delivery, delay_ms / 1000))
    return planned
