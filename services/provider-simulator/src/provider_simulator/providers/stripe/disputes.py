"""Disputes of the simulated Stripe account: opened on charges made with
`pm_card_createDispute` (https://docs.stripe.com/testing#disputes), closed through
the admin API (`POST /_sim/stripe/disputes/{id}/close`).

A lost dispute moves no money in the simulator's ledger: the SPEC's movement kinds
(charge, authorization, capture, refund, void) have no dispute, and recording it as a
`refund` would put a refund in the settlement report that no Payroute refund matches.
"""

from typing import Literal

from provider_simulator.outcome import Announcement
from provider_simulator.providers.stripe.ids import new_id, now
from provider_simulator.providers.stripe.model import Dispute, PaymentIntent
from provider_simulator.providers.stripe.serialize import dispute_json
from provider_simulator.providers.stripe.state import StripeState

OPENED = "charge.dispute.created"
CLOSED = "charge.dispute.closed"
Outcome = Literal["won", "lost"]


class DisputeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def open_if_disputed(state: StripeState, intent: PaymentIntent) -> tuple[Announcement, ...]:
    """The dispute a disputing card's successful charge gets (once), announced."""
    method = intent.payment_method
    charge = intent.latest_charge
    if method is None or not method.card.dispute or intent.status != "succeeded" or not charge:
        return ()
    if any(d.payment_intent == intent.id for d in state.disputes.values()):
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
    return (Announcement(OPENED, dispute_json(dispute)),)


def close(state: StripeState, dispute_id: str, outcome: Outcome) -> Announcement:
    """The card network decided: the merchant won or lost the dispute."""
    dispute = state.disputes.get(dispute_id)
    if dispute is None:
        raise DisputeError(404, f"No such dispute: '{dispute_id}'")
    if dispute.status in {"won", "lost"}:
        raise DisputeError(409, f"Dispute {dispute_id} is already closed ({dispute.status}).")
    dispute.status = outcome
    return Announcement(CLOSED, dispute_json(dispute))
