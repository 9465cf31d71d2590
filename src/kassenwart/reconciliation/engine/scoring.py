"""Score one candidate invoice set: a tier that says whether it is safe, points that rank it
within the tier, the reasons a person reads, and the allocations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .amounts import EXACTISH, AmountFit, Fit, allocate, fit
from .candidates import (
    CUSTOMER_NUMBER,
    IBAN,
    NAME,
    NAME_SHARED,
    NAME_SIMILAR,
    STRONG,
    Evidence,
    RefHit,
)
from .index import Index, due_order
from .model import Criterion, Invoice, MatchingConfig, Proposal, Transaction
from .reasons import Reason, reason

# Tiers, best first. Only AUTO_TIERS may be applied without a person.
REFERENCED_EXACT = 5  # every invoice named in full (or RF); amount fits (exact, Skonto, fee)
CORRECTED_EXACT = 4  # some named with a typo or short form; amount fits; payer confirmed
REFERENCED_PARTIAL = 3  # named in full; partial, installment or small surplus; payer confirmed
CUSTOMER_EXACT = 2  # no reference: the identified customer owes exactly this
EVIDENCE = 1
AMOUNT_ONLY = 0
AUTO_TIERS = frozenset({REFERENCED_EXACT, CORRECTED_EXACT, REFERENCED_PARTIAL, CUSTOMER_EXACT})
UNDONE = reason("undone_before")

# Confidence per tier: the points place a candidate within its band.
_BANDS = {
    REFERENCED_EXACT: (0.95, 0.99),
    CORRECTED_EXACT: (0.85, 0.94),
    REFERENCED_PARTIAL: (0.75, 0.84),
    CUSTOMER_EXACT: (0.65, 0.74),
    EVIDENCE: (0.3, 0.6),
    AMOUNT_ONLY: (0.05, 0.25),
}
_MAX_POINTS = 11.0
_REF_POINTS = {3: 4.0, 2: 3.0, 1: 2.0}
_SUPPORT_POINTS = {IBAN: 3.0, CUSTOMER_NUMBER: 3.0, NAME: 2.5, NAME_SIMILAR: 1.5, NAME_SHARED: 1.0}
_AMOUNT_POINTS = {
    Fit.EXACT: 3.0,
    Fit.SKONTO: 2.5,
    Fit.FEE: 2.0,
    Fit.INSTALLMENT: 1.5,
    Fit.OVERPAID: 1.0,
    Fit.PARTIAL: 0.5,
    Fit.NONE: 0.0,
}
_IDENTIFYING = frozenset({IBAN, CUSTOMER_NUMBER, NAME})


@dataclass(slots=True)
class Scored:
    """A candidate's tier and points; the proposal itself is built only when shown."""

    invoice_ids: frozenset[str]
    tier: int
    points: float
    invoices: list[Invoice]  # oldest due date first
    amount_fit: AmountFit
    refs: list[RefHit | None]
    supports: dict[str, Reason]
    contradicted: bool
    # The payer is known by IBAN as these customers, and some invoices are of others: the
    # payment may well pay another's invoice, but only a person can say so.
    foreign: tuple[str, ...] = ()
    payer: tuple[str, ...] = ()
    undone: bool = False  # a person undid this match before (Knowledge.undone)

    @property
    def safe(self) -> bool:
        """May this be applied without a person (when it is alone at the top)?"""
        return self.tier in AUTO_TIERS and not self.foreign and not self.undone

    def rank_key(self) -> tuple:
        oldest = self.invoices[0].due_date or date.max
        return (-self.tier, -self.points, len(self.invoices), oldest, sorted(self.invoice_ids))

    def proposal(
        self, tx: Transaction, open_amounts: Mapping[str, Decimal], config: MatchingConfig
    ) -> Proposal:
        opens = [(inv.id, open_amounts[inv.id]) for inv in self.invoices]
        allocations, surplus, write_off = allocate(tx.amount, opens, self.amount_fit)
        low, high = _BANDS[self.tier]
        confidence = round(low + (high - low) * max(0.0, min(self.points / _MAX_POINTS, 1.0)), 3)
        reasons = [r.reason for r in self.refs if r] + list(dict.fromkeys(self.supports.values()))
        if config.counts(Criterion.AMOUNT):
            reasons.append(self.amount_fit.reason(len(self.invoices)))
        if self.foreign:
            known_as = ", ".join(self.payer)
            reasons += [reason("other_customer", invoice=c, payer=known_as) for c in self.foreign]
        elif self.contradicted:
            reasons.append(reason("payer_elsewhere"))
        if self.undone:
            reasons.append(UNDONE)
        return Proposal(allocations, confidence, tuple(reasons), surplus, write_off)


