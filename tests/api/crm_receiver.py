"""The CRM's webhook receiver in the API tests: a threaded http.server on a free port that verifies every request's signature with the standardwebhooks package (as a
CRM would) and answers with the statuses a test scripts (200 once none is left)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Call:
    headers: dict[str, str]
    payload: dict | None  # None: the signature did not verify
    answered: int


@dataclass
class Crm:
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verified(self, event_type: str | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.payload is not None
                    and (event_type is None or c.payload["type"] == event_type)]


def start() -> tuple[Crm, ThreadingHTTPServer]:
    crm = Crm()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                payload = Webhook(crm.secret).verify(body, headers)
            except WebhookVerificationError:
                payload = None
            with crm.lock:
                status = crm.answers.pop(0) if crm.answers else 200
                crm.calls.append(Call(headers, payload, status))
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    crm.url = f"http://127.0.0.1:{server.server_address[1]}/crm/webhooks"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return crm, server
