"""What a transaction says (evidence) and which invoice sets it could pay (candidates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product
from typing import NamedTuple

from rapidfuzz import fuzz

from .amounts import EXACTISH, Fit, exact_subsets, fit, within_tolerance
from .index import CRM, Index
from .invoice_numbers import Window, typo
from .model import Criterion, MatchingConfig, Transaction
from .normalize import atoms, compact, name_keys
from .references import rf_in_atoms, rf_valid

STRONG = 3  # RF reference or the full invoice number
TYPO = 2
SHORT = 1

IBAN = "iban"
NAME = "name"
NAME_SHARED = "name_shared"
NAME_SIMILAR = "name_similar"
CUSTOMER_NUMBER = "customer_number"

_MAX_POOL = 20  # invoices searched for subset sums at once (2**10 sums per half)
_MAX_SUBSETS = 3
_MAX_SCANNED = 200  # open invoices of one customer compared with a payment
_MAX_SAME_AMOUNT = 50  # invoices of the payment's amount searched for a mistyped number
_SIMILAR_NAME = 90


class RefHit(NamedTuple):
    strength: int
    reason: str


@dataclass(slots=True)
class Evidence:
    refs: dict[str, RefHit] = field(default_factory=dict)  # invoice id -> best reference
    customers: dict[str, dict[str, str]] = field(default_factory=dict)  # -> kind -> reason
    unknown_numbers: list[str] = field(default_factory=list)  # company-shaped, not open
    typo_sources: list[str] = field(default_factory=list)  # strings a typo may hide in

    def add_ref(self, invoice_id: str, hit: RefHit) -> None:
        known = self.refs.get(invoice_id)
        if known is None or known.strength < hit.strength:
            self.refs[invoice_id] = hit

    def support(self, customer: str, kind: str, reason: str) -> None:
        self.customers.setdefault(customer, {}).setdefault(kind, reason)

    @property
    def has_strong_ref(self) -> bool:
        return any(hit.strength == STRONG for hit in self.refs.values())


def gather(tx: Transaction, index: Index, config: MatchingConfig) -> Evidence:
    """Read the transaction once: references, invoice numbers, who the payer is."""
    evidence = Evidence()
    text_atoms = atoms("\n".join((tx.remittance, tx.structured_reference, tx.end_to_end_id)))
    if config.counts(Criterion.RF_REFERENCE):
        _read_rf(tx, text_atoms, index, evidence)
    covered: set[int] = set()
    if config.counts(Criterion.INVOICE_NUMBER):
        covered = _read_numbers(text_atoms, index, evidence)
    _read_payer(tx, text_atoms, covered, index, config, evidence)
    return evidence


def _read_rf(tx: Transaction, text_atoms: list[str], index: Index, evidence: Evidence) -> None:
    structured = compact(tx.structured_reference)
    if structured and (not structured.startswith("RF") or rf_valid(structured)):
        for invoice_id in index.by_reference.get(structured, ()):
            evidence.add_ref(invoice_id, RefHit(STRONG, f"payment reference {structured} matches"))
    for ref in rf_in_atoms(text_atoms):
        for invoice_id in index.by_reference.get(ref, ()):
            evidence.add_ref(invoice_id, RefHit(STRONG, f"payment reference {ref} in remittance"))


def _read_numbers(text_atoms: list[str], index: Index, evidence: Evidence) -> set[int]:
    """Full invoice numbers first (longest readings win), then short forms in what is left."""
    shape = index.numbers
    windows = shape.windows(text_atoms)
    hits = [w for w in windows if w.text in index.by_spelling]
    covered: set[int] = set()
    for window in sorted(hits, key=lambda w: (-len(w.text), w.start)):
        span = set(range(window.start, window.end))
        if span & covered:
            continue
        covered |= span
        evidence.typo_sources.append(window.text)
        for invoice_id, deviation in index.by_spelling[window.text]:
            number = index.invoices[invoice_id].number
            detail = f", {deviation}" if deviation else ""
            evidence.add_ref(invoice_id, RefHit(STRONG, f"invoice number {number} in remittance{detail}"))
    for window in windows:
        if _overlaps(window, covered):
            continue
        if window.end - window.start == 1:
            # "INV 123" for INV000123: right after the number's own prefix it is a full reference.
            anchored = window.start > 0 and text_atoms[window.start - 1] in shape.affixes
            for invoice_id in index.by_short.get(window.text, ()):
                number = index.invoices[invoice_id].number
                reason = f"{window.text!r} in remittance, short for invoice number {number}"
                evidence.add_ref(invoice_id, RefHit(STRONG if anchored else SHORT, reason))
        if (
            shape.looks_like(window.text)
            and window.text not in index.customer_by_key
            and window.text not in evidence.unknown_numbers
        ):
            evidence.unknown_numbers.append(window.text)
        if shape.min_length - 1 <= len(window.text) <= shape.max_length + 1:
            evidence.typo_sources.append(window.text)
    return covered


def _overlaps(window: Window, covered: set[int]) -> bool:
    return not covered.isdisjoint(range(window.start, window.end))


def read_typos(
    tx: Transaction, index: Index, open_amounts: Mapping[str, Decimal], evidence: Evidence
) -> bool:
    """Invoice numbers one typing error away from a number in the text, among the invoices
    that could be meant: those of the identified customers and those of exactly this amount.
    True when it found any."""
    sources = list(dict.fromkeys(evidence.typo_sources))
    found = False
    targets = [i for c in evidence.customers for i in index.by_customer.get(c, ())[:_MAX_SCANNED]]
    same_amount = index.by_amount.get(tx.amount, ())
    if len(same_amount) <= _MAX_SAME_AMOUNT:
        targets += same_amount
    for invoice_id in dict.fromkeys(targets):
        if open_amounts[invoice_id] == 0 or invoice_id in evidence.refs:
            continue
        number = index.invoices[invoice_id].number
        for spelling, source in product(index.numbers.forms(number).spellings, sources):
            what = typo(source, spelling)
            if what:
                reason = f"invoice number {number} in remittance, {what}"
                evidence.add_ref(invoice_id, RefHit(TYPO, reason))
                found = True
                break
    return found


def _read_payer(
    tx: Transaction,
    text_atoms: list[str],
    covered: set[int],
    index: Index,
    config: MatchingConfig,
    evidence: Evidence,
) -> None:
    if config.counts(Criterion.PAYER_IBAN) and tx.counterparty_iban:
        for customer, source in index.customers_by_iban.get(compact(tx.counterparty_iban), {}).items():
            how = "known" if source == CRM else "learned"
            evidence.support(customer, IBAN, f"payer IBAN {how} for customer {customer}")
    if config.counts(Criterion.PAYER_NAME) and tx.counterparty_name:
        for customer, label in index.customers_by_name(tx.counterparty_name).items():
            kind = NAME_SHARED if "several" in label else NAME
            evidence.support(customer, kind, f"{label} matches customer {customer}")
    if config.counts(Criterion.CUSTOMER_NUMBER):
        for window in index.customer_numbers.windows(text_atoms):
            customer = index.customer_by_key.get(window.text)
            if customer is not None and not _overlaps(window, covered):
                evidence.support(customer, CUSTOMER_NUMBER, f"customer number {customer} in remittance")


def similar_names(tx: Transaction, index: Index, config: MatchingConfig, evidence: Evidence) -> None:
    """A referenced invoice's customer whose name resembles the payer's (typos, word order)."""
    if not (config.counts(Criterion.PAYER_NAME) and tx.counterparty_name):
        return
    payer = name_keys(tx.counterparty_name).core
    for invoice_id in evidence.refs:
        customer = index.invoices[invoice_id].customer_number
        if customer in evidence.customers:
            continue
        if fuzz.token_sort_ratio(payer, index.customer_names[customer].core) >= _SIMILAR_NAME:
            evidence.support(customer, NAME_SIMILAR, f"payer name similar to customer {customer}")


def _live_refs(evidence: Evidence, open_amounts: Mapping[str, Decimal]) -> dict[str, RefHit]:
    """References to invoices still open (an earlier payment of the run may have settled one)."""
    return {i: hit for i, hit in evidence.refs.items() if open_amounts[i] != 0}


def named(
    tx: Transaction,
    evidence: Evidence,
    index: Index,
    open_amounts: Mapping[str, Decimal],
    config: MatchingConfig,
) -> set[frozenset[str]]:
    """Sets of fully named invoices only: all of them, each alone, and exact sums. Enough
    to find a safe match whenever the text names what is paid."""
    live = _live_refs(evidence, open_amounts)
    strong = frozenset(i for i, hit in live.items() if hit.strength == STRONG)
    found = {frozenset([i]) for i in strong}
    if len(strong) > 1 and config.allow_multiple:
        found.add(strong)
        if config.counts(Criterion.AMOUNT):
            items = [(i, open_amounts[i]) for i in sorted(strong)][:_MAX_POOL]
            found.update(exact_subsets(items, tx.amount, _MAX_SUBSETS))
    return found


def candidates(
    tx: Transaction,
    evidence: Evidence,
    index: Index,
    open_amounts: Mapping[str, Decimal],
    config: MatchingConfig,
) -> set[frozenset[str]]:
    """Every invoice set worth scoring: what the text references, alone and combined, also
    with unnamed invoices of the same customer; what the identified customers owe that fits
    the amount; failing all, invoices of exactly this open amount."""
    live = _live_refs(evidence, open_amounts)
    strong = frozenset(i for i, hit in live.items() if hit.strength == STRONG)
    found = named(tx, evidence, index, open_amounts, config)
    pool = _plausible_pool(tx, live, strong, evidence, index, open_amounts, config)
    found.update(frozenset([i]) for i in pool)
    if config.counts(Criterion.AMOUNT):
        if config.allow_multiple:
            items = [(i, open_amounts[i]) for i in pool]
            found.update(exact_subsets(items, tx.amount, _MAX_SUBSETS))
            found.update(_completions(tx, strong, index, open_amounts))
        for customer in evidence.customers:
            found.update(_owed_by(tx, customer, index, open_amounts, config))
        if not found:
            same = [i for i in index.by_amount.get(tx.amount, ()) if open_amounts[i] == tx.amount]
            if len(same) <= config.max_suggestions:
                found.update(frozenset([i]) for i in same)
    return found


def _plausible_pool(
    tx: Transaction,
    live: dict[str, RefHit],
    strong: frozenset[str],
    evidence: Evidence,
    index: Index,
    open_amounts: Mapping[str, Decimal],
    config: MatchingConfig,
) -> list[str]:
    """Referenced invoices, the weak references only when payer or amount back them up."""
    related = {index.invoices[i].customer_number for i in strong} | evidence.customers.keys()
    pool = []
    for invoice_id, hit in sorted(live.items(), key=lambda item: -item[1].strength):
        customer = index.invoices[invoice_id].customer_number
        if (
            hit.strength == STRONG
            or customer in related
            or (
                within_tolerance(tx.amount, open_amounts[invoice_id], config)
                and fit(tx.amount, [open_amounts[invoice_id]], config).kind in EXACTISH
            )
        ):
            pool.append(invoice_id)
    return pool[:_MAX_POOL]


def _completions(
    tx: Transaction, strong: frozenset[str], index: Index, open_amounts: Mapping[str, Decimal]
) -> list[frozenset[str]]:
    """Listed invoices plus unlisted ones of the same customer that make the sum exact."""
    customers = {index.invoices[i].customer_number for i in strong}
    if len(customers) != 1:
        return []
    missing = tx.amount - sum((open_amounts[i] for i in strong), Decimal(0))
    if missing <= 0:
        return []
    (customer,) = customers
    others = [
        (i, open_amounts[i])
        for i in index.by_customer[customer][:_MAX_SCANNED]
        if i not in strong and open_amounts[i] != 0
    ][:_MAX_POOL]
    return [strong | extra for extra in exact_subsets(others, missing, _MAX_SUBSETS, min_size=1)]


def _owed_by(
    tx: Transaction,
    customer: str,
    index: Index,
    open_amounts: Mapping[str, Decimal],
    config: MatchingConfig,
) -> list[frozenset[str]]:
    """A customer's open invoices that fit the amount alone, else exact sums of several."""
    owed = [i for i in index.by_customer.get(customer, ())[:_MAX_SCANNED] if open_amounts[i] != 0]
    singles = []
    for invoice_id in owed:
        if not within_tolerance(tx.amount, open_amounts[invoice_id], config):
            continue
        amount_fit = fit(tx.amount, [open_amounts[invoice_id]], config)
        small_surplus = amount_fit.kind is Fit.OVERPAID and -amount_fit.difference <= config.max_overpayment
        if amount_fit.kind in EXACTISH or small_surplus:
            singles.append(frozenset([invoice_id]))
    exact_single = any(open_amounts[next(iter(s))] == tx.amount for s in singles)
    if exact_single or not config.allow_multiple:
        return singles
    items = [(i, open_amounts[i]) for i in owed[:_MAX_POOL]]
    return singles + exact_subsets(items, tx.amount, _MAX_SUBSETS)
