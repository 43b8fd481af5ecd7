"""`python -m provider_simulator`: serve the simulator with uvicorn."""

import uvicorn

from provider_simulator.app import create_app
from provider_simulator.config import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_level="warning",
        timeout_keep_alive=75,  # outlive clients' idle connections (httpx: 5 s)
    )


if __name__ == "__main__":
    main()
