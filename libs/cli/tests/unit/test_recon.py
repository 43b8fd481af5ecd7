"""`payroute recon` against a stand-in reconciliation service: requests, output, errors."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from payroute_cli.main import main


@dataclass
class Seen:
    """What the stand-in received, and the answer it gives to every request."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"


def handler_for(seen: Seen) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(b"")

        def do_POST(self) -> None:
            if self.headers.get("Transfer-Encoding") == "chunked":
                body = self._chunked()
            else:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._answer(body)

        def _chunked(self) -> bytes:
            body = b""
            while size := int(self.rfile.readline().strip(), 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return body

        def _answer(self, body: bytes) -> None:
            seen.requests.append(
                {"method": self.command, "path": self.path, "headers": self.headers, "body": body}
            )
            self.send_response(seen.status)
            self.send_header("Content-Type", seen.content_type)
            self.send_header("Content-Length", str(len(seen.body)))
            self.end_headers()
            self.wfile.write(seen.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[Seen]:
    seen = Seen()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(seen))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PAYROUTE_ADMIN_KEY", "sk_admin")
    monkeypatch.setenv("PAYROUTE_RECONCILIATION_URL", f"http://127.0.0.1:{server.server_port}")
    yield seen
    server.shutdown()
    server.server_close()
    thread.join()


def test_an_upload_streams_the_file_with_its_provider_and_date(
    service: Seen, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "stripe.csv"
    report.write_text("id,amount\ntxn_1,100\n")
    service.body = b'{"id": "rpt_1"}'

    code = main(["recon", "upload", str(report), "--provider", "stripe", "--date", "2025-01-31"])

    assert (code, json.loads(capsys.readouterr().out)) == (0, {"id": "rpt_1"})
    (request,) = service.requests
    assert request["path"] == "/v1/reconciliation/reports?provider=stripe&date=2025-01-31"
    assert request["headers"]["Authorization"] == "Bearer sk_admin"
    assert request["headers"]["Content-Type"] == "text/csv"
    assert request["body"] == b"id,amount\ntxn_1,100\n"


def test_a_run_asks_to_wait_and_issues_come_as_csv(
    service: Seen, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["recon", "run", "--report", "rpt_1", "--wait", "5"])

    assert code == 0
    run = service.requests[-1]
    assert (run["path"], run["headers"]["Prefer"]) == ("/v1/reconciliation/runs", "wait=5")
    assert json.loads(run["body"]) == {"report_id": "rpt_1"}
    capsys.readouterr()

    service.body, service.content_type = b"id,class\niss_1,missing\n", "text/csv"
    code = main(["recon", "issues", "--status", "open", "--csv"])

    assert (code, capsys.readouterr().out) == (0, "id,class\niss_1,missing\n")
    assert service.requests[-1]["path"] == "/v1/reconciliation/issues.csv?status=open"


def test_the_services_refusal_is_one_line(
    service: Seen, capsys: pytest.CaptureFixture[str]
) -> None:
    service.status = 404
    service.body = b'{"error": {"message": "No such report: \'rpt_x\'"}}'

    code = main(["recon", "run", "--report", "rpt_x"])

    assert code == 1
    assert capsys.readouterr().err == "payroute: error: 404: No such report: 'rpt_x'\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["recon", "run"], "give --provider (and --date) or --report"),
        (["recon", "upload", "/no/such.csv", "--provider", "stripe"], "no such file"),
    ],
)
def test_bad_requests_fail_before_asking(
    service: Seen, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(args)

    assert code == 1
    assert capsys.readouterr().err.startswith(f"payroute: error: {message}")
    assert service.requests == []


def test_without_an_admin_key_or_a_service_it_fails_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PAYROUTE_ADMIN_KEY", raising=False)
    monkeypatch.setenv("PAYROUTE_RECONCILIATION_URL", "http://127.0.0.1:1")

    assert main(["recon", "issues"]) == 1
    assert capsys.readouterr().err == (
        "payroute: error: PAYROUTE_ADMIN_KEY is not set (a platform admin key)\n"
    )

    monkeypatch.setenv("PAYROUTE_ADMIN_KEY", "sk_admin")

    assert main(["recon", "issues"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("payroute: error: cannot reach reconciliation at http://127.0.0.1:1: ")
    assert err.count("\n") == 1
