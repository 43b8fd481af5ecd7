"""Stand-in services for devstack tests: the same env contract, no real work.

Each serves on 127.0.0.1:<PREFIX>PORT: `GET /health/ready` (503 for a moment,
then 200) and `GET /env` (the variables the devstack sets, as JSON).
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SHOWN = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "TOPIC_PREFIX",
    "STRIPE_API_KEY",
    "STRIPE_API_BASE",
    "STRIPE_WEBHOOK_SECRET",
    "PAYMONGO_SECRET_KEY",
    "PAYMONGO_API_BASE",
    "PAYMONGO_WEBHOOK_SECRET",
    "XENDIT_SECRET_KEY",
    "XENDIT_API_BASE",
    "XENDIT_CALLBACK_TOKEN",
    "PROVIDER_SIMULATOR_WEBHOOK_BASE_URL",
)


def serve(prefix: str) -> None:
    started = time.monotonic()
    shown = {k: os.environ.get(k) for k in SHOWN}
    shown["DATABASE_URL"] = os.environ.get(f"{prefix}DATABASE_URL")
    shown["PID"] = str(os.getpid())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/health/ready":
                ready = time.monotonic() - started > 0.3
                self._send(200 if ready else 503, {"ready": ready})
            elif self.path == "/env":
                self._send(200, shown)
            else:
                self._send(404, {})

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    host = os.environ[f"{prefix}HOST"]
    server = ThreadingHTTPServer((host, int(os.environ[f"{prefix}PORT"])), Handler)
    print(f"fake service {prefix} listening", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sys.exit(0)
