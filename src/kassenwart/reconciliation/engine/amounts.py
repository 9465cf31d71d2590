"""How a payment amount relates to open amounts; allocations; exact subset sums."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

from .model import ZERO, MatchingConfig
from .reasons import Reason, sum_of

CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_MAX_INSTALLMENTS = 12


class Fit(Enum):
    EXACT = "exact"
    SKONTO = "skonto"
    FEE = "fee"
    INSTALLMENT = "installment"
    PARTIAL = "partial"
    OVERPAID = "overpaid"
    NONE = "none"


EXACTISH = frozenset({Fit.EXACT, Fit.SKONTO, Fit.FEE})


class AmountFit(NamedTuple):
    kind: Fit
    difference: Decimal = ZERO  # open total minus payment (negative: overpaid)
    percent: Decimal | None = None  # Skonto percentage
    parts: int | None = None  # installment: payment is 1/parts of the open total

    def small_surplus(self, config: MatchingConfig) -> bool:
        """Overpaid by no more than the company lets the engine apply on its own."""
        return self.kind is Fit.OVERPAID and -self.difference <= config.max_overpayment

    def reason(self, count: int) -> Reason:
        """How the payment fits the open amount of `count` invoices."""
        match self.kind:
            case Fit.EXACT:
                return _equals(count)
            case Fit.SKONTO:
                return sum_of("skonto", 1, percent=f"{self.percent.normalize():f}", amount=self.difference)
            case Fit.FEE:
                return sum_of("bank_fee", count, amount=self.difference)
            case Fit.INSTALLMENT:
                return sum_of("installment", count, parts=self.parts)
            case Fit.PARTIAL:
                return sum_of("partial", count, amount=self.difference)
            case Fit.OVERPAID:
                return sum_of("overpaid", 1, amount=-self.difference)
        return sum_of("amount_does_not_fit", count)


@lru_cache(maxsize=64)
def _equals(count: int) -> Reason:
    """The reason of most matches, said once per count of invoices."""
    return sum_of("amount_equals", count)


# The answers without figures, made once: a run asks `fit` for every candidate it scores.
_NO_FIT, _EXACT_FIT = AmountFit(Fit.NONE), AmountFit(Fit.EXACT)


def fit(payment: Decimal, opens: Sequence[Decimal], config: MatchingConfig) -> AmountFit:
    total = sum(opens, ZERO)
    if total <= 0 or payment <= 0:
        return _NO_FIT
    difference = total - payment
    if difference == 0:
        return _EXACT_FIT
    if difference < 0:
        return AmountFit(Fit.OVERPAID, difference)
    slack = config.rounding * len(opens)
    for percent in config.skonto_percents:
        expected = (total * (_HUNDRED - percent) / _HUNDRED).quantize(CENT, ROUND_HALF_UP)
        if abs(payment - expected) <= slack:
            return AmountFit(Fit.SKONTO, difference, percent=percent)
    if difference <= config.max_fee:
        return AmountFit(Fit.FEE, difference)
    # One part of two or more: the payment is at most half the open amount (and a cent).
    if len(opens) == 1 and payment * 2 < total + CENT * 2:
        for parts in range(2, _MAX_INSTALLMENTS + 1):
            if abs(payment * parts - total) < CENT * parts:
                return AmountFit(Fit.INSTALLMENT, difference, parts=parts)
    return AmountFit(Fit.PARTIAL, difference)


def within_tolerance(payment: Decimal, open_amount: Decimal, config: MatchingConfig) -> bool:
    """Cheap test: could `payment` settle `open_amount` exactly, with Skonto, a fee or a
    small surplus? (Then `fit` tells which.)"""
    difference = open_amount - payment
    if difference < -config.max_overpayment:
        return False
    skonto = max(config.skonto_percents, default=ZERO) * open_amount / _HUNDRED + config.rounding
    return difference <= config.max_fee or difference <= skonto


def allocate(
    payment: Decimal, opens: Sequence[tuple[str, Decimal]], amount_fit: AmountFit
) -> tuple[dict[str, Decimal], Decimal, Decimal]:
    """(invoice id -> applied amount, surplus, write-off); `opens` oldest first.

    Credit notes are used up entirely. A Skonto or fee shortfall is spread over the invoices
    in proportion to their open amounts; a partial payment settles the oldest first.
    """
    if amount_fit.kind in (Fit.EXACT, Fit.OVERPAID):
        applied = {i: amount for i, amount in opens}
        return applied, payment - sum(applied.values(), ZERO), ZERO
    credits = {i: amount for i, amount in opens if amount < 0}
    debits = [(i, amount) for i, amount in opens if amount >= 0]
    available = payment - sum(credits.values(), ZERO)
    if amount_fit.kind in (Fit.SKONTO, Fit.FEE):
        total = sum((a for _, a in debits), ZERO)
        shares = {i: (a * available / total).quantize(CENT, ROUND_HALF_UP) for i, a in debits}
        largest = max(debits, key=lambda item: item[1])[0]
        shares[largest] += available - sum(shares.values(), ZERO)
        return {**credits, **shares}, ZERO, amount_fit.difference
    applied = dict(credits)
    for i, amount in debits:
        share = min(amount, available)
        if share > 0:
            applied[i] = share
            available -= share
    return applied, ZERO, ZERO


def exact_subsets(
    items: Sequence[tuple[str, Decimal]], target: Decimal, limit: int, min_size: int = 2
) -> list[frozenset[str]]:
    """Up to `limit` sets of at least `min_size` items whose amounts add up to `target`.

    Meet in the middle: all sums of each half (at most 2**10 each), one dictionary.
    """
    if len(items) < min_size:
        return []
    cents = [(i, int(a * 100)) for i, a in items]
    goal = int(target * 100)
    half = len(cents) // 2
    left = _all_sums(cents[:half])
    by_sum: dict[int, list[tuple[str, ...]]] = {}
    for total, chosen in left:
        by_sum.setdefault(total, []).append(chosen)
    found: list[frozenset[str]] = []
    for total, chosen in _all_sums(cents[half:]):
        for other in by_sum.get(goal - total, ()):
            combined = frozenset(other + chosen)
            if len(combined) >= min_size and combined not in found:
                found.append(combined)
                if len(found) >= limit:
                    return found
    return found


def _all_sums(items: Sequence[tuple[str, int]]) -> list[tuple[int, tuple[str, ...]]]:
    sums: list[tuple[int, tuple[str, ...]]] = [(0, ())]
    for i, amount in items:
        sums += [(total + amount, chosen + (i,)) for total, chosen in sums]
    return sums
