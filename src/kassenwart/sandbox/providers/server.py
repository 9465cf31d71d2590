"""HTTP transport of the provider simulators: one ThreadingHTTPServer per provider, the
faults the tests inject, and the command `kassenwart sandbox-provider`."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def one(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[0]


@dataclass
class Answer:
    status: int
    body: dict | list
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Faults:
    """Counts: each request a fault hits uses one up. 500 first, then 429, then 401."""

    status_500: int = 0
    status_429: int = 0
    status_401: int = 0
    retry_after: int = 1  # seconds a 429 asks to wait
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self) -> str:
        with self._lock:
            for name in ("status_500", "status_429", "status_401"):
                if getattr(self, name) > 0:
                    setattr(self, name, getattr(self, name) - 1)
                    return name
        return ""

    def clear(self) -> None:
        self.status_500 = self.status_429 = self.status_401 = 0


class _Json(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return format(o, "f")  # PayPal and Qonto send amounts as strings or numbers
        return super().default(o)


class ProviderServer:
    """Serves one provider API (an object with `handle(Request) -> Answer`, `unauthorized()`,
    `rate_limited(seconds)`, `failed()`) on 127.0.0.1."""

    def __init__(self, api, host: str = "127.0.0.1", port: int = 0):
        self.api = api
        self.faults = Faults()
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # the ledger's contents stay out of logs
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(self.command, parts.path, parse_qs(parts.query),
                                  {k.lower(): v for k, v in self.headers.items()}, body)
                server.requests.append((self.command, self.path))
                fault = server.faults.take()
                if fault == "status_500":
                    answer = server.api.failed()
                elif fault == "status_429":
                    answer = server.api.rate_limited(server.faults.retry_after)
                elif fault == "status_401":
                    answer = server.api.unauthorized()
                else:
                    try:
                        answer = server.api.handle(request)
                    except Exception:  # a simulator bug must answer, not hang the client
                        answer = server.api.failed()
                data = json.dumps(answer.body, cls=_Json).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ProviderServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="sandbox-provider", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve(provider: str, *, host: str = "127.0.0.1", port: int = 0, out=None) -> None:
    """Run a simulator until interrupted; first print one JSON line: url and credentials."""
    import sys

    from . import APIS

    api = APIS[provider].demo()
    server = ProviderServer(api, host, port)
    out = out or sys.stdout
    out.write(json.dumps({"provider": provider, "url": server.url, "credentials": api.credentials}) + "\n")
    out.flush()
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
