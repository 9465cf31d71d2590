"""A generator run in a child interpreter, its items streamed back while this process goes on.

A large statement import (parse, then write) and a large matching run (decide, then save)
are two halves that could run side by side on two cores; Python threads cannot, as one lock
lets only one of them run Python at a time. Here one half runs in a second process:

    for item in streamed("kassenwart.banking.formats.camt_child:items", path, batch=1000):
        ...  # the items as the child's generator yields them

The target, "module:function", names a generator function importable without Django (the
child sets up nothing else). Its arguments are pickled to the child once; its items come
back pickled in batches of `batch`, read by a thread of this process as soon as they are
written, so the child never waits for this one. `pass_fds` lets the child use open files
of this one under the same numbers (they share the file's position: this process must not
read such a file meanwhile).

Failure is never silent and leaves nothing running:
- an exception in the child is raised here: the same exception when it can be pickled (its
  traceback in the child added as a note), else OffloadError with its type and text;
- a child that ends without finishing (killed, out of memory) raises OffloadError;
- leaving the loop early, or an exception in it, kills the child (a `Stream` used as a
  context manager, or `streamed`'s generator closed or collected).

Anything the target prints goes to the child's stderr (inherited), never into the stream.
Once the stream is sent the child leaves at once (os._exit): what the job still holds is not
freed object by object, so a job may keep its large inputs to the end to save that time.
"""

from __future__ import annotations

import importlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence

_FRAME = struct.Struct("!cQ")  # kind, length of the pickled body
_ITEMS, _END, _ERROR = b"I", b"E", b"X"
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class OffloadError(Exception):
    """The child failed in a way that cannot be raised here as it was: it died, or its
    exception could not be pickled. `ending` says how, in a few words ("killed by signal
    SIGKILL", "MemoryError: ...")."""

    def __init__(self, text: str, ending: str):
        super().__init__(text)
        self.ending = ending

    def __reduce__(self):
        return type(self), (str(self), self.ending)


def streamed(target: str, *args, batch: int = 1000, pass_fds: Sequence[int] = ()) -> Iterator:
    """The items of `target(*args)` run in a child interpreter (see the module's docstring)."""
    with Stream(target, batch=batch, pass_fds=pass_fds) as stream:
        stream.start(*args)
        yield from stream


class Stream:
    """One child running one generator. The process starts at once (its interpreter's start
    overlaps what this one does before `start`); `start` sends the arguments; iterating
    yields the items. Use it as a context manager: leaving the block kills a child that has
    not finished."""

    def __init__(self, target: str, *, batch: int = 1000, pass_fds: Sequence[int] = ()):
        if ":" not in target:
            raise ValueError(f"target {target!r} is not 'module:function'")
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.target, self.batch = target, batch
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            pass_fds=tuple(pass_fds), close_fds=True,
        )
        self._frames: queue.SimpleQueue = queue.SimpleQueue()
        self._reader: threading.Thread | None = None
        self._finished = False

    @property
    def pid(self) -> int:
        return self._process.pid

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self, *args) -> None:
        """Send the child its arguments; a thread then writes them and reads what comes back."""
        if self._reader is not None:
            raise RuntimeError("a Stream runs one job")
        job = pickle.dumps((self.target, args, self.batch), _PROTOCOL)
        self._reader = threading.Thread(target=self._talk, args=(job,), name="offload-read", daemon=True)
        self._reader.start()

    def __iter__(self) -> Iterator:
        if self._reader is None:
            raise RuntimeError("start the Stream before reading it")
        while True:
            frame = self._frames.get()
            if frame is None:
                ending = self._ending()
                raise OffloadError(f"{self.target} in a child process ended without finishing ({ending})", ending)
            kind, body = frame
            if kind == _ITEMS:
                yield from pickle.loads(body)
            elif kind == _END:
                self._finished = True
                self.close()
                return
            else:
                self._finished = True
                self.close()
                raise _error(self.target, body)

    def close(self) -> None:
        """Kill the child unless it finished, and wait for it and the reading thread."""
        if self._process.poll() is None and not self._finished:
            self._process.kill()
        self._process.wait()
        if self._reader is not None:
            self._reader.join()
        self._process.stdout.close()

    def _talk(self, job: bytes) -> None:
        """In the reading thread: the job to the child, then every frame it writes into the
        queue (None at the end of the stream, finished or not)."""
        try:
            try:
                self._process.stdin.write(job)
                self._process.stdin.close()
            except BrokenPipeError:  # the child died before it read its job: the reads below tell
                pass
            stream = self._process.stdout
            while True:
                head = stream.read(_FRAME.size)
                if len(head) < _FRAME.size:
                    return
                kind, size = _FRAME.unpack(head)
                body = stream.read(size)
                if len(body) < size:
                    return
                self._frames.put((kind, body))
                if kind != _ITEMS:
                    return
        finally:
            self._frames.put(None)

    def _ending(self) -> str:
        code = self._process.wait()
        if code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"


def _error(target: str, body: bytes) -> BaseException:
    error, kind, text, where = pickle.loads(body)
    if error is None:
        return OffloadError(f"{target} in a child process: {kind}: {text}\n{where}", f"{kind}: {text}")
    error.add_note(f"raised in a child process running {target}:\n{where}")
    return error


# -- the child ---------------------------------------------------------------------------------


def _child() -> None:
    """Read the job from stdin, run it, write its frames to what was stdout."""
    stream = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what the job prints goes to stderr, not into the stream
    target, args, batch = pickle.load(sys.stdin.buffer)
    items = []
    try:
        module, name = target.split(":", 1)
        for item in getattr(importlib.import_module(module), name)(*args):
            items.append(item)
            if len(items) >= batch:
                _send(stream, _ITEMS, pickle.dumps(items, _PROTOCOL))
                items = []
        if items:
            _send(stream, _ITEMS, pickle.dumps(items, _PROTOCOL))
        _send(stream, _END, b"")
    except BaseException as error:  # noqa: BLE001 - every failure goes to the parent
        try:  # what came before the failure comes before it here too
            if items:
                _send(stream, _ITEMS, pickle.dumps(items, _PROTOCOL))
        except Exception:  # noqa: BLE001 - an item that cannot be pickled: the failure below says so
            pass
        where = "".join(traceback.format_exception(error))
        try:
            body = pickle.dumps((error, type(error).__name__, str(error), where), _PROTOCOL)
            pickle.loads(body)  # an exception may pickle and still fail to unpickle
        except Exception:  # noqa: BLE001
            body = pickle.dumps((None, type(error).__name__, str(error), where), _PROTOCOL)
        _send(stream, _ERROR, body)
    # Everything is sent: leave without the interpreter's tear-down, which would free what the
    # job kept object by object (a large run's millions) while the parent waits for the exit.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _send(stream, kind: bytes, body: bytes) -> None:
    stream.write(_FRAME.pack(kind, len(body)))
    stream.write(body)
    stream.flush()


if __name__ == "__main__":
    _child()
