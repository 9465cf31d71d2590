"""Which process holds a claim, and whether it still lives.

Every process that claims work (the `serve` web process answering a TAN, the worker sending an
order, a bank login held for a sync) names itself in the claim with `current()`: a random id,
new for every process (and for every forked child), registered as a `WorkerProcess` row with
its host, pid, the kernel's boot id and pid namespace, and the process's start time. `serve` and `worker` keep
the row's heartbeat fresh (`beat`, every `BEAT` seconds) and delete it when they stop cleanly.

A claim's process is dead (`dead()`):
- when its row is gone;
- on the same host and in the same pid namespace, when /proc shows no process with that pid
  started at that time since the same boot (or the machine has booted since): decided at once, so a restarted `serve` recovers what its predecessor held at
  start-up, and a reused pid is never mistaken for the old process;
- on another host (or without /proc), when its heartbeat is older than `STALE`.
A process that is merely paused counts as alive on its own host, and a paused process on
another host that wakes after `STALE` finds its claim taken: the claims that guard a bank call
are conditional on `claimed_by` (see payments/submission.py), so it cannot act on it any more.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from kassenwart.core.models import WorkerProcess

BEAT = 15  # seconds between heartbeats
STALE = timedelta(seconds=45)  # three missed heartbeats: the process on another host is gone

_me: str | None = None
_naming = threading.Lock()


def current() -> str:
    """This process's id, its row written if it is missing. (Checked on every call: a claim is
    made in the same transaction as the row it names, so a rolled-back first registration can
    never leave a claim naming a process that looks dead.)"""
    global _me
    with _naming:
        if _me is None:
            _me = secrets.token_hex(16)
        me = _me
    if not WorkerProcess.objects.filter(id=me).exists():  # several threads may get here at once
        WorkerProcess.objects.bulk_create([WorkerProcess(
            id=me, host=socket.gethostname()[:255], pid=os.getpid(), pid_space=_pid_space(),
            pid_started=_started(os.getpid()), beat_at=timezone.now())], ignore_conflicts=True)
    return me


def _forgotten_in_child() -> None:
    global _me
    _me = None  # a forked child is a process of its own


os.register_at_fork(after_in_child=_forgotten_in_child)


def beat() -> None:
    """Tell the others this process lives (re-registering if a peer removed it as dead)."""
    if _me is None or not WorkerProcess.objects.filter(id=_me).update(beat_at=timezone.now()):
        current()


def stopped() -> None:
    """The process ends cleanly: its row goes (it holds no claim any more)."""
    global _me
    if _me is not None:
        WorkerProcess.objects.filter(id=_me).delete()
        _me = None


def dead(ids) -> set[str]:
    """Of the claimants `ids`, those whose process no longer lives (see the module's rules)."""
    ids = {i for i in ids if i}
    if not ids:
        return set()
    rows = {w.id: w for w in WorkerProcess.objects.filter(id__in=ids)}
    host, space, now = socket.gethostname()[:255], _pid_space(), timezone.now()
    boot = space.split(" ")[0]
    gone = set()
    for worker_id in ids:
        worker = rows.get(worker_id)
        if worker is None:
            gone.add(worker_id)
        elif worker.host == host and space and worker.pid_space == space:
            if _started(worker.pid) != worker.pid_started:
                gone.add(worker_id)
        elif worker.host == host and boot and worker.pid_space and worker.pid_space.split(" ")[0] != boot:
            gone.add(worker_id)  # the machine has booted since
        elif worker.beat_at < now - STALE:
            gone.add(worker_id)
    return gone


def forget_dead() -> int:
    """Remove the rows of processes known dead (after their claims were moved on)."""
    stale = WorkerProcess.objects.filter(beat_at__lt=timezone.now() - STALE).values_list("id", flat=True)
    gone = dead(list(stale))
    return WorkerProcess.objects.filter(id__in=gone).delete()[0] if gone else 0


def _pid_space() -> str:
    """"<boot id> <pid namespace>" of this process ("" without /proc)."""
    try:
        return f"{Path('/proc/sys/kernel/random/boot_id').read_text().strip()} {os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return ""


def _started(pid: int) -> int | None:
    """When process `pid` of this pid namespace started (None when no such process runs)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from its closing one.
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] == "Z":
        return None  # a zombie has died; only its parent has not collected it yet
    return int(fields[19])  # field 22 of the whole line: starttime
