"""`payroute recon …`: reconciliation from the command line, over its HTTP API.

    payroute recon upload FILE --provider NAME [--date YYYY-MM-DD]
    payroute recon run --provider NAME [--date D] | --report REPORT_ID [--wait S]
    payroute recon issues [--class C] [--status S] [--run RUN_ID] [--csv]

The service is PAYROUTE_RECONCILIATION_URL (default http://127.0.0.1:8002) and the
key PAYROUTE_ADMIN_KEY (a platform admin's). JSON goes to stdout (CSV with --csv);
errors are one line on stderr and exit 1. The upload streams the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8002"
CHUNK = 1 << 20


class CliError(Exception):
    pass


def register(subparsers: Any) -> None:
    """Add `recon` to a `payroute` parser's subcommands."""
    recon = subparsers.add_parser("recon", help="settlement reports, runs and issues")
    actions = recon.add_subparsers(dest="action", required=True)
    upload = actions.add_parser("upload", help="upload a provider's settlement report")
    upload.add_argument("file", type=Path)
    upload.add_argument("--provider", required=True)
    upload.add_argument("--date", type=date.fromisoformat, help="its settlement date")
    upload.set_defaults(recon=_upload)
    run = actions.add_parser("run", help="reconcile a provider's day (default: yesterday)")
    run.add_argument("--provider")
    run.add_argument("--date", type=date.fromisoformat)
    run.add_argument("--report", help="a report id instead of provider and date")
    run.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the result")
    run.set_defaults(recon=_run)
    issues = actions.add_parser("issues", help="list issues (newest first)")
    issues.add_argument("--class", dest="issue_class")
    issues.add_argument("--status", choices=["open", "resolved", "auto_resolved"])
    issues.add_argument("--run", dest="run_id")
    issues.add_argument("--csv", action="store_true", help="every matching issue as CSV")
    issues.set_defaults(recon=_issues)


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed `recon` command; the exit status."""
    key = os.environ.get("PAYROUTE_ADMIN_KEY")
    if not key:
        return _fail("PAYROUTE_ADMIN_KEY is not set (a platform admin key)")
    base = os.environ.get("PAYROUTE_RECONCILIATION_URL", DEFAULT_URL)
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120.0) as client:
            print(args.recon(args, client))
    except CliError as error:
        return _fail(str(error))
    except httpx.HTTPError as error:
        return _fail(f"cannot reach reconciliation at {base}: {error}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    root = argparse.ArgumentParser(prog="payroute")
    register(root.add_subparsers(dest="group", required=True))
    return run_command(root.parse_args(argv))


def _upload(args: argparse.Namespace, client: httpx.Client) -> str:
    if not args.file.is_file():
        raise CliError(f"no such file: {args.file}")
    params = {"provider": args.provider} | ({"date": args.date.isoformat()} if args.date else {})
    with args.file.open("rb") as body:
        answer = client.post(
            "/v1/reconciliation/reports",
            params=params,
            content=_chunks(body),
            headers={"Content-Type": "text/csv"},
        )
    return _json(answer)


def _run(args: argparse.Namespace, client: httpx.Client) -> str:
    if args.report:
        body: dict[str, str] = {"report_id": args.report}
    elif args.provider:
        day = args.date or (datetime.now(UTC).date() - timedelta(days=1))
        body = {"provider": args.provider, "date": day.isoformat()}
    else:
        raise CliError("give --provider (and --date) or --report")
    answer = client.post(
        "/v1/reconciliation/runs", json=body, headers={"Prefer": f"wait={args.wait:g}"}
    )
    return _json(answer)


def _issues(args: argparse.Namespace, client: httpx.Client) -> str:
    filters = {
        name: value
        for name, value in (
            ("class", args.issue_class),
            ("status", args.status),
            ("run_id", args.run_id),
        )
        if value
    }
    if args.csv:
        answer = client.get("/v1/reconciliation/issues.csv", params=filters)
        _check(answer)
        return answer.text.rstrip("\n")
    return _json(client.get("/v1/reconciliation/issues", params=filters | {"limit": 100}))


def _chunks(body: Any) -> Iterator[bytes]:
    while chunk := body.read(CHUNK):
        yield chunk


def _check(answer: httpx.Response) -> None:
    if answer.status_code >= 400:
        try:
            message = answer.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = answer.text[:200]
        raise CliError(f"{answer.status_code}: {message}")


def _json(answer: httpx.Response) -> str:
    _check(answer)
    return json.dumps(answer.json())


def _fail(message: str) -> int:
    print(f"payroute: error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
