"""What a transaction says (evidence) and which invoice sets it could pay (candidates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz

from .amounts import EXACTISH, Fit, exact_subsets, fit, within_tolerance
from .index import CRM, Index
from .invoice_numbers import Window, typo
from .model import Criterion, MatchingConfig, Transaction
from .normalize import atoms, compact, name_keys
from .reasons import Reason, reason
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
_MAX_SAME_AMOUNT = 20  # invoices of the payment's amount searched for a mistyped number
_SIMILAR_NAME = 90

# How a payer name was read (index.NameMatch.how) -> the reason's label.
_NAME_READINGS = {
    "payer name": reason("name"),
    "payer name (learned)": reason("name_learned"),
    "payer name (truncated)": reason("name_truncated"),
    "payer name (other legal form)": reason("name_other_legal_form"),
    "payer name, shared by several customers": reason("name_shared"),
}
_WITHOUT_ZEROS = reason("without_leading_zeros")
_AFTER_DIGITS = reason("after_other_digits")
_ALSO_CUSTOMER_NUMBER = reason("also_customer_number")


class RefHit(NamedTuple):
    strength: int
    reason: Reason


@dataclass(slots=True)
class Evidence:
    atoms: list[str]  # remittance, structured reference and end-to-end id
    covered: set[int] = field(default_factory=set)  # atoms read as invoice numbers
    refs: dict[str, RefHit] = field(default_factory=dict)  # invoice id -> best reference
    customers: dict[str, dict[str, Reason]] = field(default_factory=dict)  # -> kind -> reason
    unknown_numbers: list[str] = field(default_factory=list)  # company-shaped, not open
    typo_sources: list[str] = field(default_factory=list)  # strings a typo may hide in

    def add_ref(self, invoice_id: str, hit: RefHit) -> None:
        known = self.refs.get(invoice_id)
        if known is None or known.strength < hit.strength:
            self.refs[invoice_id] = hit

    def support(self, customer: str, kind: str, said: Reason) -> None:
        self.customers.setdefault(customer, {}).setdefault(kind, said)

    @property
    def has_strong_ref(self) -> bool:
        return any(hit.strength == STRONG for hit in self.refs.values())


def gather(tx: Transaction, index: Index, config: MatchingConfig) -> Evidence:
    """Read the transaction: references, invoice numbers, who the payer is by IBAN and
    name. Customer numbers in the text only count when no reference decides (read_more)."""
    text = "\n".join((tx.remittance, tx.structured_reference, tx.end_to_end_id))
    evidence = Evidence(atoms(text))
    if config.counts(Criterion.RF_REFERENCE):
        _read_rf(tx, evidence.atoms, index, evidence)
    if config.counts(Criterion.INVOICE_NUMBER):
        _read_numbers(evidence.atoms, index, evidence)
    if config.counts(Criterion.PAYER_IBAN) and tx.counterparty_iban:
        payers = index.customers_by_iban.get(compact(tx.counterparty_iban), {})
        for customer, source in payers.items():
            evidence.support(customer, IBAN, _iban_known(customer, source))
    if config.counts(Criterion.PAYER_NAME) and tx.counterparty_name:
        for customer, how, unique in index.customers_by_name(tx.counterparty_name):
            evidence.support(customer, NAME if unique else NAME_SHARED, _name_matches(customer, how))
    return evidence


# A customer pays many times: what its IBAN or name says is worded once per customer.
@lru_cache(maxsize=65536)
def _iban_known(customer: str, source: str) -> Reason:
    return reason("iban_known" if source == CRM else "iban_learned", customer=customer)


@lru_cache(maxsize=65536)
def _name_matches(customer: str, how: str) -> Reason:
    return reason("name_matches", label=_NAME_READINGS[how], customer=customer)


def read_more(
    tx: Transaction,
    index: Index,
    open_amounts: Mapping[str, Decimal],
    config: MatchingConfig,
    evidence: Evidence,
) -> None:
    """What only counts when the references alone do not decide: customer numbers in the
    text, mistyped invoice numbers, payer names that merely resemble a customer's."""
    if config.counts(Criterion.CUSTOMER_NUMBER):
        for window in index.customer_numbers.windows(evidence.atoms):
            customer = index.customer_by_key.get(window.text)
            if customer is not None and not _overlaps(window, evidence.covered):
                evidence.support(customer, CUSTOMER_NUMBER, reason("customer_number", customer=customer))
    if evidence.typo_sources:
        _read_typos(tx, index, open_amounts, evidence)
    _similar_names(tx, index, config, evidence)


