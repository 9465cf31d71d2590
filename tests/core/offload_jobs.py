"""Generators for tests/core/test_offload.py to run in a child interpreter (found there
through PYTHONPATH, which the tests set to this folder)."""

import itertools
import os
import time


def numbers(count):
    yield from ((number, f"item {number}") for number in range(count))


def broken_after(count):
    yield from range(count)
    raise ValueError(f"broken after {count}")


class Unpicklable(Exception):
    def __init__(self, text):
        super().__init__(text)
        self.callback = lambda: None  # a lambda cannot be pickled


def unpicklable_failure():
    yield 1
    raise Unpicklable("with a lambda attached")


def chatty(count):
    for number in range(count):
        print(f"printing {number} on stdout")
        yield number


def endless():
    for number in itertools.count():
        yield number
        time.sleep(0.001)


def lines_of(fd):
    with os.fdopen(fd, "rb", closefd=False) as file:
        file.seek(0)
        yield from file.read().splitlines()


def unpicklable_item():
    yield 1
    yield lambda: None
