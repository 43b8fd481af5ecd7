from pathlib import Path

from payroute_common.runtime import serve
from provider_worker.config import Settings


def main() -> None:
    serve("provider_worker.app:bootstrap", Settings(), Path(__file__).parent / "migrations")


if __name__ == "__main__":
    main()
