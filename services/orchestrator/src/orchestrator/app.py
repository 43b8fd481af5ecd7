from orchestrator import consumers
from orchestrator.config import Settings
from orchestrator.tables import metadata
from payroute_common.runtime import ServiceRuntime

settings = Settings()
runtime = ServiceRuntime(settings, metadata)
consumers.register(runtime, settings)
app = runtime.create_app(title="Payroute orchestrator")
