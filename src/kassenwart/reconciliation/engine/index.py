"""Lookup tables over the open invoices, built once per run.

Every question the matcher asks about a transaction is a dictionary lookup (or a bisect for
a truncated name), so a run costs time linear in invoices plus transactions.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from .invoice_numbers import NumberShape, learn_shape
from .model import Invoice, Knowledge
from .normalize import NameKeys, compact, name_keys

CRM = "CRM"
LEARNED = "learned"
_MIN_TRUNCATED = 10  # a truncated payer name must keep this many characters of its core


class NameMatch(NamedTuple):
    customer: str
    how: str  # "payer name", "payer name (learned)", ...
    unique: bool  # no other customer has this name


@dataclass(slots=True)
class Index:
    invoices: dict[str, Invoice]
    numbers: NumberShape
    customer_numbers: NumberShape
    keys: dict[str, str]  # invoice id -> its number's key
    by_spelling: dict[str, list[str]]  # a full spelling of the number (Forms.spellings) -> ids
    by_short: dict[str, list[str]]  # the serial without leading zeros -> ids
    by_reference: dict[str, list[str]]
    by_customer: dict[str, list[str]]  # oldest due date first
    by_amount: dict[Decimal, list[str]]
    customer_by_key: dict[str, str]  # customer number key -> customer number
    customers_by_iban: dict[str, dict[str, str]]  # IBAN -> customer -> CRM | LEARNED
    customers_by_full_name: dict[str, dict[str, str]]
    customers_by_core_name: dict[str, set[str]]
    sorted_cores: list[str]
    customer_names: dict[str, NameKeys]
    payers: dict[str, tuple[NameMatch, ...]] = field(default_factory=dict)  # answers given

    def customers_by_name(self, name: str) -> tuple[NameMatch, ...]:
        """The customers a payer name points to: the whole name, else without the legal
        form, else as the beginning of one customer's name (cut by the bank). A payer who
        pays several times is looked up once."""
        found = self.payers.get(name)
        if found is None:
            found = self.payers[name] = tuple(self._customers_by_name(name))
        return found

    def _customers_by_name(self, name: str) -> list[NameMatch]:
        keys = name_keys(name)
        if not keys.core:
            return []
        full = self.customers_by_full_name.get(keys.full, {})
        if len(full) == 1:
            ((customer, source),) = full.items()
            how = "payer name" if source == CRM else "payer name (learned)"
            return [NameMatch(customer, how, True)]
        core = self.customers_by_core_name.get(keys.core, set())
        if len(core) > 1:
            how = "payer name, shared by several customers"
            return [NameMatch(customer, how, False) for customer in sorted(core)]
        if core:
            (customer,) = core
            theirs = self.customer_names[customer].legal_form if customer in self.customer_names else ""
            if keys.legal_form and theirs and not _same_legal_form(keys.legal_form, theirs):
                # "Dental Elbe GmbH" paying is not surely "Dental Elbe AG": another company may be.
                return [NameMatch(customer, "payer name (other legal form)", False)]
            return [NameMatch(customer, "payer name", True)]
        return self._truncated(keys.core)

    def _truncated(self, core: str) -> list[NameMatch]:
        if len(core) < _MIN_TRUNCATED:
            return []
        found: set[str] = set()
        i = bisect.bisect_left(self.sorted_cores, core)
        while i < len(self.sorted_cores) and self.sorted_cores[i].startswith(core):
            found |= self.customers_by_core_name[self.sorted_cores[i]]
            i += 1
            if len(found) > 1:
                return []
        return [NameMatch(customer, "payer name (truncated)", True) for customer in found]


def _same_legal_form(one: str, other: str) -> bool:
    """Alike, or one cut off by the bank where the other goes on ("gmbh & c", "gmbh & co kg")."""
    return one.startswith(other) or other.startswith(one)


def due_order(invoice: Invoice) -> tuple[date, str]:
    """Oldest due date first (customers pay the oldest first), then by number."""
    return (invoice.due_date or date.max, invoice.number)


def build_index(invoices: Sequence[Invoice], knowledge: Knowledge) -> Index:
    numbers = learn_shape(inv.number for inv in invoices)
    customer_numbers = learn_shape(dict.fromkeys(inv.customer_number for inv in invoices))
    keys: dict[str, str] = {}
    by_spelling: dict[str, list[str]] = defaultdict(list)
    by_short: dict[str, list[str]] = defaultdict(list)
    by_reference: dict[str, list[str]] = defaultdict(list)
    # per customer (due date, number, position, id): sorted as they are, that is due_order
    # with ties in the order given, without a key function called for every invoice
    by_customer: dict[str, list[tuple[date, str, int, str]]] = defaultdict(list)
    by_amount: dict[Decimal, list[str]] = defaultdict(list)
    no_date = date.max
    for position, inv in enumerate(invoices):
        invoice_id = inv.id
        spellings, short = numbers.forms(inv.number)
        keys[invoice_id] = spellings[0]
        for spelling in spellings:
            if spelling:
                by_spelling[spelling].append(invoice_id)
        for serial in short:
            by_short[serial].append(invoice_id)
        if inv.payment_reference:
            by_reference[compact(inv.payment_reference)].append(invoice_id)
        by_customer[inv.customer_number].append((inv.due_date or no_date, inv.number, position, invoice_id))
        by_amount[inv.open_amount].append(invoice_id)
    customers = _Customers(invoices, knowledge)
    return Index(
        invoices={inv.id: inv for inv in invoices},
        numbers=numbers.widened({len(spelling) for spelling in by_spelling}),
        customer_numbers=customer_numbers,
        keys=keys,
        by_spelling=dict(by_spelling),
        by_short=dict(by_short),
        by_reference=dict(by_reference),
        by_customer={c: [row[3] for row in sorted(rows)] for c, rows in by_customer.items()},
        by_amount=dict(by_amount),
        customer_by_key=_customer_keys(customer_numbers, by_customer),
        customers_by_iban=dict(customers.by_iban),
        customers_by_full_name=dict(customers.by_full_name),
        customers_by_core_name=dict(customers.by_core_name),
        sorted_cores=sorted(customers.by_core_name),
        customer_names=customers.names,
    )


def _customer_keys(shape: NumberShape, customers: Iterable[str]) -> dict[str, str]:
    keys = {shape.key(customer): customer for customer in customers}
    keys.pop("", None)
    return keys


class _Customers:
    """Customers by IBAN and by name, from the invoices (CRM) and from earlier matches."""

    def __init__(self, invoices: Sequence[Invoice], knowledge: Knowledge):
        self.by_iban: dict[str, dict[str, str]] = defaultdict(dict)
        self.by_full_name: dict[str, dict[str, str]] = defaultdict(dict)
        self.by_core_name: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, NameKeys] = {}
        rows = dict.fromkeys(
            (inv.customer_number, inv.customer_name, inv.customer_ibans)
            for inv in invoices
        )
        for customer, name, ibans in rows:
            for iban in ibans:
                if iban:
                    self.by_iban[compact(iban)][customer] = CRM
            self.names.setdefault(customer, self._add_name(name, customer, CRM))
        for iban, customer in knowledge.customer_ibans:
            self.by_iban[compact(iban)].setdefault(customer, CRM)
        for iban, customer in knowledge.customers_by_iban.items():
            self.by_iban[compact(iban)].setdefault(customer, LEARNED)
        for name, customer in knowledge.customers_by_name.items():
            self._add_name(name, customer, LEARNED)

    def _add_name(self, name: str, customer: str, source: str) -> NameKeys:
        keys = name_keys(name)
        self.by_full_name[keys.full].setdefault(customer, source)
        self.by_core_name[keys.core].add(customer)
        return keys
