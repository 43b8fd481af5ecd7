"""`payroute`: the operators' command line.

    payroute merchants create NAME [--tier starter|professional|enterprise]
    payroute merchants update MERCHANT_ID [--tier ...] [--platform-fee-percent X|default]
    payroute merchants show MERCHANT_ID
    payroute keys create MERCHANT_ID [--role merchant|operator|admin]
    payroute keys revoke KEY_ID
    payroute dlq list|replay ...   (dead-letter topics: see `payroute_cli.dead_letters`)
    payroute recon upload|run|issues ...   (reconciliation: see `payroute_cli.recon`)

Each prints one JSON object on stdout (`dlq` a table unless --json, `recon issues
--csv` CSV); errors are one line on stderr and exit 1, usage errors exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from payroute_cli import dead_letters, keys, merchants, recon
from payroute_cli.errors import CommandError

Run = Callable[[argparse.Namespace], str]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="payroute", description="Payroute operations.")
    groups = root.add_subparsers(dest="group", required=True)
    merchants.register(groups)
    keys.register(groups)
    dead_letters.register(groups)
    recon.register(groups)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run: Run = args.run
    try:
        output = run(args)
    except CommandError as error:
        print(f"payroute: error: {error}", file=sys.stderr)
        return 1
    print(output)
    return 0
