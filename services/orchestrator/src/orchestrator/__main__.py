from pathlib import Path

from orchestrator.config import Settings
from payroute_common.runtime import serve


def main() -> None:
    serve("orchestrator.app:bootstrap", Settings(), Path(__file__).parent / "migrations")


if __name__ == "__main__":
    main()
