"""Every Kafka client the code base constructs connects as `KafkaSecurity` says.

A producer, consumer or admin client built without `**client_security(...)`, or
a FastStream broker without `security=broker_security(...)`, would connect in
plaintext and without credentials: against the production cluster it would not
connect at all. This reads the source of every library and service (tests
excluded: they talk to the local broker) and names each construction that is
not secured.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
SOURCES = sorted([*ROOT.glob("libs/*/src"), *ROOT.glob("services/*/src")])

AIOKAFKA_CLIENTS = frozenset({"AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient"})
FASTSTREAM_BROKERS = frozenset({"KafkaBroker", "KafkaRouter"})


def called_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def calls(value: ast.expr | None, function: str) -> bool:
    return isinstance(value, ast.Call) and called_name(value.func) == function


def secured(call: ast.Call, name: str) -> bool:
    if name in AIOKAFKA_CLIENTS:
        return any(k.arg is None and calls(k.value, "client_security") for k in call.keywords)
    return any(k.arg == "security" and calls(k.value, "broker_security") for k in call.keywords)


def constructions(path: Path) -> Iterator[tuple[int, str, bool]]:
    """(line, client, secured) for each client constructed in `path`; renamed imports
    of a client class count as unsecured (the check could not follow them)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in AIOKAFKA_CLIENTS | FASTSTREAM_BROKERS and alias.asname:
                    yield node.lineno, f"{alias.name} as {alias.asname}", False
        if isinstance(node, ast.Call):
            name = called_name(node.func)
            if name in AIOKAFKA_CLIENTS | FASTSTREAM_BROKERS:
                yield node.lineno, name, secured(node, name)


def all_constructions() -> list[tuple[str, int, str, bool]]:
    return [
        (str(path.relative_to(ROOT)), line, client, ok)
        for source in SOURCES
        for path in sorted(source.rglob("*.py"))
        for line, client, ok in constructions(path)
    ]


def test_every_kafka_client_is_built_with_the_security_configuration() -> None:
    unsecured = [
        f"{path}:{line} {client}" for path, line, client, ok in all_constructions() if not ok
    ]
    assert unsecured == []


def test_the_check_sees_the_clients_it_guards() -> None:
    found = {(Path(path).name, client) for path, _, client, _ in all_constructions()}
    assert {
        ("kafka.py", "KafkaBroker"),
        ("kafka.py", "AIOKafkaProducer"),
        ("topics.py", "AIOKafkaAdminClient"),
        ("topic_reader.py", "AIOKafkaConsumer"),
    } <= found


def test_the_check_rejects_an_unsecured_client(tmp_path: Path) -> None:
    module = tmp_path / "tool.py"
    module.write_text(
        "from aiokafka import AIOKafkaConsumer as Consumer\n"
        "import aiokafka\n"
        "from faststream.kafka import KafkaBroker\n"
        "a = aiokafka.AIOKafkaProducer(bootstrap_servers='x', **options())\n"
        "b = KafkaBroker('x', security=None)\n"
        "c = aiokafka.AIOKafkaProducer(bootstrap_servers='x', **client_security(s))\n"
        "d = KafkaBroker('x', security=broker_security(s))\n"
    )
    assert [(line, ok) for line, _, ok in constructions(module)] == [
        (1, False),
        (4, False),
        (5, False),
        (6, True),
        (7, True),
    ]
