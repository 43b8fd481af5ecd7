from pathlib import Path

from payroute_common.runtime import serve
from webhook_ingest.config import Settings


def main() -> None:
    serve("webhook_ingest.app:app", Settings(), Path(__file__).parent / "migrations")


if __name__ == "__main__":
    main()