def _read_rf(tx: Transaction, text_atoms: list[str], index: Index, evidence: Evidence) -> None:
    structured = compact(tx.structured_reference)
    if structured and (not structured.startswith("RF") or rf_valid(structured)):
        hit = RefHit(STRONG, reason("reference_matches", ref=structured))
        for invoice_id in index.by_reference.get(structured, ()):
            evidence.add_ref(invoice_id, hit)
    if "RF" in text_atoms:
        for ref in rf_in_atoms(text_atoms):
            hit = RefHit(STRONG, reason("reference_in_remittance", ref=ref))
            for invoice_id in index.by_reference.get(ref, ()):
                evidence.add_ref(invoice_id, hit)


def _longest_first(window: Window) -> tuple[int, int]:
    return (-len(window.text), window.start)


def _read_numbers(text_atoms: list[str], index: Index, evidence: Evidence) -> None:
    """Full invoice numbers first (longest readings win), then short forms in what is left;
    numbers of the company's shape that are not open, and what a typo may hide in."""
    shape = index.numbers
    windows = shape.windows(text_atoms)
    covered = evidence.covered
    readings = [w for w in windows if w.text in index.by_spelling]
    if len(readings) > 1:
        readings.sort(key=_longest_first)
    for window in readings:
        if covered and _overlaps(window, covered):
            continue
        # Where invoice and customer numbers look alike, the text may mean either, unless
        # the number stands right after the invoice numbers' own prefix ("INV-DE-122640").
        ambiguous = window.text in index.customer_by_key and not _after_prefix(window, text_atoms, shape)
        if not ambiguous:
            covered.update(range(window.start, window.end))
        evidence.typo_sources.append(window.text)
        written = text_atoms[window.start - 1] if _after_prefix(window, text_atoms, shape) else ""
        for invoice_id in index.by_spelling[window.text]:
            number = index.invoices[invoice_id].number
            shortened = window.text != index.keys[invoice_id]
            detail = [_WITHOUT_ZEROS] if shortened else []
            # Right after other digits, a number without its zeros may be the end of a longer
            # one or of a date ("USt 01/2026" is no 00020/26): a reading the payer must confirm.
            glued = shortened and window.start > 0 and text_atoms[window.start - 1].isdigit()
            detail += [_AFTER_DIGITS] if glued else []
            detail += [_ALSO_CUSTOMER_NUMBER] if ambiguous else []
            # "RE-2026-00140" for AB-2026-00140 may name another document of that number: a
            # reading that needs the payer to confirm it, like a typo.
            expected = shape.prefix(number) if written else ""
            other_prefix = bool(expected) and written != expected
            detail += [reason("other_prefix", found=written, expected=expected)] if other_prefix else []
            strength = SHORT if ambiguous else TYPO if other_prefix or glued else STRONG
            evidence.add_ref(invoice_id, RefHit(strength, _invoice_number(number, detail)))
    low, high = shape.min_length - 1, shape.max_length + 1
    for window in windows:
        text, start, end = window
        if covered and not covered.isdisjoint(range(start, end)):  # _overlaps, inline: every window
            continue
        if end - start == 1 and text.lstrip("0") in index.by_short:
            # "INV 123" for INV000123: right after the number's own prefix it is a full reference
            # (for a number without one, after any prefix, when shorter than the number: "RE 8918"
            # for 08918/25). Not when more digits follow ("2025" of "RE-2025-00642" is a year, no
            # short form of RE-2025-02025), nor after another number's prefix ("INV0000854" is
            # no short form of RE-2025-00854 or 00854/26); there it is only a hint.
            ends = window.end == len(text_atoms) or not text_atoms[window.end].isdigit()
            written = text_atoms[window.start - 1] if ends and _after_prefix(window, text_atoms, shape) else ""
            for invoice_id in index.by_short[text.lstrip("0")]:
                number = index.invoices[invoice_id].number
                said = reason("short_form", text=text, number=number)
                anchored = False
                if written:  # the number's own prefix is looked up only then (most short forms stand alone)
                    own = shape.prefix(number)
                    anchored = written == own or (not own and len(text) < len(index.keys[invoice_id]))
                evidence.add_ref(invoice_id, RefHit(STRONG if anchored else SHORT, said))
        if low <= len(text) <= high:
            evidence.typo_sources.append(text)
            # with a number read, an unknown one changes nothing (see scoring)
            if not covered and shape.looks_like(text) and text not in index.customer_by_key:
                evidence.unknown_numbers.append(text)


