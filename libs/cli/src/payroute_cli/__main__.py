"""`python -m payroute_cli …`: the same as `payroute …`."""

import sys

from payroute_cli.main import main

if __name__ == "__main__":
    sys.exit(main())
