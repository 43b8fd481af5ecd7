"""QueryProviderStatus through the worker against the simulator: the provider's truth
staged on provider.results and the latest answer kept in the attempt log."""

import uuid

import pytest

from payroute_common.messages import AuthorizePayment, PaymentMethod, QueryProviderStatus

from .conftest import Worker, envelope

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning"),
]


async def test_status_is_reported_by_reference_by_attempt_and_not_found(worker: Worker) -> None:
    payment_id = f"pay_{uuid.uuid4().hex[:12]}"
    attempt_id = f"att_{payment_id}"
    await worker.handle(
        envelope(
            AuthorizePayment(
                payment_id=payment_id,
                attempt_id=attempt_id,
                provider="stripe",
                amount=2500,
                currency="PHP",
                capture_method="manual",
                payment_method=PaymentMethod(type="card", token="pm_card_visa"),
            ),
            payment_id,
        )
    )
    (authorized,) = await worker.results(payment_id)
    reference = authorized["payload"]["provider_reference"]

    def query(attempt: str, ref: str | None) -> QueryProviderStatus:
        return QueryProviderStatus(
            payment_id=payment_id, attempt_id=attempt, provider="stripe", provider_reference=ref
        )

    await worker.handle(envelope(query(attempt_id, reference), payment_id))
    await worker.handle(envelope(query(attempt_id, None), payment_id))
    await worker.handle(envelope(query("att_never_sent", None), payment_id))

    results = (await worker.results(payment_id))[1:]
    assert {r["event_type"] for r in results} == {"ProviderStatusReported"}
    reports = [r["payload"] for r in results]
    assert [
        (r["attempt_id"], r["outcome"], r["provider_reference"], r["amount"]) for r in reports
    ] == [
        (attempt_id, "authorized", reference, 2500),
        (attempt_id, "authorized", reference, 2500),
        ("att_never_sent", "not_found", None, None),
    ]
    log = await worker.rows(
        "SELECT attempt_id, outcome FROM attempt_log "
        "WHERE payment_id = :p AND operation = 'status'",
        p=payment_id,
    )
    assert sorted(tuple(row) for row in log) == sorted(
        [(attempt_id, "authorized"), ("att_never_sent", "not_found")]
    )
    assert await worker.moves(payment_id) == [("authorization", 2500)]
