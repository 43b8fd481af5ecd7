from pathlib import Path

from payroute_common.runtime import serve
from reconciliation.config import Settings


def main() -> None:
    serve("reconciliation.app:bootstrap", Settings(), Path(__file__).parent / "migrations")


if __name__ == "__main__":
    main()
