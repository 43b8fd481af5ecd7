"""The statements of one run, in order. All set-based: one statement per step,
whatever the number of lines. Parameters: `report_id`, `provider`, `start`, `end`
(the period, UTC, end exclusive).

1. `LINES`: the report's lines in the period, each with how often its movement id
   and its (kind, reference, status) were seen before it: the second sighting is
   a `duplicate`.
2. `CLASSIFY`: each line against the best ledger candidate for its kind and
   reference (priority: the capture or refund itself; a late success's charge;
   a capture quoted by payment id, as on bank statements; a payment Payroute never
   captured), then currency, amount, status and fee, in that order. A refund line
   no refund explains may be the reversal of a late success of the same payment
   and amount.
3. `MISSING`: money Payroute moved in the period (captures, succeeded refunds)
   with no line in the report. Pending refunds and movements after the period
   are not due yet.
"""

LINES = """
CREATE TEMP TABLE run_lines ON COMMIT DROP AS
SELECT line_no, movement_id, reference, kind, amount, fee, currency, status, payment_id,
       row_number() OVER (PARTITION BY movement_id ORDER BY line_no) AS movement_seen,
       row_number() OVER (
           PARTITION BY kind, reference, coalesce(status, '') ORDER BY line_no
       ) AS reference_seen
FROM report_lines
WHERE report_id = :report_id AND occurred_at >= :start AND occurred_at < :end
"""

RESULTS = """
CREATE TEMP TABLE run_results (
    line_no integer, kind text, reference text, movement_id text, payment_id text,
    class text, note text,
    e_amount bigint, e_currency text, e_fee bigint, e_status text,
    a_amount bigint, a_currency text, a_fee bigint, a_status text
) ON COMMIT DROP
"""

CLASSIFY = """
INSERT INTO run_results
WITH expected AS (
    SELECT 'charge' AS kind, provider_reference AS reference, payment_id, amount, currency,
           provider_fee AS fee, 'succeeded' AS status, NULL AS note, 1 AS priority
    FROM ledger_movements
    WHERE kind = 'capture' AND provider = :provider AND provider_reference IS NOT NULL
    UNION ALL
    SELECT 'charge', provider_reference, payment_id, amount, currency, NULL, 'succeeded',
           CASE status WHEN 'reversal_failed' THEN 'late_success_unreversed'
                       ELSE 'late_success' END, 2
    FROM late_successes WHERE provider = :provider
    UNION ALL
    SELECT 'charge', payment_id, payment_id, amount, currency, provider_fee, 'succeeded', NULL, 3
    FROM ledger_movements
    WHERE kind = 'capture' AND provider = :provider AND provider_reference IS NULL
    UNION ALL
    SELECT 'charge', provider_reference, payment_id, amount, currency, NULL, status,
           'not_captured', 4
    FROM ledger_entries
    WHERE provider = :provider AND amount_captured = 0 AND provider_reference IS NOT NULL
    UNION ALL
    SELECT 'refund', provider_reference, payment_id, amount, currency, NULL, status, NULL, 1
    FROM ledger_refunds WHERE provider = :provider AND provider_reference IS NOT NULL
),
best AS (
    SELECT DISTINCT ON (l.line_no) l.line_no, e.payment_id, e.amount, e.currency, e.fee,
           e.status, e.note
    FROM run_lines l JOIN expected e ON e.kind = l.kind AND e.reference = l.reference
    ORDER BY l.line_no, e.priority
),
reversals AS (
    SELECT DISTINCT ON (payment_id, amount, currency) payment_id, amount, currency, status
    FROM late_successes WHERE provider = :provider AND reversal = 'refund'
    ORDER BY payment_id, amount, currency, status
)
SELECT l.line_no, l.kind, l.reference, l.movement_id,
       coalesce(b.payment_id, r.payment_id, l.payment_id),
       CASE
           WHEN l.kind NOT IN ('charge', 'refund') THEN 'not_reconciled'
           WHEN l.movement_seen > 1 OR l.reference_seen > 1 THEN 'duplicate'
           WHEN b.line_no IS NULL AND r.payment_id IS NULL THEN 'missing_in_payroute'
           WHEN b.line_no IS NULL AND r.status = 'reversal_failed' THEN 'status_mismatch'
           WHEN b.line_no IS NULL THEN 'matched'
           WHEN b.currency <> l.currency THEN 'currency_mismatch'
           WHEN b.amount <> l.amount THEN 'amount_mismatch'
           WHEN b.status <> coalesce(l.status, 'succeeded') THEN 'status_mismatch'
           WHEN b.fee IS NOT NULL AND b.fee <> l.fee THEN 'fee_mismatch'
           ELSE 'matched'
       END,
       CASE WHEN b.line_no IS NULL AND r.payment_id IS NOT NULL
            THEN 'late_success_reversed' ELSE b.note END,
       coalesce(b.amount, r.amount), coalesce(b.currency, r.currency), b.fee,
       coalesce(b.status, r.status),
       l.amount, l.currency, l.fee, coalesce(l.status, 'succeeded')
FROM run_lines l
LEFT JOIN best b ON b.line_no = l.line_no
LEFT JOIN reversals r
       ON b.line_no IS NULL AND l.kind = 'refund' AND r.payment_id = l.payment_id
      AND r.amount = l.amount AND r.currency = l.currency
"""

MISSING = """
INSERT INTO run_results (kind, reference, payment_id, class, e_amount, e_currency, e_fee,
                         e_status)
SELECT 'charge', coalesce(m.provider_reference, m.payment_id), m.payment_id,
       'missing_in_provider', m.amount, m.currency, m.provider_fee, 'succeeded'
FROM ledger_movements m
WHERE m.kind = 'capture' AND m.provider = :provider
  AND m.occurred_at >= :start AND m.occurred_at < :end
  AND NOT EXISTS (
      SELECT 1 FROM report_lines l
      WHERE l.report_id = :report_id AND l.kind = 'charge'
        AND l.reference = coalesce(m.provider_reference, m.payment_id)
  )
UNION ALL
SELECT 'refund', coalesce(f.provider_reference, f.refund_id), f.payment_id,
       'missing_in_provider', f.amount, f.currency, NULL, f.status
FROM ledger_refunds f
WHERE f.provider = :provider AND f.status = 'succeeded'
  AND f.settled_at >= :start AND f.settled_at < :end
  AND NOT EXISTS (
      SELECT 1 FROM report_lines l
      WHERE l.report_id = :report_id AND l.kind = 'refund'
        AND l.reference = coalesce(f.provider_reference, f.refund_id)
  )
"""

COUNTS = "SELECT class, count(*) FROM run_results GROUP BY class"

EXPLAINED = (
    "SELECT note, count(*) FROM run_results "
    "WHERE class = 'matched' AND note IS NOT NULL GROUP BY note"
)
