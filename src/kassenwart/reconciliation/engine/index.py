"""Lookup tables over the open invoices, built once per run.

Every question the matcher asks about a transaction is a dictionary lookup (or a bisect for
a truncated name), so a run costs time linear in invoices plus transactions.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .invoice_numbers import NumberShape, learn_shape
from .model import Invoice, Knowledge
from .normalize import NameKeys, compact, name_keys

CRM = "CRM"
LEARNED = "learned"
_MIN_TRUNCATED = 10  # a truncated payer name must keep this many characters of its core


@dataclass(slots=True)
class Index:
    invoices: dict[str, Invoice]
    numbers: NumberShape
    customer_numbers: NumberShape
    by_spelling: dict[str, list[tuple[str, str]]]  # number spelling -> (invoice id, deviation)
    by_short: dict[str, list[str]]
    by_reference: dict[str, list[str]]
    by_customer: dict[str, list[str]]  # oldest due date first
    by_amount: dict[Decimal, list[str]]
    customer_by_key: dict[str, str]  # customer number key -> customer number
    customers_by_iban: dict[str, dict[str, str]]  # IBAN -> customer -> CRM | LEARNED
    customers_by_full_name: dict[str, dict[str, str]]
    customers_by_core_name: dict[str, set[str]]
    sorted_cores: list[str]
    customer_names: dict[str, NameKeys]

    def customers_by_name(self, name: str) -> dict[str, str]:
        """Customers a payer name points to -> how ("name", "name (learned)", ...)."""
        keys = name_keys(name)
        if not keys.core:
            return {}
        full = self.customers_by_full_name.get(keys.full, {})
        if len(full) == 1:
            (customer, source), = full.items()
            return {customer: "payer name" if source == CRM else "payer name (learned)"}
        core = self.customers_by_core_name.get(keys.core, set())
        if core:
            label = "payer name" if len(core) == 1 else "payer name, shared by several customers"
            return {customer: label for customer in core}
        return self._truncated(keys.core)

    def _truncated(self, core: str) -> dict[str, str]:
        if len(core) < _MIN_TRUNCATED:
            return {}
        found: set[str] = set()
        i = bisect.bisect_left(self.sorted_cores, core)
        while i < len(self.sorted_cores) and self.sorted_cores[i].startswith(core):
            found |= self.customers_by_core_name[self.sorted_cores[i]]
            i += 1
            if len(found) > 1:
                return {}
        return {customer: "payer name (truncated)" for customer in found}


def _due(invoice: Invoice) -> tuple[date, str]:
    return (invoice.due_date or date.max, invoice.number)


def build_index(invoices: Sequence[Invoice], knowledge: Knowledge) -> Index:
    numbers = learn_shape(inv.number for inv in invoices)
    customer_numbers = learn_shape({inv.customer_number for inv in invoices})
    by_spelling: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_short: dict[str, list[str]] = defaultdict(list)
    by_reference: dict[str, list[str]] = defaultdict(list)
    by_customer: dict[str, list[Invoice]] = defaultdict(list)
    by_amount: dict[Decimal, list[str]] = defaultdict(list)
    for inv in invoices:
        forms = numbers.forms(inv.number)
        for spelling, deviation in forms.spellings.items():
            by_spelling[spelling].append((inv.id, deviation))
        for short in forms.short:
            by_short[short].append(inv.id)
        if inv.payment_reference:
            by_reference[compact(inv.payment_reference)].append(inv.id)
        by_customer[inv.customer_number].append(inv)
        by_amount[inv.open_amount].append(inv.id)
    customers = _Customers(invoices, knowledge)
    return Index(
        invoices={inv.id: inv for inv in invoices},
        numbers=numbers.widened({len(spelling) for spelling in by_spelling}),
        customer_numbers=customer_numbers,
        by_spelling=dict(by_spelling),
        by_short=dict(by_short),
        by_reference=dict(by_reference),
        by_customer={c: [i.id for i in sorted(v, key=_due)] for c, v in by_customer.items()},
        by_amount=dict(by_amount),
        customer_by_key={customer_numbers.key(c): c for c in by_customer if customer_numbers.key(c)},
        customers_by_iban=dict(customers.by_iban),
        customers_by_full_name=dict(customers.by_full_name),
        customers_by_core_name=dict(customers.by_core_name),
        sorted_cores=sorted(customers.by_core_name),
        customer_names=customers.names,
    )


class _Customers:
    """Customers by IBAN and by name, from the invoices (CRM) and from earlier matches."""

    def __init__(self, invoices: Sequence[Invoice], knowledge: Knowledge):
        self.by_iban: dict[str, dict[str, str]] = defaultdict(dict)
        self.by_full_name: dict[str, dict[str, str]] = defaultdict(dict)
        self.by_core_name: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, NameKeys] = {}
        for customer, name, ibans in dict.fromkeys((i.customer_number, i.customer_name, i.customer_ibans) for i in invoices):
            for iban in ibans:
                if iban:
                    self.by_iban[compact(iban)][customer] = CRM
            self.names.setdefault(customer, self._add_name(name, customer, CRM))
        for iban, customer in knowledge.customers_by_iban.items():
            self.by_iban[compact(iban)].setdefault(customer, LEARNED)
        for name, customer in knowledge.customers_by_name.items():
            self._add_name(name, customer, LEARNED)

    def _add_name(self, name: str, customer: str, source: str) -> NameKeys:
        keys = name_keys(name)
        self.by_full_name[keys.full].setdefault(customer, source)
        self.by_core_name[keys.core].add(customer)
        return keys
