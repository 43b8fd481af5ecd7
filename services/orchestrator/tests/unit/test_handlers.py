from typing import Any

from orchestrator import handlers
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope, Message
from payroute_common.messages import (
    AuthorizePayment,
    CreatePayment,
    PaymentMethod,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderError,
    ProviderWebhookReceived,
)

from .fakes import FakeUnitOfWork


def create(
    method: str = "card", provider: str | None = None, currency: str = "PHP"
) -> tuple[CreatePayment, Envelope]:
    cmd = CreatePayment(
        payment_id="pay_1",
        merchant_id="mch_1",
        amount=2500,
        currency=currency,
        capture_method="automatic",
        payment_method=PaymentMethod(type=method, token="pm_card_visa"),  # type: ignore[arg-type]
        provider=provider,
        created_at=utcnow(),
    )
    return cmd, Envelope.wrap(cmd, producer="test", tenant_id="mch_1", aggregate_id="pay_1")


async def send(handler: Any, news: tuple[Message, Envelope], uow: FakeUnitOfWork) -> None:
    message, envelope = news
    await handler(message, uow=uow, envelope=envelope)


async def created(uow: FakeUnitOfWork) -> AuthorizePayment:
    cmd, envelope = create()
    await handlers.create_payment(cmd, uow=uow, envelope=envelope)
    _, _, command = next(p for p in uow.published if p[0] == "provider.commands")
    return AuthorizePayment.model_validate(command.payload)


def succeeded(authorize: AuthorizePayment) -> tuple[ProviderAttemptSucceeded, Envelope]:
    msg = ProviderAttemptSucceeded(
        payment_id="pay_1",
        attempt_id=authorize.attempt_id,
        provider="stripe",
        provider_reference="pi_1",
        outcome="captured",
        amount=2500,
        currency="PHP",
        latency_ms=12,
    )
    return msg, Envelope.wrap(msg, producer="t", tenant_id="mch_1", aggregate_id="pay_1")


def webhook(outcome: str = "succeeded") -> tuple[ProviderWebhookReceived, Envelope]:
    msg = ProviderWebhookReceived(
        provider="stripe",
        provider_event_id="evt_1",
        provider_event_type="payment_intent.succeeded",
        subject="payment",
        outcome=outcome,  # type: ignore[arg-type]
        provider_reference="pi_1",
        payment_id="pay_1",
        amount=2500,
        currency="PHP",
        received_at=utcnow(),
    )
    return msg, Envelope.wrap(msg, producer="t", tenant_id="mch_1", aggregate_id="pay_1")


async def test_a_new_card_payment_is_routed_to_stripe_and_announced() -> None:
    uow = FakeUnitOfWork()
    authorize = await created(uow)
    assert uow.types() == ["PaymentCreated", "AuthorizePayment"]
    assert authorize.provider == "stripe"
    assert authorize.metadata["payment_id"] == "pay_1"
    assert uow.payments.rows["pay_1"].status == "processing"
    assert all(key == "pay_1" for _, key, _ in uow.published)


async def test_the_same_command_twice_creates_one_payment() -> None:
    uow = FakeUnitOfWork()
    cmd, envelope = create()
    await handlers.create_payment(cmd, uow=uow, envelope=envelope)
    await handlers.create_payment(cmd, uow=uow, envelope=envelope)
    assert uow.types().count("AuthorizePayment") == 1


async def test_a_method_no_provider_supports_fails_without_a_provider_call() -> None:
    uow = FakeUnitOfWork()
    cmd, envelope = create(method="gcash", currency="USD")
    await handlers.create_payment(cmd, uow=uow, envelope=envelope)
    assert uow.types() == ["PaymentFailed"]
    failure = uow.payments.rows["pay_1"].failure
    assert failure is not None
    assert failure.code == "no_provider_available"


async def test_a_provider_capture_captures_the_payment_once() -> None:
    uow = FakeUnitOfWork()
    authorize = await created(uow)
    msg, envelope = succeeded(authorize)
    await handlers.attempt_succeeded(msg, uow=uow, envelope=envelope)
    await handlers.attempt_succeeded(msg, uow=uow, envelope=envelope)
    payment = uow.payments.rows["pay_1"]
    assert payment.status == "captured"
    assert payment.amount_captured == 2500
    assert payment.provider_reference == "pi_1"
    assert uow.types().count("PaymentCaptured") == 1


async def test_a_webhook_after_the_synchronous_answer_has_no_second_effect() -> None:
    uow = FakeUnitOfWork()
    authorize = await created(uow)
    await send(handlers.attempt_succeeded, succeeded(authorize), uow)
    version = uow.payments.rows["pay_1"].version
    msg, envelope = webhook()
    await handlers.webhook_received(msg, uow=uow, envelope=envelope)
    assert uow.payments.rows["pay_1"].version == version
    assert uow.types().count("PaymentCaptured") == 1


async def test_a_webhook_before_the_synchronous_answer_captures_and_the_answer_is_a_no_op() -> None:
    uow = FakeUnitOfWork()
    authorize = await created(uow)
    await send(handlers.webhook_received, webhook(), uow)
    assert uow.payments.rows["pay_1"].status == "captured"
    await send(handlers.attempt_succeeded, succeeded(authorize), uow)
    assert uow.types().count("PaymentCaptured") == 1


async def test_a_hard_decline_fails_the_payment_with_the_provider_codes() -> None:
    uow = FakeUnitOfWork()
    authorize = await created(uow)
    error = ProviderError(
        category="hard_decline",
        code="card_declined",
        message="Your card was declined.",
        decline_code="insufficient_funds",
    )
    msg = ProviderAttemptFailed(
        payment_id="pay_1",
        attempt_id=authorize.attempt_id,
        provider="stripe",
        error=error,
        latency_ms=5,
    )
    await handlers.attempt_failed(
        msg,
        uow=uow,
        envelope=Envelope.wrap(msg, producer="t", tenant_id="mch_1", aggregate_id="pay_1"),
    )
    payment = uow.payments.rows["pay_1"]
    assert payment.status == "failed"
    assert payment.failure is not None
    assert payment.failure.decline_code == "insufficient_funds"
    assert uow.types()[-1] == "PaymentFailed"


async def test_a_timed_out_attempt_waits_for_the_provider_instead_of_failing() -> None:
    uow = FakeUnitOfWork()
    authorize = await created(uow)
    timeout = ProviderError(category="timeout", code="timeout", message="no answer in 10 s")
    msg = ProviderAttemptFailed(
        payment_id="pay_1",
        attempt_id=authorize.attempt_id,
        provider="stripe",
        error=timeout,
        latency_ms=10_000,
    )
    await handlers.attempt_failed(
        msg,
        uow=uow,
        envelope=Envelope.wrap(msg, producer="t", tenant_id="mch_1", aggregate_id="pay_1"),
    )
    assert uow.payments.rows["pay_1"].status == "processing"
    assert "PaymentFailed" not in uow.types()
    await send(handlers.webhook_received, webhook(), uow)
    assert uow.payments.rows["pay_1"].status == "captured"
    assert uow.types().count("PaymentCaptured") == 1
