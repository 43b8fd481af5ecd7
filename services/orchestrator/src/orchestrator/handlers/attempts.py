"""The provider's answers to AuthorizePayment (the first one, or the same one sent again)."""

from __future__ import annotations

from orchestrator.domain import OPEN_ATTEMPTS
from orchestrator.domain.successes import SuccessNews
from orchestrator.handlers.cascade import attempt_refused
from orchestrator.handlers.publishing import payment_of
from orchestrator.handlers.successes import succeeded
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
)


async def attempt_succeeded(
    msg: ProviderAttemptSucceeded,
    *,
    uow: HandlerUnitOfWork,
    envelope: Envelope,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    payment = payment_of(uow, msg.payment_id)
    if payment.attempt(msg.attempt_id).status in OPEN_ATTEMPTS:
        uow.providers.record_result(msg.provider, True, utcnow())
    news = SuccessNews(
        attempt_id=msg.attempt_id,
        outcome=msg.outcome,
        provider_reference=msg.provider_reference,
        amount=msg.amount,
        latency_ms=msg.latency_ms,
        redirect_url=msg.redirect_url,
    )
    succeeded(uow, payment, news, envelope, policy)


async def attempt_failed(
    msg: ProviderAttemptFailed,
    *,
    uow: HandlerUnitOfWork,
    envelope: Envelope,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    """A refusal may move the payment to the next provider; a timeout makes the attempt
    unknown, and it is asked about until the provider tells."""
    payment = payment_of(uow, msg.payment_id)
    await attempt_refused(
        uow,
        payment,
        msg.attempt_id,
        msg.error,
        utcnow(),
        envelope,
        policy=policy,
        latency_ms=msg.latency_ms,
    )
