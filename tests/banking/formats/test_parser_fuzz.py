"""A short fuzzing run in the suite: real bank files mutated by Hypothesis, each parser either
reads them or refuses them, within the CPU budget (tests/parser_fuzz.py). The long run with a
kept corpus is scripts/fuzz."""

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parser_fuzz import BUDGET, FAMILIES, mutated, run, seed_files
from shared_data import shared_path

# About 5 s per family on an idle machine, run on each database: well within a minute in all.
EXAMPLES = 150


@cache
def _seeds() -> dict[str, list[bytes]]:
    return seed_files(shared_path("bankfiles"))


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choices=st.data())
def test_a_mutated_bank_file_is_read_or_refused_within_the_budget(family, choices):
    seeds = _seeds()[family]

    def choose(n: int) -> int:
        return choices.draw(st.integers(0, n - 1)) if n > 1 else 0

    data = mutated(seeds[choose(len(seeds))], seeds, choose, steps=1 + choose(4))
    outcome = run(family, data)  # any exception but a refusal fails the test
    assert outcome.cpu_seconds <= BUDGET, f"{len(data)} bytes took {outcome.cpu_seconds:.2f} s of CPU"
