"""Disputes of the simulated Stripe account: opened on charges made with
`pm_card_createDispute` (https://docs.stripe.com/testing#disputes), closed through
the admin API (`POST /_sim/stripe/disputes/{id}/close`).

Disputes move money as at Stripe: opening one withdraws the disputed amount plus the
dispute fee (a balance transaction, `reporting_category: dispute`, announced by
`charge.dispute.funds_withdrawn`); winning reinstates the amount (`dispute_reversal`,
`charge.dispute.funds_reinstated`; the fee is not returned). That money lives in balance
transactions and the settlement report, not in the simulator's ledger: the SPEC's ledger
kinds (charge, authorization, capture, refund, void) have no dispute, and recording one
as a `refund` would show a refund no Payroute refund matches.
"""

from typing import Literal

from provider_simulator.outcome import Announcement
from provider_simulator.providers.stripe import balance
from provider_simulator.providers.stripe.ids import new_id, now
from provider_simulator.providers.stripe.model import Dispute, PaymentIntent
from provider_simulator.providers.stripe.state import StripeState

OPENED = "charge.dispute.created"
WITHDRAWN = "charge.dispute.funds_withdrawn"
REINSTATED = "charge.dispute.funds_reinstated"
CLOSED = "charge.dispute.closed"
LATER = (OPENED, WITHDRAWN)
"""Announced a while after the charge: the cardholder disputes it after it was made."""
RESPONSE_WINDOW_S = 7 * 24 * 3600
Outcome = Literal["won", "lost"]
JsonDict = dict[str, object]


class DisputeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def open_if_disputed(state: StripeState, intent: PaymentIntent) -> tuple[Announcement, ...]:
    """The dispute a disputing card's successful charge gets (once), its money withdrawn."""
    method = intent.payment_method
    charge = intent.latest_charge
    if method is None or not method.card.dispute or intent.status != "succeeded" or not charge:
        return ()
    if state.disputes.find((intent.id,)):
        return ()
    dispute = Dispute(
        id=new_id("dp"),
        amount=intent.amount_received,
        currency=intent.currency,
        charge=charge,
        payment_intent=intent.id,
        created=now(),
    )
    state.disputes[dispute.id] = dispute
    intent.disputed = True
    withdrawn = balance.adjust(
        state,
        amount=-dispute.amount,
        fee=balance.DISPUTE_FEE,
        currency=dispute.currency,
        category="dispute",
        source=dispute.id,
        payment_id=intent.payment_id,
    )
    opened = Announcement(OPENED, dispute_json(state, dispute))
    dispute.balance_transactions.append(withdrawn.id)
    return opened, Announcement(WITHDRAWN, dispute_json(state, dispute))


def close(state: StripeState, dispute_id: str, outcome: Outcome) -> tuple[Announcement, ...]:
    """The card network decided: the merchant won (the money comes back) or lost."""
    dispute = state.disputes.get(dispute_id)
    if dispute is None:
        raise DisputeError(404, f"No such dispute: '{dispute_id}'")
    if dispute.status in {"won", "lost"}:
        raise DisputeError(409, f"Dispute {dispute_id} is already closed ({dispute.status}).")
    dispute.status = outcome
    if outcome == "lost":
        return (Announcement(CLOSED, dispute_json(state, dispute)),)
    intent = state.intents.get(dispute.payment_intent)
    reinstated = balance.adjust(
        state,
        amount=dispute.amount,
        fee=0,
        currency=dispute.currency,
        category="dispute_reversal",
        source=dispute.id,
        payment_id=intent.payment_id if intent else None,
    )
    dispute.balance_transactions.append(reinstated.id)
    body = dispute_json(state, dispute)
    return Announcement(REINSTATED, body), Announcement(CLOSED, body)


def dispute_json(state: StripeState, dispute: Dispute) -> JsonDict:
    """https://docs.stripe.com/api/disputes/object"""
    return {
        "id": dispute.id,
        "object": "dispute",
        "amount": dispute.amount,
        "balance_transactions": [
            balance.balance_transaction_json(state.balance_transactions[txn])
            for txn in dispute.balance_transactions
            if txn in state.balance_transactions
        ],
        "charge": dispute.charge,
        "created": dispute.created,
        "currency": dispute.currency,
        "enhanced_eligibility_types": [],
        "evidence": dict.fromkeys(EVIDENCE_FIELDS) | {"enhanced_evidence": {}},
        "evidence_details": {
            "due_by": dispute.created + RESPONSE_WINDOW_S,
            "enhanced_eligibility": {},
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
            "submission_method": "not_submitted",
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": dispute.payment_intent,
        "reason": dispute.reason,
        "status": dispute.status,
    }


EVIDENCE_FIELDS = (
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
)
"""Evidence the merchant has not submitted: all null (the simulator takes none)."""
