"""Poison messages leave their partition for the consumer's dead-letter topic."""

import json
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderAttemptSucceeded
from payroute_common.topics import TOPICS

from .helpers import api, create_payment, produce, read_topic, status_of, wait_for

pytestmark = pytest.mark.integration

PARTITIONS = {spec.name: spec.partitions for spec in TOPICS}
CONSUMED = {
    "payment.commands": ["orchestrator"],
    "provider.results": ["orchestrator"],
    "provider.webhooks": ["orchestrator"],
    "provider.commands": ["provider-worker"],
    "payment.events": ["gateway-api", "reconciliation", "metrics-exporter"],
}


def result_for_unknown_payment() -> bytes:
    """Well-formed, but no handler can ever apply it: fails every try."""
    message = ProviderAttemptSucceeded(
        payment_id="pay_does_not_exist",
        attempt_id="att_x",
        provider="stripe",
        provider_reference="pi_x",
        outcome="captured",
        amount=1,
        currency="PHP",
        latency_ms=1,
    )
    envelope = Envelope.wrap(message, producer="test", tenant_id="mch_x", aggregate_id="pay_x")
    return envelope.model_dump_json().encode()


async def test_poison_on_every_partition_of_every_consumed_topic_is_dead_lettered(stack) -> None:
    marker = f"poison-{utcnow().timestamp()}"
    for topic in CONSUMED:
        for partition in range(PARTITIONS[topic]):
            value = f'{{"{marker}": "{topic}"}}'.encode()
            await produce(stack, topic, value, key=b"poison", partition=partition)
    schema_invalid = json.dumps({"event_id": "not-a-uuid", "marker": marker}).encode()
    await produce(stack, "payment.commands", schema_invalid, partition=0)
    await produce(stack, "provider.results", result_for_unknown_payment(), partition=1)

    # Every partition is behind a poison record, and still flows.
    async with api(stack) as client:
        payments = [await create_payment(client) for _ in range(8)]

        async def all_captured() -> bool:
            return all([await status_of(client, p["id"]) == "captured" for p in payments])

        await wait_for(all_captured, timeout=20, what="payments behind the poison")

    expected = {group: 0 for groups in CONSUMED.values() for group in groups}
    for topic, groups in CONSUMED.items():
        for group in groups:
            expected[group] += PARTITIONS[topic]
    for group, count in expected.items():
        want = count + (1 if group == "orchestrator" else 0)  # + the schema-invalid envelope

        async def dead_lettered(group: str = group, want: int = want) -> list:
            records = await read_topic(stack, f"{group}.dlq")
            letters = [r for r in records if marker.encode() in (r.value or b"")]
            return letters if len(letters) >= want else []

        letters = await wait_for(dead_lettered, timeout=10, what=f"{want} letters in {group}.dlq")
        assert len(letters) == want, group
        headers = dict(letters[0].headers)
        assert headers["dlq-consumer-group"] == group.encode()
        assert headers["dlq-error"].startswith(b"undecodable")

    async def handler_failure() -> list:
        records = await read_topic(stack, "orchestrator.dlq")
        return [r for r in records if b"pay_does_not_exist" in (r.value or b"")]

    [letter] = await wait_for(handler_failure, timeout=10, what="the failing result dead-lettered")
    assert b"UnknownPaymentError" in dict(letter.headers)["dlq-error"]

    # Each consuming service counts its own letters per topic on its `/metrics`.
    for topic, groups in CONSUMED.items():
        for group in groups:
            counted = await own_metric(stack, group, "payroute_dead_letters_total", topic=topic)
            assert counted >= PARTITIONS[topic], (group, topic)
            lag = await own_metric(stack, group, "payroute_consumer_lag", topic=topic)
            assert lag >= 0, (group, topic)


async def own_metric(stack: Any, service: str, name: str, **labels: str) -> float:
    """The sum of `name`'s samples with `labels` on `service`'s own `/metrics`; fails
    when there is none."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"{stack.url(service)}/metrics")).text
    values = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
        and sample.labels.get("service") == service
        and all(sample.labels.get(k) == v for k, v in labels.items())
    ]
    assert values, f"{service} exports no {name} {labels}"
    return sum(values)
