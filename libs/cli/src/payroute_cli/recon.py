"""`payroute recon …`: reconciliation from the command line, over its HTTP API.

    payroute recon upload FILE --provider NAME [--date YYYY-MM-DD]
    payroute recon run --provider NAME [--date D] | --report REPORT_ID [--wait S]
    payroute recon issues [--class C] [--status S] [--run RUN_ID] [--csv]

The service is PAYROUTE_RECONCILIATION_URL (default http://127.0.0.1:8002) and the
key PAYROUTE_ADMIN_KEY (a platform admin's). JSON goes to stdout (CSV with --csv).
The upload streams the file.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from payroute_cli.errors import CommandError

DEFAULT_URL = "http://127.0.0.1:8002"
CHUNK = 1 << 20

Request = Callable[[argparse.Namespace, httpx.Client], str]


def register(groups: Any) -> None:
    """Add `recon` to the root parser's subcommands."""
    recon = groups.add_parser("recon", help="settlement reports, runs and issues")
    actions = recon.add_subparsers(dest="action", required=True)
    upload = actions.add_parser("upload", help="upload a provider's settlement report")
    upload.add_argument("file", type=Path)
    upload.add_argument("--provider", required=True)
    upload.add_argument("--date", type=date.fromisoformat, help="its settlement date")
    upload.set_defaults(run=run, recon=_upload)
    reconcile = actions.add_parser("run", help="reconcile a provider's day (default: yesterday)")
    reconcile.add_argument("--provider")
    reconcile.add_argument("--date", type=date.fromisoformat)
    reconcile.add_argument("--report", help="a report id instead of provider and date")
    reconcile.add_argument(
        "--wait", type=float, default=60.0, help="seconds to wait for the result"
    )
    reconcile.set_defaults(run=run, recon=_reconcile)
    issues = actions.add_parser("issues", help="list issues (newest first)")
    issues.add_argument("--class", dest="issue_class")
    issues.add_argument("--status", choices=["open", "resolved", "auto_resolved"])
    issues.add_argument("--run", dest="run_id")
    issues.add_argument("--csv", action="store_true", help="every matching issue as CSV")
    issues.set_defaults(run=run, recon=_issues)


def run(args: argparse.Namespace) -> str:
    """Carry out a `recon` command; its output."""
    key = os.environ.get("PAYROUTE_ADMIN_KEY")
    if not key:
        raise CommandError("PAYROUTE_ADMIN_KEY is not set (a platform admin key)")
    base = os.environ.get("PAYROUTE_RECONCILIATION_URL", DEFAULT_URL)
    headers = {"Authorization": f"Bearer {key}"}
    request: Request = args.recon
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120.0) as client:
            return request(args, client)
    except httpx.HTTPError as error:
        raise CommandError(f"cannot reach reconciliation at {base}: {error}") from None


def _upload(args: argparse.Namespace, client: httpx.Client) -> str:
    if not args.file.is_file():
        raise CommandError(f"no such file: {args.file}")
    params = {"provider": args.provider} | ({"date": args.date.isoformat()} if args.date else {})
    with args.file.open("rb") as body:
        answer = client.post(
            "/v1/reconciliation/reports",
            params=params,
            content=_chunks(body),
            headers={"Content-Type": "text/csv"},
        )
    return _json(answer)


def _reconcile(args: argparse.Namespace, client: httpx.Client) -> str:
    if args.report:
        body: dict[str, str] = {"report_id": args.report}
    elif args.provider:
        day = args.date or (datetime.now(UTC).date() - timedelta(days=1))
        body = {"provider": args.provider, "date": day.isoformat()}
    else:
        raise CommandError("give --provider (and --date) or --report")
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
        raise CommandError(f"{answer.status_code}: {message}")


def _json(answer: httpx.Response) -> str:
    _check(answer)
    return json.dumps(answer.json())
