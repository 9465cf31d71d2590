"""A CRM's webhook receiver for the tests: a real HTTP server on a free local port that
checks every request's signature with the standardwebhooks library, as a receiver would,
and answers with the status codes a test scripts (200 when none is left)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    payload: dict | None  # verified and parsed; None when the signature did not verify
    error: str = ""
    answered: int = 200


@dataclass
class Receiver:
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def verified(self, event_type: str | None = None) -> list[Received]:
        return [r for r in self.received if r.payload is not None
                and (event_type is None or r.payload["type"] == event_type)]


def start() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                payload, error = Webhook(receiver.secret).verify(body, headers), ""
            except (WebhookVerificationError, EmptyWebhookSecretError) as failure:  # no secret known yet too
                payload, error = None, str(failure)
            with lock:
                status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.received.append(Received(headers, body, payload, error, status))
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/kassenwart"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
