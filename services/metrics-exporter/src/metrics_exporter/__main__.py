from pathlib import Path

from metrics_exporter.config import Settings
from payroute_common.runtime import serve


def main() -> None:
    serve("metrics_exporter.app:bootstrap", Settings(), Path(__file__).parent / "migrations")


if __name__ == "__main__":
    main()
