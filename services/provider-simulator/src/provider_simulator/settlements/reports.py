"""One provider's (or every provider's) report for one UTC day, in its own format."""

from datetime import date

from provider_simulator.providers.stripe import balance
from provider_simulator.settlements.paymongo import paymongo_csv
from provider_simulator.settlements.stripe import settlement_lines, to_csv
from provider_simulator.settlements.xendit import xendit_csv
from provider_simulator.simulator import Simulator


def report_csv(sim: Simulator, *, provider: str | None, on: date | None) -> str:
    entries = sim.ledger.settling(provider=provider, on=on)
    if provider == "paymongo":
        return paymongo_csv(entries, sim.paymongo)
    if provider == "xendit":
        return xendit_csv(entries, sim.xendit)
    disputes = balance.dispute_lines(sim.stripe, on=on) if provider in (None, "stripe") else []
    return to_csv(settlement_lines(entries, disputes))
