"""HTTP transport of the sandbox bank: FinTS over HTTP POST, messages base64-encoded, and
the fault modes the end-to-end tests need (dropped answers, HTTP 500, delays).

`main` is the command `python -m kassenwart.sandbox` (and `kassenwart sandbox-bank`).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .bank import Bank, Settings
from .profiles import PROFILES, settings_for
from .scenarios import LOGIN, PIN, demo_bank
from .tan import METHODS

log = logging.getLogger(__name__)


@dataclass
class Faults:
    drop_after_order: int = 0  # close the connection without an answer, after booking, N times
    http_500: int = 0  # answer the next N requests with HTTP 500, without processing them
    delay: float = 0.0  # seconds to wait before every answer

    def take(self, name: str) -> bool:
        """Use up one occurrence of a counted fault."""
        left = getattr(self, name)
        if left > 0:
            setattr(self, name, left - 1)
        return left > 0


class FinTSHandler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        faults = self.server.faults
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(faults.delay)
        if faults.take("http_500"):
            self.send_error(500, "Internal Server Error")
            return
        try:
            message = base64.b64decode(body, validate=False)
        except binascii.Error:
            message = b""
        try:
            answer = self.server.bank.handle(message)
        except Exception:
            log.exception("sandbox bank failed on a message")
            self.send_error(500, "Internal Server Error")
            return
        if answer.executed and faults.take("drop_after_order"):
            self.close_connection = True
            return
        payload = base64.b64encode(answer.body)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:
        pass  # the bank is quiet; tests read the ledger instead


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, bank: Bank, port: int = 0, host: str = "127.0.0.1"):
        super().__init__((host, port), FinTSHandler)
        self.bank = bank
        self.faults = Faults()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                  name="sandbox-bank", daemon=True)
        thread.start()
        self._thread = thread
        return thread

    def stop(self) -> None:
        """End serving (after `start`) and free the port."""
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    @classmethod
    @contextmanager
    def running(cls, bank: Bank, port: int = 0) -> Iterator[SandboxServer]:
        """The bank served in a thread of this process for the block."""
        server = cls(bank, port)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    def connection_info(self) -> dict:
        settings = self.bank.settings
        return {"url": self.url, "bank_code": settings.bank_code, "login": LOGIN, "pin": PIN,
                "tan": settings.tan, "product_id": settings.product_ids[0]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kassenwart sandbox-bank",
                                     description="FinTS 3.0 sandbox bank on 127.0.0.1")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        serve(**vars(args))
    except ValueError as error:
        parser.error(str(error))


def add_arguments(parser) -> None:
    """The sandbox bank's options (also those of `kassenwart sandbox-bank`)."""
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--profile", choices=list(PROFILES), default="default",
                        help="bank behaviour to imitate (see kassenwart.sandbox.profiles)")
    parser.add_argument("--tan-methods", default="",
                        help=f"comma-separated TAN methods the customer may use, of {', '.join(METHODS)}")
    parser.add_argument("--page-size", type=int, default=Settings.page_size)
    parser.add_argument("--sca-days", type=int, default=Settings.sca_interval.days,
                        help="days until a TAN is due again at dialog start")
    parser.add_argument("--confirm-after-polls", type=int, default=Settings.decoupled_confirm_after_polls,
                        help="the app confirms a decoupled TAN after this many status polls")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before every answer")
    parser.add_argument("--product-id", action="append", default=[], dest="product_ids",
                        help="a FinTS product id the bank accepts besides its own (repeatable)")


def serve(*, port: int, profile: str, tan_methods: str, page_size: int, sca_days: int,
          confirm_after_polls: int | None, delay: float, product_ids: list[str], **_ignored) -> None:
    """Print the connection data as one JSON line, then serve until interrupted."""
    settings = settings_for(profile, page_size=page_size, sca_interval=timedelta(days=sca_days),
                            decoupled_confirm_after_polls=confirm_after_polls,
                            product_ids=(*Settings.product_ids, *product_ids))
    methods = tuple(m for m in tan_methods.split(",") if m)
    if any(m not in METHODS for m in methods):
        raise ValueError(f"--tan-methods: choose from {', '.join(METHODS)}")
    server = SandboxServer(demo_bank(settings, methods=methods or None), port)
    server.faults.delay = delay
    print(json.dumps(server.connection_info()), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)
    finally:
        server.server_close()
