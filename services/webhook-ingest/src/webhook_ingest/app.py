"""webhook-ingest assembled: `bootstrap()` builds the runtime, the group-commit writer, the
audit pruner, the edge policy and the providers' verifiers, and returns the ASGI app
(the webhook fast path in front of FastAPI). Nothing is built at import time."""

from datetime import timedelta

from starlette.types import ASGIApp

from payroute_common.http_metrics import HttpMetricsMiddleware
from payroute_common.runtime import ServiceRuntime
from webhook_ingest.api import EdgePolicy, webhook_endpoint, webhook_router
from webhook_ingest.config import Settings
from webhook_ingest.fast_path import WebhookFastPath
from webhook_ingest.group_commit import GroupCommitWriter
from webhook_ingest.metrics import show_providers
from webhook_ingest.providers import build_providers
from webhook_ingest.rate_limit import TokenBuckets
from webhook_ingest.retention import AuditPruner
from webhook_ingest.sources import Allowlist, ClientAddresses
from webhook_ingest.store import SqlWebhookStore
from webhook_ingest.tables import metadata, outbox


def edge_policy(settings: Settings) -> EdgePolicy:
    return EdgePolicy(
        max_body_bytes=settings.max_body_bytes,
        limiter=TokenBuckets(
            settings.rate_per_source,
            settings.burst_per_source,
            max_sources=settings.rate_limit_sources,
        ),
        allowlist=Allowlist(settings.allowed_sources),
        unverified_body_bytes=settings.rejected_body_max_bytes,
        clients=ClientAddresses(settings.trusted_proxies, settings.forwarded_header),
    )


def bootstrap(settings: Settings | None = None) -> ASGIApp:
    """The service as `python -m webhook_ingest` runs it (uvicorn's factory)."""
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, metadata)
    store = SqlWebhookStore(
        runtime.engine,
        outbox_table=outbox.name,
        topic_prefix=settings.topic_prefix,
        after_commit=runtime.wake_outbox_relay,
    )
    writer = GroupCommitWriter(store, max_batch=settings.write_batch_max)
    runtime.run_in_background(writer.run)
    pruner = AuditPruner(
        runtime.engine,
        retention=timedelta(days=settings.retention_days),
        interval_s=settings.prune_interval_s,
        batch_size=settings.prune_batch_size,
    )
    runtime.run_in_background(pruner.run)
    providers = build_providers(settings)
    show_providers(providers)
    endpoint = webhook_endpoint(providers, writer, policy=edge_policy(settings))
    api = runtime.create_app(title="Payroute webhook-ingest")
    api.include_router(webhook_router(endpoint))
    # Outermost, so the fast path's webhooks are counted with every other request.
    return HttpMetricsMiddleware(WebhookFastPath(api, endpoint), service=settings.service_name)
