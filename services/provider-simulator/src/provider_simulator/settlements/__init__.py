"""Settlement reports: the ledger's settling movements as each provider reports them, in
that provider's own format (one module each). Stripe's shape is also the one for a
provider whose format is not modelled (Maya) and for the all-providers report."""

from provider_simulator.settlements.common import PAYOUT_DELAY, provider_fee
from provider_simulator.settlements.stripe import (
    COLUMNS,
    SettlementLine,
    settlement_lines,
    to_csv,
)

__all__ = [
    "COLUMNS",
    "PAYOUT_DELAY",
    "SettlementLine",
    "provider_fee",
    "settlement_lines",
    "to_csv",
]
