"""Engines that break, for tests/reconciliation/test_reconciliation_child.py to run in the
engine's child interpreter in place of engine_child.decisions_in_child (found there through
PYTHONPATH, which the tests set to this folder). Each reads its input as the real one does
and passes on its real decisions until it breaks."""

import time

from kassenwart.reconciliation.engine_child import decisions_in_child


class EngineBroke(Exception):
    pass


def fails_after_two(fd):
    for number, decision in enumerate(decisions_in_child(fd)):
        if number == 2:
            raise EngineBroke("broke after 2 decisions")
        yield decision


def stalls_after_two(fd):
    for number, decision in enumerate(decisions_in_child(fd)):
        if number == 2:
            time.sleep(120)  # until the test kills it
        yield decision
