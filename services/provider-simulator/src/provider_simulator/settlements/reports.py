"""One provider's (or every provider's) report for one UTC day, in its own format."""

from datetime import date

from provider_simulator.providers.stripe import balance
from provider_simulator.settlements.paymongo import paymongo_csv
from provider_simulator.settlements.stripe import settlement_lines, to_csv
from provider_simulator.settlements.xendit import xendit_csv
from provider_simulator.simulator import Simulator


def report_csv(sim: Simulator, *, provider: str | None, on: date | None) -> str:
    movements = sim.ledger.movements()
    if provider == "paymongo":
        return paymongo_csv(movements, sim.paymongo, on=on)
    if provider == "xendit":
        return xendit_csv(movements, sim.xendit, on=on)
    lines = settlement_lines(
        movements, provider=provider, on=on, adjustments=balance.dispute_lines(sim.stripe)
    )
    return to_csv(lines)
