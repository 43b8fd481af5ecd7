"""Handlers against the in-memory unit of work: what is staged, and what is applied."""

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway_api.domain import Principal, ResourceMissing
from gateway_api.payments import commands as payment_commands
from gateway_api.payments.schemas import CreatePaymentRequest
from gateway_api.projection import read_model
from gateway_api.reads import queries
from payroute_common.clock import utcnow
from payroute_common.messages import CreatePayment, PaymentCaptured, PaymentSnapshot
from payroute_common.topics import PAYMENT_COMMANDS


def snapshot(payment_id: str, version: int, status: str = "captured") -> PaymentSnapshot:
    now = utcnow()
    return PaymentSnapshot(
        payment_id=payment_id,
        merchant_id="mch_1",
        version=version,
        status=status,  # type: ignore[arg-type]
        amount=100,
        amount_capturable=0,
        amount_captured=100,
        amount_refunded=0,
        currency="PHP",
        capture_method="automatic",
        payment_method_type="card",
        provider="stripe",
        provider_reference=f"pi_{version}",
        failure=None,
        created_at=now,
        updated_at=now + timedelta(seconds=version),
    )


async def test_create_stages_one_create_payment_command_keyed_by_payment(
    store: Any, uow: Any, body: Any
) -> None:
    request = CreatePaymentRequest.model_validate(body(provider="stripe", order_id="o-1"))
    principal = Principal("key_1", "mch_1", "merchant")

    payment = await payment_commands.create_payment(request, principal=principal, uow=uow)

    (message,) = store.published
    assert message.topic == PAYMENT_COMMANDS
    assert message.key == payment.id
    envelope = message.envelope
    assert (envelope.producer, envelope.tenant_id, envelope.aggregate_id) == (
        "gateway-api",
        "mch_1",
        payment.id,
    )
    command = CreatePayment.model_validate(envelope.payload)
    assert envelope.event_type == "CreatePayment"
    assert command.provider == "stripe"
    assert command.order_id == "o-1"
    assert command.amount == payment.amount == 10_050
    assert command.created_at == payment.created_at
    assert (payment.status, payment.version) == ("processing", 0)


async def test_get_payment_refuses_other_merchants(uow: Any, body: Any) -> None:
    request = CreatePaymentRequest.model_validate(body())
    owner = Principal("key_1", "mch_1", "merchant")
    payment = await payment_commands.create_payment(request, principal=owner, uow=uow)

    with pytest.raises(ResourceMissing):
        await queries.get_payment(
            payment.id, principal=Principal("key_2", "mch_2", "merchant"), uow=uow
        )
    assert await queries.get_payment(payment.id, principal=owner, uow=uow) == payment


def test_a_batch_keeps_only_the_newest_snapshot_of_each_payment() -> None:
    events = [
        PaymentCaptured(payment=snapshot("pay_a", 3)),
        PaymentCaptured(payment=snapshot("pay_a", 1, "processing")),
        PaymentCaptured(payment=snapshot("pay_b", 1)),
        PaymentCaptured(payment=snapshot("pay_a", 2)),
    ]

    latest = {s.payment_id: s.version for s in read_model.latest_snapshots(events)}

    assert latest == {"pay_a": 3, "pay_b": 1}


@given(st.lists(st.tuples(st.sampled_from(["pay_a", "pay_b", "pay_c"]), st.integers(1, 20))))
def test_the_newest_version_wins_whatever_the_order(pairs: list[tuple[str, int]]) -> None:
    events = [PaymentCaptured(payment=snapshot(pid, version)) for pid, version in pairs]

    latest = {s.payment_id: s.version for s in read_model.latest_snapshots(events)}

    expected: dict[str, int] = {}
    for pid, version in pairs:
        expected[pid] = max(version, expected.get(pid, 0))
    assert latest == expected
