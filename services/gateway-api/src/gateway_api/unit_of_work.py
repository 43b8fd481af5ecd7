"""gateway-api's unit of work: every repository over one transaction, and the outbox."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol, Self

from gateway_api.admin.settings_store import (
    MerchantSettingsRepository,
    SqlMerchantSettingsRepository,
)
from gateway_api.admin.store import (
    ApiKeyRepository,
    MerchantRepository,
    SqlApiKeyRepository,
    SqlMerchantRepository,
)
from gateway_api.idempotency.store import IdempotencyRepository, SqlIdempotencyRepository
from gateway_api.payments.store import PaymentRepository, SqlPaymentRepository
from gateway_api.reads.timeline_store import SqlTimelineRepository, TimelineRepository
from gateway_api.refunds.store import RefundRepository, SqlRefundRepository
from payroute_common.uow import UnitOfWork, UnitOfWorkInterface


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    """What handlers need: repositories, a way to publish (via the outbox), commit."""

    @property
    def merchants(self) -> MerchantRepository: ...
    @property
    def api_keys(self) -> ApiKeyRepository: ...
    @property
    def payments(self) -> PaymentRepository: ...
    @property
    def merchant_settings(self) -> MerchantSettingsRepository: ...
    @property
    def refunds(self) -> RefundRepository: ...
    @property
    def timeline(self) -> TimelineRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...


class GatewayUnitOfWork(UnitOfWork):
    merchants: SqlMerchantRepository
    api_keys: SqlApiKeyRepository
    payments: SqlPaymentRepository
    merchant_settings: SqlMerchantSettingsRepository
    refunds: SqlRefundRepository
    timeline: SqlTimelineRepository
    idempotency: SqlIdempotencyRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.merchants = SqlMerchantRepository(self.session)
        self.merchant_settings = SqlMerchantSettingsRepository(self.session)
        self.api_keys = SqlApiKeyRepository(self.session, self.merchant_settings)
        self.payments = SqlPaymentRepository(self.session, self.insert_on_commit)
        self.refunds = SqlRefundRepository(self.session, self.insert_on_commit)
        self.timeline = SqlTimelineRepository(self.session)
        self.idempotency = SqlIdempotencyRepository(self.session)
        return self


UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[HandlerUnitOfWork]]