def _invoice_number(number: str, detail: list[Reason]) -> Reason:
    if detail:
        return reason("invoice_number_deviating", number=number, detail=detail)
    return reason("invoice_number", number=number)


def _after_prefix(window: Window, text_atoms: list[str], shape) -> bool:
    return window.start > 0 and text_atoms[window.start - 1] in shape.affixes


def _overlaps(window: Window, covered: set[int]) -> bool:
    return not covered.isdisjoint(range(window.start, window.end))


def _read_typos(
    tx: Transaction, index: Index, open_amounts: Mapping[str, Decimal], evidence: Evidence
) -> None:
    """Invoice numbers one typing error away from a number in the text, among the invoices
    that could be meant: those of the identified customers or, when the payer is unknown,
    those of exactly this amount. A number written exactly as an invoice still open is
    read as another invoice's mistyped number only when the amount is that invoice's open
    amount to the cent: with numbers given in sequence, one typing error away from a number
    there is almost always another open invoice, and "RE-2026-02382" on 30.00 for 02382
    (27.85 open) is that invoice overpaid, not 02384 (35.77) less a fee."""
    sources = list(dict.fromkeys(evidence.typo_sources))
    written = [s for s in sources if _names_open(s, index, open_amounts)]
    targets = [i for c in evidence.customers for i in index.by_customer.get(c, ())[:_MAX_SCANNED]]
    if not targets:
        same_amount = index.by_amount.get(tx.amount, ())
        targets = list(same_amount) if len(same_amount) <= _MAX_SAME_AMOUNT else []
    for invoice_id in dict.fromkeys(targets):
        if open_amounts[invoice_id] == 0 or invoice_id in evidence.refs:
            continue
        key = index.keys[invoice_id]
        exact = open_amounts[invoice_id] == tx.amount
        for source in sources:
            what = typo(source, key)
            if what and (exact or source not in written):
                number = index.invoices[invoice_id].number
                evidence.add_ref(invoice_id, RefHit(TYPO, _invoice_number(number, [what])))
                break


def _names_open(text: str, index: Index, open_amounts: Mapping[str, Decimal]) -> bool:
    return any(open_amounts[invoice_id] != 0 for invoice_id in index.by_spelling.get(text, ()))


def _similar_names(
    tx: Transaction, index: Index, config: MatchingConfig, evidence: Evidence
) -> None:
    """A referenced invoice's customer whose name resembles the payer's (typos, word order)."""
    if not (config.counts(Criterion.PAYER_NAME) and tx.counterparty_name):
        return
    payer = name_keys(tx.counterparty_name).core
    for invoice_id in evidence.refs:
        customer = index.invoices[invoice_id].customer_number
        if customer in evidence.customers:
            continue
        if fuzz.token_sort_ratio(payer, index.customer_names[customer].core) >= _SIMILAR_NAME:
            evidence.support(customer, NAME_SIMILAR, reason("name_similar", customer=customer))


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
        if amount_fit.kind in EXACTISH or amount_fit.small_surplus(config):
            singles.append(frozenset([invoice_id]))
    exact_single = any(open_amounts[next(iter(s))] == tx.amount for s in singles)
    if exact_single or not config.allow_multiple:
        return singles
    # An installment of one of the customer's invoices ("Rate 2 von 4", its number cut off):
    # only ever a suggestion, as nothing names the invoice.
    installments = [
        frozenset([i]) for i in owed[:_MAX_POOL]
        if open_amounts[i] > tx.amount and fit(tx.amount, [open_amounts[i]], config).kind is Fit.INSTALLMENT
    ]
    items = [(i, open_amounts[i]) for i in owed[:_MAX_POOL]]
    return singles + installments + exact_subsets(items, tx.amount, _MAX_SUBSETS)
