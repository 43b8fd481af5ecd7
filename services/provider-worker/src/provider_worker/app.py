from payroute_common.runtime import ServiceRuntime
from provider_worker import consumers
from provider_worker.adapters.registry import build_adapters
from provider_worker.config import Settings
from provider_worker.handlers import Providers
from provider_worker.tables import metadata

settings = Settings()
runtime = ServiceRuntime(settings, metadata)
providers = Providers.build(build_adapters(settings), settings.provider_concurrency)
consumers.register(runtime, providers)
app = runtime.create_app(title="Payroute provider-worker")