def score(
    tx: Transaction,
    invoice_ids: frozenset[str],
    evidence: Evidence,
    index: Index,
    open_amounts: Mapping[str, Decimal],
    config: MatchingConfig,
) -> Scored | None:
    if len(invoice_ids) == 1:
        invoices = [index.invoices[i] for i in invoice_ids]
    else:
        invoices = sorted((index.invoices[i] for i in invoice_ids), key=due_order)
    currency = tx.currency
    for inv in invoices:  # a loop, not any() over a generator: this runs for every candidate
        if inv.currency != currency:
            return None
    amount_fit = fit(tx.amount, [open_amounts[inv.id] for inv in invoices], config)
    if amount_fit.kind is Fit.NONE:
        return None
    found = evidence.refs
    refs = [found.get(inv.id) for inv in invoices]
    known = evidence.customers
    supports: dict[str, Reason] = {}
    supported = True
    payer: tuple[str, ...] = ()
    foreign: tuple[str, ...] = ()
    if known:  # who the payer is, when anyone (most candidates are one invoice: no dict for them)
        customers = (invoices[0].customer_number,) if len(invoices) == 1 else dict.fromkeys(
            inv.customer_number for inv in invoices)
        for customer in customers:
            if customer in known:
                supports.update(known[customer])
            else:
                supported = False
        payer = tuple(c for c, kinds in known.items() if IBAN in kinds)
        if payer:
            foreign = tuple(c for c in customers if c not in payer)
    else:
        supported = False
    contradicted = bool(known) and not supports  # the payer is someone, but none of these
    tier = _tier(amount_fit, refs, supports, supported, contradicted, evidence, config)
    ref_points = 0.0
    for r in refs:
        if r:
            ref_points += _REF_POINTS[r.strength]
    points = (
        ref_points / len(refs)
        + _support_points(supports)
        + (_amount_points(amount_fit, config) if config.counts(Criterion.AMOUNT) else 0.0)
        - (3.0 if contradicted else 0.0)
    )
    return Scored(invoice_ids, tier, points, invoices, amount_fit, refs, supports, contradicted, foreign, payer)


def _amount_points(amount_fit: AmountFit, config: MatchingConfig) -> float:
    """An overpayment earns its points only when the surplus is small: one of thousands is
    rather a payment of more invoices than these (a collective one) than an overpayment."""
    if amount_fit.kind is Fit.OVERPAID and not amount_fit.small_surplus(config):
        return 0.0
    return _AMOUNT_POINTS[amount_fit.kind]


def _support_points(supports: Mapping[str, str]) -> float:
    if not supports:
        return 0.0
    best = max(_SUPPORT_POINTS[kind] for kind in supports)
    return min(4.0, best + 0.5 * (len(supports) - 1))


def _tier(
    amount_fit: AmountFit,
    refs: list[RefHit | None],
    supports: Mapping[str, str],
    supported: bool,
    contradicted: bool,
    evidence: Evidence,
    config: MatchingConfig,
) -> int:
    amount_counts = config.counts(Criterion.AMOUNT)
    fits = amount_fit.kind in EXACTISH or not amount_counts
    loose = amount_fit.kind in (Fit.INSTALLMENT, Fit.PARTIAL) and config.allow_multiple
    loose = loose or amount_fit.small_surplus(config)
    all_strong = all(r and r.strength == STRONG for r in refs)
    if all_strong and fits and not contradicted:
        return REFERENCED_EXACT
    if all(refs) and fits and supported:
        return CORRECTED_EXACT
    if all_strong and loose and supported:
        return REFERENCED_PARTIAL
    if (
        not any(refs)
        and amount_counts
        and amount_fit.kind in (Fit.EXACT, Fit.SKONTO)
        and supported
        and _IDENTIFYING & supports.keys()
        and not evidence.unknown_numbers
        and not evidence.has_strong_ref
    ):
        return CUSTOMER_EXACT
    if any(refs) or supports:
        return EVIDENCE
    return AMOUNT_ONLY
