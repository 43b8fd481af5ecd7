"""What each service does with Kafka, read from its code: the topics its subscription
names, every topic constant it refers to (the rest it publishes), and its group."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from payroute_common import topics

from .project import ROOT, Service

TOPIC_CONSTANTS = {
    name: spec.name for name, spec in vars(topics).items() if isinstance(spec, topics.TopicSpec)
}
_SUBSCRIPTION = re.compile(r"topics=\[([^\]]*)\]")
_GROUP = re.compile(r"^(?:GROUP|CONSUMER) = \"([^\"]+)\"", re.MULTILINE)


@dataclass(frozen=True)
class KafkaUse:
    consumes: frozenset[str]
    produces: frozenset[str]
    group: str | None

    @property
    def dead_letter_topic(self) -> str | None:
        return None if self.group is None else topics.dead_letter_topic(self.group).name


@cache
def kafka_use(service: Service) -> KafkaUse:
    sources = [
        path.read_text()
        for path in (ROOT / "services" / service.name / "src" / service.module).rglob("*.py")
    ]
    consumed = {
        TOPIC_CONSTANTS[name.strip()]
        for text in sources
        for match in _SUBSCRIPTION.findall(text)
        for name in match.split(",")
        if name.strip()
    }
    referenced = {
        topic
        for name, topic in TOPIC_CONSTANTS.items()
        if any(re.search(rf"\b{name}\b", text) for text in sources)
    }
    groups = {group for text in sources for group in _GROUP.findall(text)}
    assert len(groups) <= 1, f"{service.name}: several consumer groups {groups}"
    group = next(iter(groups), None) if consumed else None
    return KafkaUse(frozenset(consumed), frozenset(referenced - consumed), group)
