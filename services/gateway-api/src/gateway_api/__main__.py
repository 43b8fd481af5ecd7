from pathlib import Path

from gateway_api.config import Settings
from payroute_common.runtime import serve

MIGRATIONS = Path(__file__).parent / "migrations"


def main() -> None:
    serve("gateway_api.app:bootstrap", Settings(), MIGRATIONS)


if __name__ == "__main__":
    main()
