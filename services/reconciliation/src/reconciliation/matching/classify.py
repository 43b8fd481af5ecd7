"""Run the matching statements of sql.py for one report and period; the results stay
in the transaction's temporary `run_results` table for issues.py to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from payroute_common.catalog import MANUAL_PROVIDER
from reconciliation.matching import sql

# Whose money a report speaks of, by the report's provider: a bank statement shows the
# manual methods (bank transfer, cash, cheque), which Payroute books under `manual`.
LEDGER_PROVIDER = {"bank": MANUAL_PROVIDER}


@dataclass(frozen=True)
class Scope:
    report_id: str
    provider: str
    period_start: date
    period_end: date  # inclusive

    @property
    def ledger_provider(self) -> str:
        return LEDGER_PROVIDER.get(self.provider, self.provider)

    def parameters(self) -> dict[str, object]:
        return {
            "report_id": self.report_id,
            "provider": self.ledger_provider,
            "start": datetime.combine(self.period_start, time(), UTC),
            "end": datetime.combine(self.period_end + timedelta(days=1), time(), UTC),
        }


@dataclass(frozen=True)
class Classified:
    counts: dict[str, int]  # per class, lines and missing movements
    explained: dict[str, int]  # matches with a note, per note


async def classify(session: AsyncSession, scope: Scope) -> Classified:
    """Counts per class of the lines in scope and of the movements the report lacks."""
    params = scope.parameters()
    await session.execute(text(sql.LINES), params)
    await session.execute(text("ANALYZE run_lines"))
    await session.execute(text(sql.RESULTS))
    await session.execute(text(sql.CLASSIFY), {"provider": scope.ledger_provider})
    await session.execute(text(sql.MISSING), params)
    await session.execute(text("ANALYZE run_results"))
    counts = await session.execute(text(sql.COUNTS))
    explained = await session.execute(text(sql.EXPLAINED))
    return Classified(
        counts={name: int(n) for name, n in counts},
        explained={note: int(n) for note, n in explained},
    )
