"""HTTP transport of the sandbox bank: FinTS over HTTP POST, messages base64-encoded, and
the fault modes the end-to-end tests need.

Faults (`SandboxServer.faults`, `--fault NAME[=N]` on the command line) are counts: each
message a fault hits uses up one, so 1 is one-shot and 3 hits the next three messages it
applies to. A new server has none (the tests' fixtures start one per test); `faults.clear()`
takes them all back and ends a hold.

  The next message, before the bank reads it (the bank never sees it):
    drop                    the connection is reset (RST), no answer
    http_500                HTTP 500
  The next message, after the bank processed it:
    garble                  its answer arrives cut off halfway: no readable FinTS message
  A message whose order the bank executed (the TAN, or an order that needs none):
    drop_after_order, http_500_after_order, garble_after_order   as above
    hold_after_order        no answer until `faults.release()` or the server stops, then a
                            reset; `faults.holding` is set meanwhile
  A message that ends its dialog (HKEND), after the bank ended it:
    drop_at_dialog_end, http_500_at_dialog_end, garble_at_dialog_end   as above
    error_at_dialog_end     answered 9800 (message) and 9010 (HKEND): python-fints raises
  Every message:
    delay                   seconds to wait before answering (a float, not a count)

Where several apply, drop and http_500 come first; then the `*_after_order` faults when
the bank executed an order, else the `*_at_dialog_end` ones when the message ended its
dialog; then garble. `server.exchanges` is the server's own record of its last requests
(segment types, fault, delay, times on its monotonic clock), for tests that ask what
reached the bank, what hit it and when.

`main` is the command `python -m kassenwart.sandbox` (and `kassenwart sandbox-bank`).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import logging
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .bank import Bank, Settings
from .profiles import PROFILES, settings_for
from .protocol import error_answer
from .scenarios import LOGIN, PIN, demo_bank
from .tan import METHODS

log = logging.getLogger(__name__)

BEFORE = ("drop", "http_500")  # the bank never reads the message
AFTER_ORDER = ("drop_after_order", "http_500_after_order", "garble_after_order", "hold_after_order")
AT_DIALOG_END = ("drop_at_dialog_end", "http_500_at_dialog_end", "garble_at_dialog_end", "error_at_dialog_end")
ANY = ("garble",)
NAMES = BEFORE + ANY + AFTER_ORDER + AT_DIALOG_END
KEPT_EXCHANGES = 1000


@dataclass
class Faults:
    """What goes wrong with the next messages (the table in the module docstring)."""

    drop: int = 0
    http_500: int = 0
    garble: int = 0
    drop_after_order: int = 0
    http_500_after_order: int = 0
    garble_after_order: int = 0
    hold_after_order: int = 0
    drop_at_dialog_end: int = 0
    http_500_at_dialog_end: int = 0
    garble_at_dialog_end: int = 0
    error_at_dialog_end: int = 0
    delay: float = 0.0  # seconds to wait before every answer
    holding: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)
    _held: list[threading.Event] = field(default_factory=list, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def set(self, name: str, times: int = 1) -> None:
        if name not in NAMES:
            raise ValueError(f"unknown fault {name!r}; choose from {', '.join(NAMES)}")
        if times < 0:
            raise ValueError(f"fault {name}: a count is 0 or more")
        setattr(self, name, times)

    def take(self, *names: str) -> str:
        """Use up one occurrence of the first of these faults that is set: its name, or ""."""
        with self._lock:
            for name in names:
                left = getattr(self, name)
                if left > 0:
                    setattr(self, name, left - 1)
                    return name
        return ""

    def clear(self) -> None:
        """No faults any more, no delay, and no answer held."""
        for name in NAMES:
            setattr(self, name, 0)
        self.delay = 0.0
        self.release()

    def release(self) -> None:
        """End every hold: the held connections are reset."""
        with self._lock:
            held, self._held = self._held, []
            self.holding.clear()
        for event in held:
            event.set()

    def hold(self, stopping: threading.Event) -> None:
        """Wait (in the request's thread) until `release()` or the server stops."""
        released = threading.Event()
        with self._lock:
            self._held.append(released)
            self.holding.set()
        while not released.wait(0.05) and not stopping.is_set():
            pass


@dataclass
class Exchange:
    """One request as the server saw it (`SandboxServer.exchanges`)."""

    received: float  # on the server's monotonic clock
    answered: float | None = None  # when it was done with it: answer, error or reset
    delayed: float = 0.0  # seconds it waited before answering (`Faults.delay`)
    segments: tuple[str, ...] = ()  # the customer's segment types; none when the bank did not read them
    executed: bool = False  # the bank executed an order of it
    fault: str = ""  # the fault that hit it


def garbled(body: bytes) -> bytes:
    """The bank's answer cut off halfway through its encrypted part (HNVSD): the length
    announced there is never reached, so no FinTS parser reads it."""
    start = max(body.find(b"HNVSD"), 0)
    return body[: start + (len(body) - start) // 2]


def action(fault: str) -> str:
    """drop, http_500, garble, hold or error: what a fault does, wherever it hits."""
    return fault.split("_after_")[0].split("_at_")[0]


class FinTSHandler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        server, faults = self.server, self.server.faults
        exchange = self.exchange = Exchange(received=server.clock())
        server.exchanges.append(exchange)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if faults.delay > 0:
            exchange.delayed = faults.delay
            server.stopping.wait(faults.delay)
        try:
            self._handle(body, exchange)
        finally:
            exchange.answered = exchange.answered or server.clock()

    def _handle(self, body: bytes, exchange: Exchange) -> None:
        server, faults = self.server, self.server.faults
        fault = faults.take(*BEFORE)
        if fault:
            self._fail(fault, exchange)
            return
        try:
            message = base64.b64decode(body, validate=False)
        except binascii.Error:
            message = b""
        try:
            answer = server.bank.handle(message)
        except Exception:
            log.exception("sandbox bank failed on a message")
            self.send_error(500, "Internal Server Error")
            return
        exchange.segments, exchange.executed = answer.segments, answer.executed
        if answer.executed:
            fault = faults.take(*AFTER_ORDER)
        elif "HKEND" in answer.segments:
            fault = faults.take(*AT_DIALOG_END)
        fault = fault or faults.take(*ANY)
        if not fault:
            self._answer(answer.body)
        elif action(fault) == "garble":
            exchange.fault = fault
            self._answer(garbled(answer.body))
        elif action(fault) == "error":
            exchange.fault = fault
            self._answer(error_answer(message, server.bank.settings.bank_code, "HKEND", "9010",
                                      "Verarbeitung zurzeit nicht möglich."))
        else:
            self._fail(fault, exchange)

    def _fail(self, fault: str, exchange: Exchange) -> None:
        """The faults without a FinTS answer: a reset (also after a hold) or HTTP 500."""
        exchange.fault = fault
        if action(fault) == "http_500":
            self.send_error(500, "Internal Server Error")
            return
        if action(fault) == "hold":
            self.server.faults.hold(self.server.stopping)
        self._reset()

    def _answer(self, body: bytes) -> None:
        payload = base64.b64encode(body)
        self.exchange.answered = self.server.clock()  # before the client can read it (tests read `exchanges`)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _reset(self) -> None:
        """Close the connection with a TCP reset (RST) instead of an answer, as a crashed
        server or a middlebox does; the client sees "connection reset by peer"."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the socket closes for real once no file uses it any more
        self.connection.close()

    def log_message(self, format, *args) -> None:
        pass  # the bank is quiet; tests read the ledger and `exchanges` instead


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, bank: Bank, port: int = 0, host: str = "127.0.0.1"):
        super().__init__((host, port), FinTSHandler)
        self.bank = bank
        self.faults = Faults()
        self.exchanges: deque[Exchange] = deque(maxlen=KEPT_EXCHANGES)
        self.stopping = threading.Event()  # ends delays and holds
        self.clock = time.monotonic

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
        """End serving (after `start`) and free the port; held answers are reset."""
        self.stopping.set()
        self.faults.release()
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
    parser.add_argument("--fault", action="append", default=[], dest="faults", type=fault_option,
                        metavar="NAME[=N]",
                        help=f"a fault for the next N (default 1) messages it applies to (repeatable): "
                             f"{', '.join(NAMES)}")
    parser.add_argument("--product-id", action="append", default=[], dest="product_ids",
                        help="a FinTS product id the bank accepts besides its own (repeatable)")


def fault_option(text: str) -> tuple[str, int]:
    """--fault NAME or NAME=N."""
    name, _, times = text.partition("=")
    if name not in NAMES:
        raise argparse.ArgumentTypeError(f"unknown fault {name!r}; choose from {', '.join(NAMES)}")
    if not (times or "1").isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: the count after = is a number")
    return name, int(times or 1)


def serve(*, port: int, profile: str, tan_methods: str, page_size: int, sca_days: int,
          confirm_after_polls: int | None, delay: float, product_ids: list[str],
          faults: Iterable[tuple[str, int]] = (), **_ignored) -> None:
    """Print the connection data as one JSON line, then serve until interrupted."""
    settings = settings_for(profile, page_size=page_size, sca_interval=timedelta(days=sca_days),
                            decoupled_confirm_after_polls=confirm_after_polls,
                            product_ids=(*Settings.product_ids, *product_ids))
    methods = tuple(m for m in tan_methods.split(",") if m)
    if any(m not in METHODS for m in methods):
        raise ValueError(f"--tan-methods: choose from {', '.join(METHODS)}")
    server = SandboxServer(demo_bank(settings, methods=methods or None), port)
    server.faults.delay = delay
    for name, times in faults:
        server.faults.set(name, times)
    print(json.dumps(server.connection_info()), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)
    finally:
        server.server_close()
