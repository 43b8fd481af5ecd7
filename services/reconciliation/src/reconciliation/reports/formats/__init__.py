"""The report formats Payroute reads, keyed by provider name.

A format is chosen by the provider the report is uploaded for; each entry knows
its columns and turns rows into `ReportLine`s. One line per provider below.
"""

from reconciliation.reports.formats.bank import BANK
from reconciliation.reports.formats.base import ReportFormat
from reconciliation.reports.formats.paymongo import PAYMONGO
from reconciliation.reports.formats.stripe import STRIPE
from reconciliation.reports.formats.xendit import XENDIT

FORMATS: dict[str, ReportFormat] = {
    "stripe": STRIPE,
    "paymongo": PAYMONGO,
    "xendit": XENDIT,
    "bank": BANK,
}

__all__ = ["FORMATS", "ReportFormat"]
