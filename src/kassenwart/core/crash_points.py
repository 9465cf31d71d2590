"""Seeded crash points for the crash drills (tests/payments/test_crash_recovery.py,
scripts/crash-drill): a real process is killed with SIGKILL, from outside, at a named point.

Only when KASSENWART_TEST_CRASH_AT=<point>:<n> is set (read at each call, so a forked child
may set it): the n-th time this process reaches <point>, it writes "<point>" as a line to the
file KASSENWART_TEST_CRASH_REPORT and then waits, doing nothing more, for the drill's kill.
Unset (always, outside the drills), `crash_point` does nothing but read the environment.
"""

from __future__ import annotations

import os
import time
from collections import Counter

_reached: Counter = Counter()


def crash_point(name: str) -> None:
    wanted = os.environ.get("KASSENWART_TEST_CRASH_AT")
    if not wanted:
        return
    point, _, count = wanted.rpartition(":")
    if point != name:
        return
    _reached[name] += 1
    if _reached[name] != int(count):
        return
    with open(os.environ["KASSENWART_TEST_CRASH_REPORT"], "a") as report:
        report.write(f"{name}\n")
    while True:  # the drill kills this process now; it must not go on meanwhile
        time.sleep(3600)


def _reset_in_child() -> None:
    _reached.clear()


os.register_at_fork(after_in_child=_reset_in_child)
