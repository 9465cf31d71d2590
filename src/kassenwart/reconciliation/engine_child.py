"""The matching engine in a child interpreter, beside the run that writes its decisions.

A large matching run has two halves of seconds each: the engine deciding, and the run making
each decision into rows and writing them. Python runs one thread at a time, so here the
engine runs in a child process (core.offload) on the other core, and its decisions come back
as they are decided, in the engine's order (rows.decisions):

    with EngineChild() as child:                        # the interpreter starts at once
        invoice_rows = child.send_invoices(parts_of_invoice_rows, config, knowledge)
        child.send_transactions(transaction_rows)       # the child builds its index meanwhile
        for decision in child:
            ...

The input goes through a pipe of its own, in parts: the child makes the invoices of each
part while the run reads the next, and builds the invoices' index while the run still reads
the payments. The rows go as `marshal` writes
them, with amounts and dates as text (rows.plain_invoice): pickle takes 0.7 s for 100,000
invoice rows, most of it for their Decimals and dates, this a sixth of it. The child reads
them with its garbage collector at rest (it would scan the rows again and again while they
are made). Leaving the block
kills a child that has not finished. Nothing here imports Django: the child imports this
module without setting Django up.
"""

from __future__ import annotations

import gc
import marshal
import os
import pickle
import struct
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from kassenwart.core.offload import Stream
from kassenwart.reconciliation import engine, rows

TARGET = "kassenwart.reconciliation.engine_child:decisions_in_child"
INVOICE_PART = 20_000  # invoice rows sent at a time, while the run reads the next


class EngineChild:
    """The parent's side: start the child, send it the rows, read its decisions."""

    def __init__(self, *, batch: int = 1000):
        readable, writable = os.pipe()
        try:
            self._stream = Stream(TARGET, batch=batch, pass_fds=[readable])
        except BaseException:
            os.close(writable)
            raise
        finally:
            os.close(readable)  # the child's now
        self._pipe = open(writable, "wb")  # noqa: SIM115 - closed by close()
        # writes into the pipe wait for the child to read; this process goes on meanwhile
        self._writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-input")
        self._stream.start(readable)

    @property
    def pid(self) -> int:
        return self._stream.pid

    def __enter__(self) -> EngineChild:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send_invoices(self, parts: Iterable[list[tuple]], config: engine.MatchingConfig,
                      knowledge: engine.Knowledge) -> list[tuple]:
        """Send the invoices' rows a part at a time as they are read (the child makes them
        into invoices meanwhile); returns the rows. A part may hold the rows as the database
        driver gives them (rows.plain_invoice)."""
        self._send(pickle.dumps((config, knowledge), pickle.HIGHEST_PROTOCOL))
        read = []
        for part in parts:
            read += part
            self._send(marshal.dumps([rows.plain_invoice(row) for row in part]))
        self._send(marshal.dumps([]))  # the end of the invoices
        return read

    def send_transactions(self, transaction_rows: Sequence[tuple]) -> None:
        self._send(marshal.dumps([rows.plain_transaction(row) for row in transaction_rows]))

    def __iter__(self) -> Iterator[engine.Decision]:
        """The decisions in the order the engine decides them; the child's failure raised
        (core.offload: its own exception, or OffloadError when it died)."""
        return iter(self._stream)

    def close(self) -> None:
        """Kill the child unless it finished (a write it did not read then fails and ends)."""
        try:
            self._stream.close()
        finally:
            self._writing.shutdown(wait=True)
            self._pipe.close()

    def _send(self, part: bytes) -> None:
        """A part of the input, after its length."""
        self._writing.submit(self._write, _LENGTH.pack(len(part)) + part)

    def _write(self, blob: bytes) -> None:
        try:
            self._pipe.write(blob)
            self._pipe.flush()
        except (BrokenPipeError, ValueError):  # the child died, or the run closed the pipe:
            pass  # reading the child's stream says why


def decisions_in_child(fd: int) -> Iterator[engine.Decision]:
    """The child's side (run by core.offload): the rows read from the pipe `fd`, the
    decisions yielded as rows.decisions makes them.

    The input rows are kept to the end (`_kept`): the child leaves without freeing them
    (core.offload), where freeing them one by one as the run goes cost half a second."""
    gc.disable()
    pipe = os.fdopen(fd, "rb")
    config, knowledge = pickle.loads(_part(pipe))
    yield from rows.decisions(_invoice_rows(pipe), _transaction_rows(pipe), config, knowledge)


def _invoice_rows(pipe) -> Iterator[tuple]:
    """A part at a time, as the run reads and sends them, until an empty part."""
    while part := marshal.loads(_part(pipe)):
        _kept.append(part)
        yield from part


def _transaction_rows(pipe) -> Iterator[tuple]:
    """Read when the engine asks for the first transaction: after it built its index."""
    transaction_rows = marshal.loads(_part(pipe))
    _kept.append(transaction_rows)
    yield from transaction_rows


def _part(pipe) -> bytes:
    """The next part of the input."""
    head = pipe.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the run stopped sending the engine's input")
    return pipe.read(_LENGTH.unpack(head)[0])


_LENGTH = struct.Struct("!Q")


_kept: list = []  # the child's input, freed by the end of the process, not object by object
