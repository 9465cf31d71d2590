"""Plain data that every bill reader produces (no Django), and the one refusal they raise.

A reader turns a file into a `ReadBill`: who is to be paid (the seller, its IBAN and BIC),
how much and by when, the Skonto terms, and for an e-invoice the parts a person checks
(parties, lines, taxes, totals). Amounts are `Decimal` with two places; a credit note keeps
its amounts positive and says `kind = "credit_note"`.

A file that cannot be read, or whose content breaks a rule of EN 16931 that a payment relies
on, raises `BillRefused` with the element path and the rule (e.g. ``BR-CO-16`` at
``/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount``), so a person can tell the supplier
what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
# DecimalField(max_digits=15, decimal_places=2): what the database can hold
LARGEST = Decimal("9999999999999.99")


class BillRefused(ValueError):
    """The file is not a bill Kassenwart can take: `path` names the element (or the line of a
    GiroCode), `rule` the rule broken (an EN 16931 / XRechnung rule id, or a short code of our
    own such as ``not-xml``), `detail` says what was found, in English."""

    def __init__(self, path: str, rule: str, detail: str):
        super().__init__(f"{path}: {rule}: {detail}" if path else f"{rule}: {detail}")
        self.path = path
        self.rule = rule
        self.detail = detail


@dataclass(frozen=True)
class Party:
    name: str
    vat_id: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True)
class Line:
    number: str
    name: str
    quantity: Decimal
    unit: str
    net_amount: Decimal
    tax_category: str = ""
    tax_percent: Decimal | None = None


@dataclass(frozen=True)
class TaxSubtotal:
    category: str
    percent: Decimal | None
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class SkontoTerm:
    """One line of the XRechnung payment terms: `#SKONTO#TAGE=14#PROZENT=2.00#`, with an
    optional `BASISBETRAG=` (the amount the percentage applies to; else the gross total)."""

    days: int
    percent: Decimal
    base: Decimal | None = None


@dataclass(frozen=True)
class Totals:
    lines: Decimal  # sum of the lines' net amounts (BT-106)
    allowances: Decimal  # BT-107
    charges: Decimal  # BT-108
    net: Decimal  # total without VAT (BT-109)
    tax: Decimal  # BT-110
    gross: Decimal  # total with VAT (BT-112)
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115


@dataclass(frozen=True)
class ReadBill:
    syntax: str  # "ubl", "cii", "factur-x", "girocode"
    kind: str  # INVOICE or CREDIT_NOTE
    seller: Party
    payable: Decimal
    currency: str = "EUR"
    invoice_number: str = ""  # for a GiroCode its remittance text
    issue_date: date | None = None
    due_date: date | None = None
    iban: str = ""
    bic: str = ""
    payment_reference: str = ""
    buyer: Party | None = None
    lines: tuple[Line, ...] = ()
    taxes: tuple[TaxSubtotal, ...] = ()
    totals: Totals | None = None
    skonto: tuple[SkontoTerm, ...] = ()
    payment_terms: str = ""
    profile: str = ""  # the specification identifier (BT-24), e.g. the XRechnung CIUS
    notes: tuple[str, ...] = field(default=())

    @property
    def skonto_term(self) -> SkontoTerm | None:
        """The term that applies longest of those with the highest rate: the one to plan for."""
        if not self.skonto or self.issue_date is None:
            return None
        return max(self.skonto, key=lambda term: (term.percent, term.days))

    @property
    def skonto_date(self) -> date | None:
        """The last day the Skonto may be taken: the issue date plus its days."""
        term = self.skonto_term
        return self.issue_date + timedelta(days=term.days) if term else None

    @property
    def skonto_amount(self) -> Decimal | None:
        """What to pay by the Skonto date: the payable amount less the percentage of the base."""
        term = self.skonto_term
        if term is None:
            return None
        base = term.base if term.base is not None else (self.totals.gross if self.totals else self.payable)
        discount = (base * term.percent / 100).quantize(CENT, ROUND_HALF_UP)
        return max(self.payable - discount, Decimal("0.00"))


def money(text: str | None, path: str) -> Decimal:
    """An amount of an e-invoice: at most two decimals (BR-DEC) and within what is stored."""
    if text is None or not text.strip():
        raise BillRefused(path, "missing", "the amount is missing")
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        raise BillRefused(path, "not-a-number", f"{text.strip()!r} is not an amount")
    if not value.is_finite():
        raise BillRefused(path, "not-a-number", f"{text.strip()!r} is not an amount")
    if value != value.quantize(CENT):
        raise BillRefused(path, "BR-DEC", f"{text.strip()} has more than two decimals")
    if abs(value) > LARGEST:
        raise BillRefused(path, "too-large", f"{text.strip()} is larger than an amount Kassenwart keeps")
    return value.quantize(CENT)


def number(text: str | None, path: str) -> Decimal:
    """A quantity or a percentage: any number of decimals."""
    try:
        value = Decimal((text or "").strip())
    except ArithmeticError:
        raise BillRefused(path, "not-a-number", f"{(text or '').strip()!r} is not a number")
    if not value.is_finite():
        raise BillRefused(path, "not-a-number", f"{(text or '').strip()!r} is not a number")
    return value
