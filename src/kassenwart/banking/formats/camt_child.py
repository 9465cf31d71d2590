"""A camt file parsed in a child interpreter (core.offload), its items streamed back.

A large import has two halves, parsing and writing (rows, fingerprints, the database), and
Python runs only one thread of a process at a time: with the parse in a second process the
halves run side by side on two cores, and the import takes about as long as the parse.

``parse_camt_in_child(file)`` yields what ``parse_camt(file)`` yields, in the same order,
with the same refusals (the child's StatementFormatError, message and place, is raised
here). Across the processes:
- the child reads the file through the same descriptor (passed to it), at a position of its
  own (os.pread), so the parent's position stays where it was;
- entries travel as the tuples of their values (parse_camt's ``as_values``, cheaper to make
  and to pickle than Entry objects) and become Entry objects here;
- camt adds the warnings it finds in entries to the header it yielded before them; that
  change happens in the child, after the header was sent, so the child sends each
  statement's final warnings after its last entry and they are put on the header here,
  before the next header (or the end) reaches the importer, which reads them then.

A child that dies (killed, out of memory) raises core.offload.OffloadError; leaving the loop
early kills the child.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

from kassenwart.banking.formats.camt import parse_camt
from kassenwart.banking.formats.statement import Entry, StatementHeader, StatementItem
from kassenwart.core.gc_pause import gc_paused
from kassenwart.core.offload import Stream

TARGET = "kassenwart.banking.formats.camt_child:items"
BATCH = 1000  # items a pickle carries


class FinalWarnings(list):
    """The warnings of the statement before, complete: sent after its last entry."""


def parse_camt_in_child(file: BinaryIO) -> ChildParse:
    """The items of parse_camt(file), parsed in a child interpreter that starts at once;
    `file` must have a descriptor of a regular file (see ``readable_in_child``)."""
    return ChildParse(file)


class ChildParse:
    """An iterator over the items of a camt file that a child interpreter parses. The child
    starts when this is made, so that its start and first batches overlap whatever the
    caller does before reading; `close` kills it unless it finished (a context manager, or
    contextlib.closing, makes sure of that)."""

    def __init__(self, file: BinaryIO):
        fd = file.fileno()
        self._stream = Stream(TARGET, batch=BATCH, pass_fds=(fd,))
        self._stream.start(fd)
        self._items = self._received()

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._stream.pid

    def __iter__(self) -> Iterator[StatementItem]:
        return self._items

    def __next__(self) -> StatementItem:
        return next(self._items)

    def __enter__(self) -> ChildParse:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._items.close()
        self._stream.close()

    def _received(self) -> Iterator[StatementItem]:
        header: StatementHeader | None = None
        for item in self._stream:
            kind = type(item)
            if kind is tuple:
                yield Entry(*item)
            elif kind is FinalWarnings:
                header.warnings[:] = item
            else:
                header = item
                yield item


def readable_in_child(file: BinaryIO) -> bool:
    """Whether a child can read `file` through its descriptor: a regular file, read from its
    start (in-memory uploads, pipes and sockets have no such descriptor)."""
    try:
        fd = file.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both of the last two
        return False
    return stat.S_ISREG(os.fstat(fd).st_mode)


# -- in the child --------------------------------------------------------------------------------


def items(fd: int) -> Iterator[StatementHeader | tuple | FinalWarnings]:
    """The child's generator: the camt file open as `fd`, parsed from its start. The
    cyclic garbage collector is paused, as in the importer (core.gc_pause): this process
    makes only short-lived objects without cycles."""
    header: StatementHeader | None = None
    with gc_paused():
        for item in parse_camt(_ReadAt(fd), as_values=True):
            if type(item) is StatementHeader:
                if header is not None:
                    yield FinalWarnings(header.warnings)
                header = item
            yield item
        if header is not None:
            yield FinalWarnings(header.warnings)


class _ReadAt:
    """A file read through a descriptor at a position of its own (os.pread): the descriptor's
    position is shared with the parent, which may use it."""

    def __init__(self, fd: int):
        self.fd = fd
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = max(os.fstat(self.fd).st_size - self.position, 0)
        data = os.pread(self.fd, size, self.position)
        self.position += len(data)
        return data
