from payroute_common.runtime import ServiceRuntime
from webhook_ingest.api import webhook_router
from webhook_ingest.config import Settings
from webhook_ingest.providers import build_providers
from webhook_ingest.store import WebhookUnitOfWork
from webhook_ingest.tables import metadata

settings = Settings()
runtime = ServiceRuntime(settings, metadata)


def unit_of_work() -> WebhookUnitOfWork:
    return runtime.unit_of_work(WebhookUnitOfWork)


app = runtime.create_app(title="Payroute webhook-ingest")
app.include_router(
    webhook_router(build_providers(settings), unit_of_work, max_body_bytes=settings.max_body_bytes)
)
