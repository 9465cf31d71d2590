"""This test process's children that core.offload started, read from /proc: for tests that a
child is killed, waited for, or started at all."""

import os
from pathlib import Path


def offload_children() -> list[int]:
    """The pids of this process's living (not yet ended) core.offload children."""
    me, found = str(os.getpid()), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            command = (entry / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        if parent == me and state != "Z" and b"kassenwart.core.offload" in command:
            found.append(int(entry.name))
    return found


def gone(pid: int) -> bool:
    """Whether the process ended and was waited for (a zombie still answers)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
