from orchestrator import consumers
from orchestrator.config import Settings
from orchestrator.tables import metadata
from payroute_common.runtime import ServiceRuntime

runtime = ServiceRuntime(Settings(), metadata)
consumers.register(runtime)
app = runtime.create_app(title="Payroute orchestrator")
