"""A new payment: routed to a provider, or left for an operator to verify."""

from __future__ import annotations

from datetime import timedelta

from orchestrator.domain import Payment
from orchestrator.domain.operations import await_verification
from orchestrator.handlers.authorize import current_traceparent, send_attempt
from orchestrator.handlers.publishing import publish_for_payment, publish_status_change
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.routing import RouteRequest, route_payment
from orchestrator.store import HandlerUnitOfWork
from payroute_common.catalog import MANUAL_PROVIDER
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.ids import new_id
from payroute_common.messages import CreatePayment, PaymentCreated, PaymentFailure
from payroute_common.timers import Timer

DEFAULT_VERIFICATION_TTL = timedelta(hours=72)
VERIFICATION_EXPIRY = "verification_expiry"


async def create_payment(
    cmd: CreatePayment,
    *,
    uow: HandlerUnitOfWork,
    envelope: Envelope,
    verification_ttl: timedelta = DEFAULT_VERIFICATION_TTL,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    if uow.payments.get(cmd.payment_id) is not None:
        return  # the same command sent twice under two event ids
    now = utcnow()
    payment = Payment(
        payment_id=cmd.payment_id,
        merchant_id=cmd.merchant_id,
        amount=cmd.amount,
        currency=cmd.currency,
        capture_method=cmd.capture_method,
        payment_method=cmd.payment_method,
        description=cmd.description,
        metadata=cmd.metadata,
        provider_preference=cmd.provider,
        return_url=cmd.return_url,
        platform_fee_ppm=cmd.platform_fee_ppm,
        routing=cmd.routing,
        created_at=cmd.created_at,
        updated_at=now,
    )
    uow.payments.add(payment)
    request = RouteRequest(
        payment_id=payment.payment_id,
        method=cmd.payment_method.type,
        currency=cmd.currency,
        amount=cmd.amount,
        capture_method=cmd.capture_method,
        preference=cmd.provider,
        routing=cmd.routing,
    )
    route = route_payment(request, await uow.providers.conditions(now))
    if route.first is None:
        failure = PaymentFailure(code="no_provider_available", message=route.reason)
        payment.fail(failure, now)
        publish_status_change(uow, payment, route.reason, envelope)
        return
    if route.first == MANUAL_PROVIDER:
        payment.start_processing(MANUAL_PROVIDER, now)
        reason = f"routed to {MANUAL_PROVIDER}: an operator verifies {cmd.payment_method.type}"
        publish_for_payment(
            uow, PaymentCreated(payment=payment.snapshot(), reason=reason), payment, envelope
        )
        ttl = (
            timedelta(seconds=cmd.verification_ttl_seconds)
            if cmd.verification_ttl_seconds
            else verification_ttl
        )
        expires_at = cmd.created_at + ttl
        publish_status_change(uow, payment, await_verification(payment, expires_at, now), envelope)
        uow.timers.schedule(Timer(VERIFICATION_EXPIRY, payment.payment_id, expires_at))
        return
    attempt = payment.start_attempt(
        new_id("att"), route.first, now, traceparent=current_traceparent()
    )
    reason = f"routed to {route.describe()}"
    publish_for_payment(
        uow, PaymentCreated(payment=payment.snapshot(), reason=reason), payment, envelope
    )
    send_attempt(uow, payment, attempt, envelope, now, policy)
