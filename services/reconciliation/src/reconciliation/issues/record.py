"""Turning a run's results (the temporary `run_results` of matching/) into issues.

An issue is opened per result that is not a match, unless the same subject
(provider, kind, reference) already has an open issue of that class. An open
issue whose subject this run examined and no longer finds in that class is
`auto_resolved`: the later run agrees with Payroute.

Each statement also writes its events (`ReconciliationIssueOpened`,
`ReconciliationIssueResolved`) into the outbox in the same statement, enveloped
as `payroute_common.envelope.Envelope` would: a first run over a large report may
open hundreds of thousands of issues, and none of them passes through Python.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, Result, text
from sqlalchemy.ext.asyncio import AsyncSession

from payroute_common.ids import new_id
from payroute_common.messages import ReconciliationIssueOpened, ReconciliationIssueResolved

# Stages one event per row of the CTE `x` (issue id, run id, class, provider, status).
STAGE_EVENTS = """
INSERT INTO outbox (topic, key, value)
SELECT :topic, x.run_id, jsonb_build_object(
    'event_id', gen_random_uuid(), 'event_type', CAST(:event_type AS text), 'schema_version', 1,
    'occurred_at', now(), 'producer', 'reconciliation', 'tenant_id', 'platform',
    'aggregate_id', x.id, 'correlation_id', x.run_id, 'causation_id', NULL,
    'payload', jsonb_build_object(
        'issue_id', x.id, 'run_id', x.run_id, 'issue_class', x.class,
        'provider', x.provider, 'status', x.status))::text
FROM x
"""

OPENED = """
WITH x AS (
INSERT INTO issues (id, run_id, class, provider, kind, reference, payment_id, line_no,
                    expected, actual, note, status)
SELECT :prefix || lpad(
           (row_number() OVER (ORDER BY coalesce(r.line_no, 0), r.reference))::text, 9, '0'
       ),
       :run_id, r.class, :provider, r.kind, r.reference, r.payment_id, r.line_no,
       jsonb_strip_nulls(jsonb_build_object(
           'amount', r.e_amount, 'currency', r.e_currency, 'fee', r.e_fee,
           'status', r.e_status)),
       jsonb_strip_nulls(jsonb_build_object(
           'amount', r.a_amount, 'currency', r.a_currency, 'fee', r.a_fee,
           'status', r.a_status, 'movement_id', r.movement_id, 'line', r.line_no)),
       r.note, 'open'
FROM run_results r
WHERE r.class NOT IN ('matched', 'not_reconciled')
ON CONFLICT (provider, kind, reference, class) WHERE status = 'open' DO NOTHING
RETURNING id, run_id, class, provider, status
)
"""

AUTO_RESOLVED = """
WITH examined AS (
    SELECT r.kind, r.reference, array_agg(DISTINCT r.class) AS classes
    FROM run_results r
    JOIN issues o ON o.status = 'open' AND o.provider = :provider
                 AND o.kind = r.kind AND o.reference = r.reference
    GROUP BY r.kind, r.reference
),
x AS (
UPDATE issues i
SET status = 'auto_resolved', resolved_at = now(),
    resolution_note = 'run ' || :run_id || ' found it ' || array_to_string(e.classes, ', ')
FROM examined e
WHERE i.status = 'open' AND i.provider = :provider AND i.run_id <> :run_id
  AND i.kind = e.kind AND i.reference = e.reference AND NOT (i.class = ANY (e.classes))
RETURNING i.id, i.run_id, i.class, i.provider, i.status
)
"""

OPEN = "\n".join((OPENED, STAGE_EVENTS))
AUTO_RESOLVE = "\n".join((AUTO_RESOLVED, STAGE_EVENTS))


def issue_id_prefix() -> str:
    """`iss_` + time + randomness; issues of one run then count up from it, so ids
    sort by creation like every other id."""
    return new_id("iss")[:13] + secrets.token_hex(4)


async def open_issues(session: AsyncSession, run_id: str, provider: str, *, topic: str) -> int:
    """Open this run's issues and stage their events; how many were opened."""
    params = {
        "prefix": issue_id_prefix(),
        "run_id": run_id,
        "provider": provider,
        "topic": topic,
        "event_type": ReconciliationIssueOpened.event_type,
    }
    return _count(await session.execute(text(OPEN), params))


async def auto_resolve(session: AsyncSession, run_id: str, provider: str, *, topic: str) -> int:
    """Close the open issues this run found in agreement and stage their events; how many."""
    params = {
        "run_id": run_id,
        "provider": provider,
        "topic": topic,
        "event_type": ReconciliationIssueResolved.event_type,
    }
    return _count(await session.execute(text(AUTO_RESOLVE), params))


def _count(result: Result[Any]) -> int:
    return int(cast("CursorResult[Any]", result).rowcount)
