"""What one provider operation produced: the response plus its effects on the world."""

from collections.abc import Mapping
from dataclasses import dataclass

from provider_simulator.ledger import Movement

Json = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Announcement:
    """A state change the provider announces by webhook: event type and the object it carries."""

    type: str
    object: Json


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    body: Json
    movements: tuple[Movement, ...] = ()
    announcements: tuple[Announcement, ...] = ()
