"""The metric names Payroute's services export: what alert rules and dashboards may query.

Today this is the contract written down (SPEC section 8 and issue 14's fixed names,
plus the three the dashboards need that the SPEC does not name); it is meant to come
from the services' own registries once every service exports its share. A dashboard
or rule naming anything else queries a series that never exists: an empty panel, an
alert that cannot fire.
"""

from __future__ import annotations

COUNTERS = frozenset(
    {
        "payroute_payments_total",  # {provider, method, currency, status}
        "payroute_payment_amount_minor_total",  # {provider, currency, ...}
        "payroute_fee_amount_minor_total",  # {kind, currency}
        "payroute_provider_requests_total",  # {provider, operation, outcome}
        "payroute_webhooks_total",  # {provider, outcome}
        "payroute_dead_letters_total",  # {service, topic}
        # Not fixed by the SPEC; the reconciliation dashboard's runs and lines:
        "payroute_reconciliation_runs_total",  # {provider, status}
        "payroute_reconciliation_lines_total",  # {provider, class}, class "matched" included
    }
)
GAUGES = frozenset(
    {
        "payroute_provider_up",  # {provider}: 1 up, 0 down
        "payroute_provider_circuit_state",  # {provider}: 0 closed, 1 half-open, 2 open
        "payroute_pending_verifications",
        "payroute_reconciliation_issues_open",  # {class}
        "payroute_outbox_backlog",  # {service}
        "payroute_consumer_lag",  # {service, topic}
        # Not fixed by the SPEC; the verification dashboard's "oldest waiting":
        "payroute_pending_verification_oldest_seconds",
    }
)
HISTOGRAMS = frozenset(
    {
        "payroute_payment_processing_seconds",  # {provider, method}
        "payroute_provider_request_seconds",  # {provider, operation}
        "payroute_webhook_seconds",
    }
)
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Written by Prometheus itself for every scrape target.
SCRAPE = frozenset({"up"})

EXPORTED: frozenset[str] = (
    COUNTERS
    | GAUGES
    | frozenset(h + suffix for h in HISTOGRAMS for suffix in HISTOGRAM_SUFFIXES)
    | SCRAPE
)
