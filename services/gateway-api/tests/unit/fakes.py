"""An in-memory store and unit of work with the gateway's repositories: the handlers
and the HTTP edge without I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any

from gateway_api.admin.merchant_settings import MerchantSettings
from gateway_api.domain import (
    ApiKey,
    Merchant,
    Operation,
    Payment,
    Principal,
    Refund,
    ResourceMissing,
    TimelineEvent,
    issue_key,
)
from gateway_api.domain import new_merchant as make_merchant
from gateway_api.idempotency.rules import StoredAnswer
from gateway_api.payments.store import PaymentFilters
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import PaymentSnapshot
from payroute_common.messages.values import RefundSnapshot
from payroute_common.outbox import OutgoingMessage
from payroute_common.topics import TopicSpec


@dataclass
class FakeStore:
    merchants: dict[str, Merchant] = field(default_factory=dict)
    keys: dict[str, ApiKey] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)
    timeline: list[TimelineEvent] = field(default_factory=list)
    answers: dict[tuple[str, str], StoredAnswer] = field(default_factory=dict)
    settings: dict[str, MerchantSettings] = field(default_factory=dict)
    published: list[OutgoingMessage] = field(default_factory=list)
    opened: int = 0
    fail_with: Exception | None = None

    def add_merchant(self) -> tuple[Merchant, str]:
        """A merchant and the secret of its merchant-role key."""
        merchant = make_merchant("Test Merchant", "starter", utcnow())
        issued = issue_key(merchant.id, "merchant", utcnow())
        self.merchants[merchant.id] = merchant
        self.keys[issued.key.id] = issued.key
        return merchant, issued.secret

    def add_key(self, merchant_id: str, role: Any = "operator") -> str:
        issued = issue_key(merchant_id, role, utcnow())
        self.keys[issued.key.id] = issued.key
        return issued.secret


class FakeMerchants:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(self, merchant: Merchant) -> None:
        self._uow.staged_merchants[merchant.id] = merchant

    async def get(self, merchant_id: str) -> Merchant | None:
        return self._uow.store.merchants.get(merchant_id)


class FakeApiKeys:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(self, key: ApiKey) -> None:
        self._uow.staged_keys[key.id] = key

    async def principal(self, key_hash: str) -> Principal | None:
        if self._uow.store.fail_with is not None:
            raise self._uow.store.fail_with
        for key in self._uow.store.keys.values():
            if key.key_hash == key_hash and key.revoked_at is None:
                return Principal(key.id, key.merchant_id, key.role)
        return None

    async def revoke(self, key_id: str, now: datetime) -> ApiKey | None:
        key = self._uow.store.keys.get(key_id)
        if key is None:
            return None
        revoked = replace(key, revoked_at=key.revoked_at or now)
        self._uow.staged_keys[key_id] = revoked
        return revoked


class FakePayments:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(self, payment: Payment) -> None:
        self._uow.staged_payments[payment.id] = payment

    async def get(self, merchant_id: str, payment_id: str) -> Payment | None:
        payment = self._uow.store.payments.get(payment_id)
        return payment if payment and payment.merchant_id == merchant_id else None

    async def get_for_update(self, merchant_id: str, payment_id: str) -> Payment | None:
        return await self.get(merchant_id, payment_id)

    async def start_operation(self, payment_id: str, operation: Operation) -> None:
        payment = self._uow.staged_payments.get(payment_id) or self._uow.store.payments[payment_id]
        self._uow.staged_payments[payment_id] = replace(payment, pending_operation=operation)

    async def list(
        self,
        merchant_id: str,
        filters: PaymentFilters,
        limit: int,
        starting_after: tuple[datetime, str] | None,
    ) -> list[Payment]:
        rows = sorted(
            (p for p in self._uow.store.payments.values() if p.merchant_id == merchant_id),
            key=lambda p: (p.created_at, p.id),
            reverse=True,
        )
        rows = [
            p
            for p in rows
            if (filters.order_id is None or p.order_id == filters.order_id)
            and (filters.status is None or p.status == filters.status)
            and (filters.customer_id is None or p.customer_id == filters.customer_id)
        ]
        if starting_after is not None:
            rows = [p for p in rows if (p.created_at, p.id) < starting_after]
        return rows[:limit]

    async def apply(
        self, snapshots: Sequence[PaymentSnapshot], answered: Sequence[str] = ()
    ) -> None:
        self._uow.applied.extend(snapshots)
        self._uow.answered.extend(answered)


class FakeRefunds:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(self, refund: Refund) -> None:
        self._uow.staged_refunds[refund.id] = refund

    async def get(self, merchant_id: str, refund_id: str) -> Refund | None:
        refund = self._uow.store.refunds.get(refund_id)
        return refund if refund and refund.merchant_id == merchant_id else None

    async def for_payment(self, merchant_id: str, payment_id: str) -> list[Refund]:
        return [
            r
            for r in self._uow.store.refunds.values()
            if r.payment_id == payment_id and r.merchant_id == merchant_id
        ]

    async def refunded(self, payment_id: str) -> int:
        return sum(
            r.amount
            for r in self._uow.store.refunds.values()
            if r.payment_id == payment_id and r.status != "failed"
        )

    async def apply(self, snapshots: Sequence[RefundSnapshot]) -> None:
        self._uow.applied_refunds.extend(snapshots)


class FakeTimeline:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def record(self, events: Sequence[tuple[str, TimelineEvent]]) -> None:
        self._uow.store.timeline.extend(event for _, event in events)

    async def for_payment(self, merchant_id: str, payment_id: str) -> list[TimelineEvent]:
        return sorted(
            (e for e in self._uow.store.timeline if e.payment_id == payment_id),
            key=lambda e: e.version,
        )


class FakeIdempotency:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def insert(self, merchant_id: str, key: str, fingerprint: str, now: datetime) -> bool:
        if (merchant_id, key) in self._uow.store.answers:
            return False
        self._uow.staged_answers[merchant_id, key] = StoredAnswer(
            fingerprint, None, None, False, now
        )
        return True

    async def get(self, merchant_id: str, key: str) -> StoredAnswer | None:
        return self._uow.store.answers.get((merchant_id, key))

    async def store(
        self, merchant_id: str, key: str, status_code: int, body: dict[str, Any], *, completed: bool
    ) -> None:
        seen = (
            self._uow.staged_answers.get((merchant_id, key))
            or self._uow.store.answers[merchant_id, key]
        )
        self._uow.staged_answers[merchant_id, key] = replace(
            seen, status_code=status_code, body=body, completed=completed
        )

    async def purge(self, before: datetime) -> int:
        old = [k for k, a in self._uow.store.answers.items() if a.created_at < before]
        for k in old:
            del self._uow.store.answers[k]
        return len(old)


class FakeMerchantSettings:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def get(self, merchant_id: str, *, for_update: bool = False) -> MerchantSettings:
        saved = self._uow.store.settings.get(merchant_id)
        if saved is not None:
            return saved
        merchant = self._uow.store.merchants.get(merchant_id)
        if merchant is None and for_update:  # reads of unknown ids get defaults here
            raise ResourceMissing("merchant", merchant_id)
        return MerchantSettings(
            merchant_id=merchant_id, tier=merchant.tier if merchant else "starter"
        )

    async def save(self, settings: MerchantSettings) -> None:
        self._uow.staged_settings[settings.merchant_id] = settings


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.merchants = FakeMerchants(self)
        self.api_keys = FakeApiKeys(self)
        self.payments = FakePayments(self)
        self.refunds = FakeRefunds(self)
        self.timeline = FakeTimeline(self)
        self.idempotency = FakeIdempotency(self)
        self.merchant_settings = FakeMerchantSettings(self)
        self.staged_refunds: dict[str, Refund] = {}
        self.staged_answers: dict[tuple[str, str], StoredAnswer] = {}
        self.answered: list[str] = []
        self.applied_refunds: list[RefundSnapshot] = []
        self.staged_merchants: dict[str, Merchant] = {}
        self.staged_keys: dict[str, ApiKey] = {}
        self.staged_payments: dict[str, Payment] = {}
        self.staged_settings: dict[str, MerchantSettings] = {}
        self.outgoing: list[OutgoingMessage] = []
        self.applied: list[PaymentSnapshot] = []
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        self.store.opened += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def publish(
        self, topic: TopicSpec, key: str, envelope: Envelope, headers: dict[str, str] | None = None
    ) -> None:
        self.outgoing.append(OutgoingMessage(topic, key, envelope, headers or {}))

    async def commit(self) -> None:
        self.store.merchants.update(self.staged_merchants)
        self.store.keys.update(self.staged_keys)
        self.store.payments.update(self.staged_payments)
        self.store.refunds.update(self.staged_refunds)
        self.store.answers.update(self.staged_answers)
        self.store.settings.update(self.staged_settings)
        self.staged_settings = {}
        self.staged_payments = {}
        self.staged_refunds = {}
        self.staged_answers = {}
        self.store.published.extend(self.outgoing)
        self.outgoing = []
        self.committed = True
