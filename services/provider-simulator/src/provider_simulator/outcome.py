"""What one provider operation produced: the response plus its effects on the world."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from provider_simulator.ledger import Movement

Json = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Announcement:
    """A state change the provider announces by webhook: event type and the object it carries."""

    type: str
    object: Json


@dataclass(frozen=True, slots=True)
class Later:
    """A change the provider makes on its own `delay_s` after the request (a pending refund
    settling); `settle` applies it to the provider's state and says what it moved and
    announces. The response part of that Outcome is unused."""

    delay_s: float
    settle: Callable[[], "Outcome"]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    body: Json
    movements: tuple[Movement, ...] = ()
    announcements: tuple[Announcement, ...] = ()
    later: tuple[Later, ...] = ()
