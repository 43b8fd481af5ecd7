from pathlib import Path

import uvicorn

from payroute_common.logs import configure_logging
from payroute_common.migrations import upgrade_to_head
from payroute_common.runtime import KEEP_ALIVE_S
from webhook_ingest.config import Settings


def main() -> None:
    """As `payroute_common.runtime.serve`, with uvicorn's proxy-header handling off:
    the client address comes from `sources.ClientAddresses`, which believes only the
    proxies listed in `WEBHOOK_INGEST_TRUSTED_PROXIES` (uvicorn would trust 127.0.0.1)."""
    settings = Settings()
    configure_logging(settings.service_name, settings.log_level)
    upgrade_to_head(Path(__file__).parent / "migrations", settings.database_url.get_secret_value())
    uvicorn.run(
        "webhook_ingest.app:bootstrap",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
        timeout_keep_alive=KEEP_ALIVE_S,
    )


if __name__ == "__main__":
    main()
