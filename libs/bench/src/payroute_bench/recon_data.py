"""Data for `make bench-recon`: a reconciliation ledger seeded straight into its tables
with COPY, and a Stripe balance report against it, written line by line.

The report is mostly what a provider would send for that ledger (a charge line per
capture with its fee, a refund line per refund), with 1% of lines wrong in the ways
reconciliation must catch: amounts, fees and currencies changed, lines doubled,
lines for payments Payroute never saw; and captures the report leaves out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg

DAY = date(2030, 6, 1)
CHUNK = 50_000
HEADER = (
    "balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,"
    "reporting_category,source_id,payment_id,provider\n"
)


@dataclass(frozen=True)
class Shape:
    payments: int  # each captured once
    refunds: int  # of the first payments, one each
    lines: int  # in the report

    @classmethod
    def for_lines(cls, lines: int) -> Shape:
        payments = lines * 6 // 10
        return cls(payments=payments, refunds=lines - payments, lines=lines)


def _at(i: int) -> datetime:
    return datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(seconds=i % 86_000)


def _fee(amount: int) -> int:
    return amount * 29 // 1000 + 30


def _amount(i: int) -> int:
    return 500 + (i * 7919) % 100_000


async def seed_ledger(dsn: str, shape: Shape) -> None:
    """Payments, their captures and refunds, written with COPY in chunks."""
    connection = await asyncpg.connect(dsn)
    try:
        for start in range(0, shape.payments, CHUNK):
            entries, captures = [], []
            for i in range(start, min(start + CHUNK, shape.payments)):
                pay, amount, at = f"pay_{i:08d}", _amount(i), _at(i)
                entries.append(
                    (pay, "mch_bench", "stripe", f"pi_{i:08d}", "captured", amount, amount,
                     0, "USD", 2, at, at, at)
                )  # fmt: skip
                captures.append(
                    ("capture", pay, pay, "mch_bench", "stripe", f"pi_{i:08d}", amount, "USD",
                     _fee(amount), 0, at)
                )  # fmt: skip
            await connection.copy_records_to_table("ledger_entries", records=entries)
            await connection.copy_records_to_table("ledger_movements", records=captures)
        for start in range(0, shape.refunds, CHUNK):
            refunds = [
                (f"ref_{i:08d}", f"pay_{i:08d}", "stripe", f"re_{i:08d}", _amount(i) // 2,
                 "USD", "succeeded", _at(i), _at(i))
                for i in range(start, min(start + CHUNK, shape.refunds))
            ]  # fmt: skip
            await connection.copy_records_to_table("ledger_refunds", records=refunds)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def _major(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def write_report(path: Path, shape: Shape, *, seed: int = 7) -> dict[str, int]:
    """The report for the ledger; returns how many lines of each alteration it has."""
    rng = random.Random(seed)
    altered = {"amount": 0, "fee": 0, "currency": 0, "doubled": 0, "stranger": 0, "dropped": 0}
    written = 0
    with path.open("w") as out:
        out.write(HEADER)
        for i in range(shape.payments + shape.refunds):
            if written >= shape.lines:
                break
            refund = i >= shape.payments
            n = i - shape.payments if refund else i
            amount = _amount(n) // 2 if refund else _amount(n)
            fee = 0 if refund else _fee(amount)
            source = f"re_{n:08d}" if refund else f"pi_{n:08d}"
            currency, roll = "usd", rng.random()
            if roll < 0.002:
                amount, altered["amount"] = amount + 1, altered["amount"] + 1
            elif roll < 0.004 and not refund:
                fee, altered["fee"] = fee + 1, altered["fee"] + 1
            elif roll < 0.006:
                currency, altered["currency"] = "eur", altered["currency"] + 1
            elif roll < 0.008:
                source, altered["stranger"] = f"pi_x{n:08d}", altered["stranger"] + 1
            elif roll < 0.009:
                altered["dropped"] += 1
                continue
            gross = -amount if refund else amount
            created = _at(n).strftime("%Y-%m-%d %H:%M:%S")
            sign = "-" if gross < 0 else ""
            line = (
                f"txn_{i:010d},{created},{created},{currency},{sign}{_major(abs(gross))},"
                f"{_major(fee)},0,{'refund' if refund else 'charge'},{source},"
                f"pay_{n:08d},stripe\n"
            )
            out.write(line)
            written += 1
            if roll > 0.999 and written < shape.lines:
                out.write(line)
                written += 1
                altered["doubled"] += 1
    altered["lines"] = written
    return altered
