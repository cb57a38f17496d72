"""A real HTTP server on 127.0.0.1 that records telemetry POSTs, and can fail on demand."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []  # headers, raw body, decoded payload
        self.fail_next = 0  # answer 503 to this many requests first
        self.status_when_failing = 503
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.arrived:
                    failing = receiver.fail_next > 0
                    if failing:
                        receiver.fail_next -= 1
                    receiver.requests.append(
                        {
                            "headers": dict(self.headers),
                            "body": body,
                            "payload": json.loads(gzip.decompress(body)),
                            "status": receiver.status_when_failing if failing else 202,
                        }
                    )
                    receiver.arrived.notify_all()
                self.send_response(receiver.status_when_failing if failing else 202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/telemetry"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted_events(self) -> list[dict[str, Any]]:
        return [e for r in self.requests if r["status"] == 202 for e in r["payload"]["events"]]

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
