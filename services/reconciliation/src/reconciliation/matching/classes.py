"""What a run can say about a line or a ledger movement.

`matched` and `not_reconciled` (a payout, a fee or a dispute line: money Payroute
does not keep a ledger of) are not issues; every other class opens one. A match
may carry a note that explains it: `late_success` (a provider's success Payroute
no longer needed), `late_success_reversed` (the refund that gave it back),
`late_success_unreversed` (its reversal failed: operators already have an alert).
"""

MATCHED = "matched"
NOT_RECONCILED = "not_reconciled"
ISSUE_CLASSES = (
    "missing_in_provider",
    "missing_in_payroute",
    "amount_mismatch",
    "fee_mismatch",
    "status_mismatch",
    "currency_mismatch",
    "duplicate",
)
CLASSES = (MATCHED, NOT_RECONCILED, *ISSUE_CLASSES)
