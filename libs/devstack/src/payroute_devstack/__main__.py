"""`python -m payroute_devstack run|stop|migrate`."""

import sys

from payroute_devstack.cli import main

if __name__ == "__main__":
    sys.exit(main())
