"""Labelled benchmark data with the variety of the reconbench sample, at any size.

    from workload import build, score
    work = build(100_000)            # 100k open invoices, a statement of 75k lines, the truth
    python benchmarks/workload.py --invoices 100000 --out DIR   # invoices.csv, statement.xml, truth.csv

The labelled sample in ../shared/reconbench/dev (2,000 invoices, 1,500 lines) is the model:
the same categories in the same shares of the statement (exact_ref 388 of 1,500, noise_out
300, partial 129, ...: `CATEGORIES`), the same ways of writing (the phrases, numbers cut by
the bank's line breaks, names in capitals or cut at 35 characters, umlauts written out), the
same amount cases (Skonto 2 or 3 %, bank fees up to 15.00, rounded-up overpayments,
installments a week apart of which some are not on the statement, wrong amounts with
swapped or wrong digits) and the same traps (a customer with two open invoices of the same
amount paying without reference, a typo that names another open invoice, outgoing payments
and third-party credits that quote invoice numbers). What the sample does not have and
another company would: invoices numbered in several schemes at once (`SCHEMES`, the engine
must learn all of them from the invoices) and, at larger sizes, a statement spread over up
to a year of booking days with invoices of two calendar years.

Everything comes from one `random.Random` seeded with a string of the parameters, so a
build is the same on every machine and in every process (string seeds do not depend on
PYTHONHASHSEED, and nothing here iterates over a set).

`truth` maps a transaction's bank reference to the invoice numbers it pays and its category,
as the sample's truth.csv does; `score` judges automatic matches against it the way
../shared/reconbench/score.py does (a transaction counts as right only when its whole set of
invoices is right). `exact_reference_matches` is the simple matcher the benchmarks compare
the engine with.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CENT = Decimal("0.01")

# Transactions per category in the labelled sample (1,500 lines); shares of the statement.
CATEGORIES = {
    "exact_ref": 388, "ref_variant": 94, "typo": 71, "split_line": 45, "rf_ref": 35,
    "skonto": 51, "fee": 30, "overpay": 19, "wrong_amount": 17, "partial": 129,
    "collective": 58, "collective_noref": 14, "custno_only": 37, "noref_iban": 74,
    "noref_name": 31, "ambiguous": 27, "noise_in": 80, "noise_out": 300,
}
NOISE = ("noise_in", "noise_out")


# -- invoice numbers -------------------------------------------------------------------------
@dataclass(frozen=True)
class Scheme:
    """One way a company numbers invoices: `render(year, serial)`, and how customers write
    such a number otherwise (`variants`, the last of them a short form when the serial is)."""

    name: str
    yearly: bool  # the serial starts again every year
    render: Callable[[int, int], str]
    variants: Callable[[int, int], list[str]]


def _re_year(y: int, s: int) -> list[str]:
    return [f"re-{y}-{s:05d}", f"RE {y} {s:05d}", f"RE{y}-{s:05d}", f"RE{y}{s:05d}", f"{y}-{s:05d}",
            f"{y}/{s:05d}", f"{y}{s:05d}", f"RE {y}/{s:05d}", f"RE-{y}-{s}", f"{s}"]


def _serial_year(y: int, s: int) -> list[str]:
    yy = f"{y % 100:02d}"
    return [f"{s:05d}-{yy}", f"{s:05d} / {yy}", f"{s}/{yy}", f"{s:05d} {yy}", f"{s:05d}/{y}", f"{s}"]


def _inv(y: int, s: int) -> list[str]:
    return [f"inv{s:07d}", f"INV {s:07d}", f"INV-{s:07d}", f"{s:07d}", f"INV{s}", f"{s}"]


def _plain(y: int, s: int) -> list[str]:
    n = f"7{s:06d}"
    return [f"{n[:3]} {n[3:]}", f"{n[:1]}-{n[1:]}", f"{n[:1]} {n[1:4]} {n[4:]}"]


SCHEMES = {
    "RE-2026-03790": Scheme("RE-2026-03790", True, lambda y, s: f"RE-{y}-{s:05d}", _re_year),
    "03790/26": Scheme("03790/26", True, lambda y, s: f"{s:05d}/{y % 100:02d}", _serial_year),
    "INV0003790": Scheme("INV0003790", False, lambda y, s: f"INV{s:07d}", _inv),
    "7003790": Scheme("7003790", False, lambda y, s: f"7{s:06d}", _plain),
}
DEFAULT_SCHEMES = {"RE-2026-03790": 0.4, "03790/26": 0.2, "INV0003790": 0.2, "7003790": 0.2}


def scheme_weights(names: Iterable[str]) -> dict[str, float]:
    names = list(names)
    unknown = [n for n in names if n not in SCHEMES]
    if unknown:
        raise ValueError(f"unknown schemes {unknown}; known: {list(SCHEMES)}")
    return {n: DEFAULT_SCHEMES[n] for n in names}


def rf_reference(number: str) -> str:
    """The ISO 11649 creditor reference carrying an invoice number."""
    body = re.sub(r"[^0-9A-Z]", "", number.upper())
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


# -- people ------------------------------------------------------------------------------------
FAMILIES = (
    "Friedrich Voigt Schröder Berger Jung Bergmann Fuchs Seidel Leitner Lorenz Peters Simon Böhm "
    "Meyer Kraus Mayr Krause Thomas Graf Schubert Groß Roth Weiß Brandt Walter Schulz Lechner Bauer "
    "Werner Möller König Vogel Hoffmann Koch Schmidt Kaiser Weber Wagner Becker Richter Klein Wolf "
    "Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Schmid Winter Sommer "
    "Keller Huber Gruber Pichler Steiner Moser Egger Wimmer Aigner Haas Brunner Engel Dietrich "
    "Arnold Pohl Busch Horn Sauer Otto Ludwig Jäger Günther Kühn Pfeiffer Scholz Frank Schuster "
    "Maier Winkler Herrmann Martin Lang Fischer Müller Meier Schulze Köhler Ziegler Hahn Vogt Wolff"
).split()
FIRST = (
    "Maximilian Sophie Laura Sabine Andrea Marie Thomas Paul Jonas Claudia Katharina Markus "
    "Tobias Julia Florian Lukas Lea Anna Jürgen Nicole Petra Felix Stefan Monika"
).split()
TRADES = (
    "Kunststofftechnik Consulting Metallbau Immobilien Software Druckerei Energie Dental "
    "Medizintechnik Haustechnik Holzbau Bau Handel Logistik Spedition Optik Textil Media "
    "IT-Services Verpackung Automation Elektrotechnik Maschinenbau Gastronomie"
).split()
REGIONS = "Nord Süd West Ost Steiermark Baltic Ruhr Elbe Donau Alpen Hanse Franken Bayern Sachsen Schwaben Rhein-Main Tirol".split()
FORMS = ["GmbH", "AG", "KG", "OHG", "GbR", "e.K.", "mbH", "GmbH & Co. KG", "UG (haftungsbeschränkt)"]
DE_BANKS = ["37040044", "10010010", "50010517", "60050101", "20050550", "70150000", "12030000",
            "44050199", "36020041", "25050180", "30050110", "43060967", "82054052", "76050101"]
AT_BANKS = ["15000", "38000", "19043", "14000", "32000", "60000", "20111"]
MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _company_name(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.35:
        return f"{rng.choice(FAMILIES)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
    if shape < 0.55:
        return f"{rng.choice(TRADES)} {rng.choice(REGIONS)} {rng.choice(FORMS)}"
    if shape < 0.8:
        return f"{rng.choice(FIRST)} {rng.choice(FAMILIES)} {rng.choice(TRADES)}"
    first, second = rng.sample(FAMILIES, 2)
    return f"{first} & {second} {rng.choice(FORMS)}"


def _iban(rng: random.Random) -> str:
    """A valid German (four in five) or Austrian IBAN."""
    if rng.random() < 0.2:
        country, bban = "AT", f"{rng.choice(AT_BANKS)}{rng.randrange(10**10, 10**11)}"
    else:
        country, bban = "DE", f"{rng.choice(DE_BANKS)}{rng.randrange(10**9, 10**10)}"
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _as_bank_writes(rng: random.Random, name: str) -> str:
    """The payer's name as it reaches the statement."""
    if rng.random() < 0.06:
        name = name.translate(TRANSLITERATION)
    if rng.random() < 0.04 and name.endswith(" GmbH"):
        name = name[:-5] + " Gesellschaft mbH"
    if rng.random() < 0.15:
        name = name.upper()
    if len(name) > 35 and rng.random() < 0.4:
        name = name[:35]
    return name


# -- the data ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Customer:
    number: str
    name: str
    iban: str  # what the CRM knows, "" when it knows none
    pays_from: str  # the account the customer pays from


@dataclass(slots=True)
class InvoiceRow:
    customer: Customer
    amount: Decimal
    issue_date: date
    due_date: date
    scheme: str
    number: str = ""
    year: int = 0
    serial: int = 0
    payment_reference: str = ""


@dataclass(slots=True)
class Payment:
    """One statement line and what it truly pays: (invoice, amount) pairs, none for noise."""

    category: str
    booking_date: date
    amount: Decimal
    name: str
    iban: str
    remittance: str = ""
    structured_reference: str = ""
    end_to_end_id: str = ""
    pays: list[tuple[InvoiceRow, Decimal]] = field(default_factory=list)
    ref: str = ""


@dataclass
class Workload:
    invoices: list[InvoiceRow]  # in the order of the CRM's export
    payments: list[Payment]  # in booking order
    start: date
    end: date
    schemes: dict[str, float]

    @property
    def truth(self) -> dict[str, tuple[frozenset[str], str]]:
        return {p.ref: (frozenset(inv.number for inv, _ in p.pays), p.category) for p in self.payments}

    # -- the engine's input (as the product builds it from the database) --------------------
    def engine_invoices(self) -> list:
        """Ids "1", "2", ... in export order, as the product's primary keys would be."""
        from kassenwart.reconciliation.engine import Invoice

        return [
            Invoice(id=str(n), number=inv.number, customer_number=inv.customer.number,
                    customer_name=inv.customer.name, amount=inv.amount, open_amount=inv.amount,
                    currency="EUR", customer_ibans=(inv.customer.iban,) if inv.customer.iban else (),
                    payment_reference=inv.payment_reference, issue_date=inv.issue_date,
                    due_date=inv.due_date)
            for n, inv in enumerate(self.invoices, start=1)
        ]

    def engine_transactions(self) -> list:
        """Ids are the bank references; codes as convert.engine_transaction joins them."""
        from kassenwart.reconciliation.engine import Transaction

        return [
            Transaction(id=e.bank_reference, amount=e.amount, currency=e.currency,
                        booking_date=e.booking_date, counterparty_name=e.counterparty_name,
                        counterparty_iban=e.counterparty_iban, remittance=e.remittance,
                        structured_reference=e.structured_reference,
                        end_to_end_id="" if e.end_to_end_id == "NOTPROVIDED" else e.end_to_end_id,
                        bank_transaction_code=f"{e.transaction_code}+{e.dk_code}")
            for e in self.entries()
        ]

    # -- files -------------------------------------------------------------------------------
    def entries(self, pad: bool = False) -> list:
        """Statement entries; `pad` adds what real files carry besides (about 870 bytes an
        entry in camt: BIC, more remittance), for the import benchmark."""
        from kassenwart.banking.formats.statement import Entry

        entries = []
        for index, p in enumerate(self.payments):
            credit = p.amount > 0
            remittance = p.remittance
            if pad:
                remittance += f"\nBeleg {index:09d} Buchungstext SEPA-{'Gutschrift' if credit else 'Überweisung'}"
            entries.append(Entry(
                amount=p.amount, currency="EUR", booking_date=p.booking_date, value_date=p.booking_date,
                counterparty_name=p.name, counterparty_iban=p.iban,
                counterparty_bic="GENODEF1M04" if pad else "",
                remittance=remittance, structured_reference=p.structured_reference,
                end_to_end_id=p.end_to_end_id, bank_reference=p.ref,
                transaction_code="PMNT/RCDT/ESCT" if credit else "PMNT/ICDT/ESCT",
                dk_code="166" if credit else "116",
            ))
        return entries

    def write_invoices_csv(self, path: Path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["invoice_number", "customer_number", "customer_name", "customer_iban",
                             "issue_date", "due_date", "amount", "currency", "payment_reference"])
            for inv in self.invoices:
                writer.writerow([inv.number, inv.customer.number, inv.customer.name, inv.customer.iban,
                                 inv.issue_date, inv.due_date, inv.amount, "EUR", inv.payment_reference])

    def write_statement(self, path: Path, pad: bool = False) -> None:
        """One camt.053.001.08 statement over the whole period, balances that add up."""
        from kassenwart.banking.formats.camt_writer import write_camt
        from kassenwart.banking.formats.statement import BalanceSnapshot, StatementHeader

        entries = self.entries(pad)
        opening = Decimal("25000.00")
        closing = opening + sum((e.amount for e in entries), Decimal("0.00"))
        header = StatementHeader(
            format="camt.053.001.08", account_iban="DE89370400440532013000", account_bic="COBADEFFXXX",
            currency="EUR", statement_id=f"STMT-{self.end:%Y-%m}", sequence="1",
            period_from=self.start, period_to=self.end,
            opening=BalanceSnapshot(opening, "EUR", self.start - timedelta(days=1), "opening"),
            closing=BalanceSnapshot(closing, "EUR", self.end, "closing"),
        )
        with open(path, "wb") as out:
            write_camt(out, header, entries, message="053")

    def write_truth(self, path: Path) -> None:
        """truth.csv as in the sample, with the scheme of the invoice as a last column."""
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["transaction_ref", "invoice_number", "amount", "category", "scheme"])
            for p in self.payments:
                for inv, amount in p.pays or [(None, p.amount)]:
                    writer.writerow([p.ref, inv.number if inv else "", amount, p.category, inv.scheme if inv else ""])


# -- building ------------------------------------------------------------------------------------
INVOICES_PER_CUSTOMER = {1: 38, 2: 67, 3: 81, 4: 118, 5: 74, 6: 62, 7: 31, 8: 10, 9: 6, 10: 2}
ROUND_AMOUNTS = [Decimal(a) for a in ("140.00", "280.00", "420.00", "700.00", "1400.00")]
TERMS = {14: 865, 30: 729, 60: 406}
COLLECTIVE_SIZES = {2: 41, 3: 15, 4: 12, 5: 4}
INSTALLMENTS = {2: 45, 3: 40, 4: 15}
FEES = [Decimal(f) for f in ("2.50", "5.00", "7.50", "12.00", "15.00")]
PHRASES = {
    "{n}": 20, "Rechnung {n}": 29, "rechnung {n}": 32, "Rechnung Nr. {n}": 26, "Rg.Nr. {n}": 20,
    "Re.Nr {n} Danke": 17, "RE {n}": 22, "Zahlung zu {n}": 32, "Kd.Nr. {c} Rechnung {n}": 24,
    "{c} {n}": 28, "Rechnungsnummer: {n} Kunde {c}": 12, "Ihre Rechnung {n} vom {d}": 12,
    "{n} {name}": 10, "Invoice {n}": 4, "Inv. {n} payment": 2,
}
NO_REFERENCE = ["Danke für die Lieferung", "Zahlung", "Überweisung", "Wartungsvertrag", "Ausgleich",
                "Begleichung offener Posten", "Lizenz", "", "Zahlung {name}"]
NOISE_IN = ["Stripe Payments Europe Ltd Auszahlung {d8}", "PayPal Europe S.a.r.l. et Cie S.C.A Transfer {d8}",
            "Finanzamt München Erstattung USt {mm}/{yyyy}", "Zinsgutschrift", "Kassen-Einzahlung",
            "Rückzahlung Kaution", "Umbuchung Tagesgeld", "Erstattung Versicherung Schaden {d8}",
            "Rückerstattung Telekom Kundennr {d8}", "Gutschrift Bonus Lieferant"]
NOISE_OUT = ["Leasingrate Fahrzeug Vertrag {d9}", "VISA Kartenabrechnung {d9}",
             "Telekom Deutschland GmbH Rechnung {d7}", "Lieferantenrechnung {d7}",
             "Amazon Business EU SARL Bestellung {d9}", "Finanzamt Lohnsteuer {month}", "Miete {month} Büro",
             "Sozialversicherung AOK Beitrag {month}", "Strom Stadtwerke Abschlag {month}",
             "Gehalt {month} {first} {family}", "{other} Rechnung {d7}"]


def _pick(rng: random.Random, weighted: Mapping) -> object:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _wrap(rng: random.Random, text: str, share: float) -> str:
    """The bank's fixed-width lines (27 or 35 characters), cutting anywhere."""
    width = rng.choice([27, 35])
    if "\n" in text or len(text) <= width or rng.random() >= share:
        return text
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def _typo(rng: random.Random, number: str) -> str:
    """One typing error in the serial (the longest digit group, its last five digits):
    swapped, missing, wrong or doubled digit, or the letter O for a zero."""
    runs = [m.span() for m in re.finditer(r"[0-9]+", number)]
    start, end = max(runs, key=lambda span: (span[1] - span[0], span[0]))
    digits = list(range(max(start, end - 5), end))
    chars = list(number)
    kind = _pick(rng, {"swap": 40, "missing": 20, "wrong": 20, "letter O": 12, "extra": 8})
    zeros = [i for i in digits if chars[i] == "0"]
    pairs = [i for i in digits[:-1] if i + 1 in digits and chars[i] != chars[i + 1]]
    if kind == "letter O" and zeros:
        chars[rng.choice(zeros)] = "O"
    elif kind == "missing":
        del chars[rng.choice(digits)]
    elif kind == "wrong":
        at = rng.choice(digits)
        chars[at] = rng.choice([d for d in "0123456789" if d != chars[at]])
    elif kind == "extra":
        at = rng.choice(digits)
        chars.insert(at, chars[at])
    elif pairs:
        at = rng.choice(pairs)
        chars[at], chars[at + 1] = chars[at + 1], chars[at]
    else:
        del chars[rng.choice(digits)]
    return "".join(chars)


def _wrong_amount(rng: random.Random, amount: Decimal) -> Decimal:
    """The amount with a typing error: two digits swapped, one wrong, or a digit too many
    or too few (a factor of ten)."""
    text = f"{amount:.2f}"
    for _ in range(50):
        chars = list(text)
        digits = [i for i, ch in enumerate(chars) if ch.isdigit()]
        kind = rng.choice(["swap", "swap", "wrong", "shift"])
        if kind == "swap":
            at = rng.choice(digits[:-1])
            nxt = at + 1 if chars[at + 1].isdigit() else at + 2
            chars[at], chars[nxt] = chars[nxt], chars[at]
        elif kind == "wrong":
            at = rng.choice(digits)
            chars[at] = str((int(chars[at]) + rng.choice([1, 9])) % 10)
        else:
            value = amount * 10 if rng.random() < 0.5 else (amount / 10).quantize(CENT)
            chars = list(f"{value:.2f}")
        wrong = Decimal("".join(chars)).quantize(CENT)
        if wrong != amount and wrong > 0:
            return wrong
    return amount + 9


class _Pool:
    """Random draws without replacement, each wanting some property."""

    def __init__(self, rng: random.Random, items: list):
        self.rng, self.items = rng, list(items)

    def take(self, wanted: Callable[[object], bool], taken: Callable[[object], bool]) -> object | None:
        for _ in range(5000):
            if not self.items:
                return None
            at = self.rng.randrange(len(self.items))
            item = self.items[at]
            if taken(item):
                self.items[at] = self.items[-1]
                self.items.pop()
            elif wanted(item):
                return item
        return None


class _Builder:
    def __init__(self, invoices: int, lines: int, seed: str, schemes: dict[str, float]):
        self.rng = random.Random(f"kassenwart-bench/{seed}/{invoices}/{lines}/{sorted(schemes.items())}")
        self.size, self.lines, self.schemes = invoices, lines, schemes
        # A month like the sample for small statements, up to a year for large ones.
        days = max(30, min(365, lines // 50))
        self.end = date(2026, 10, 30)
        self.start = self.end - timedelta(days=days - 1)
        self.names: set[str] = set()
        self.used: set[int] = set()  # id() of invoices paid on the statement or kept open on purpose
        self.payments: list[Payment] = []

    # -- invoices ---------------------------------------------------------------------------
    def customers_and_invoices(self) -> None:
        rng = self.rng
        self.customers: list[Customer] = []
        self.by_customer: dict[str, list[InvoiceRow]] = {}
        rows: list[InvoiceRow] = []
        first_day = self.start - timedelta(days=120)
        span = (self.end - first_day).days
        while len(rows) < self.size:
            customer = self._customer(10000 + len(self.customers))
            self.customers.append(customer)
            count = min(_pick(rng, INVOICES_PER_CUSTOMER), self.size - len(rows))
            own = []
            for _ in range(count):
                issued = first_day + timedelta(days=rng.randrange(span + 1))
                own.append(InvoiceRow(customer, self._amount(), issued,
                                      issued + timedelta(days=_pick(rng, TERMS)), _pick(rng, self.schemes)))
            self.by_customer[customer.number] = own
            rows.extend(own)
        self._number(rows)
        rng.shuffle(rows)  # a CRM exports in its own order
        self.invoices = rows

    def _customer(self, number: int) -> Customer:
        name = self._new_name()
        iban = _iban(self.rng)
        return Customer(str(number), name, iban if self.rng.random() < 0.73 else "", iban)

    def _new_name(self) -> str:
        for _ in range(100):
            name = _company_name(self.rng)
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("no more distinct names")

    def _amount(self) -> Decimal:
        rng = self.rng
        if rng.random() < 0.24:
            return rng.choice(ROUND_AMOUNTS)
        high = 1_500_000 if rng.random() < 0.02 else 450_000
        return Decimal(int(math.exp(rng.uniform(math.log(1500), math.log(high))))).scaleb(-2)

    def _number(self, rows: list[InvoiceRow]) -> None:
        """Numbers in the order of issue, each scheme counting on its own (per year when it
        shows the year). Numbers below a scheme's first serial were paid long ago."""
        self.first_serial = {name: self.rng.randrange(1000, 4000) for name in self.schemes}
        counters: dict[tuple[str, int], int] = {}
        first_year = self.first_year = min(r.issue_date.year for r in rows)
        for row in sorted(rows, key=lambda r: r.issue_date):
            scheme = SCHEMES[row.scheme]
            year = row.issue_date.year if scheme.yearly else 0
            start = self.first_serial[row.scheme] if year in (0, first_year) else 1
            serial = counters[row.scheme, year] = counters.get((row.scheme, year), start - 1) + 1
            row.year, row.serial = row.issue_date.year, serial
            row.number = scheme.render(row.issue_date.year, serial)
            if self.rng.random() < 0.07:
                row.payment_reference = rf_reference(row.number)

    # -- payments -----------------------------------------------------------------------------
    def statement(self) -> None:
        planned = self._plan()
        pool = _Pool(self.rng, self.invoices)
        people = _Pool(self.rng, self.customers)
        order = ["ambiguous", "collective", "collective_noref", "partial"]
        order += [c for c in CATEGORIES if c not in order and c not in NOISE]
        for category in order:
            made = tries = 0
            while made < planned[category] and tries < 10 * planned[category]:
                added = self._pay(category, pool, people, planned[category] - made)
                if added is None:
                    break  # no suitable invoice left at this size
                made, tries = made + added, tries + 1
        for category in NOISE:
            for _ in range(planned[category]):
                self._noise(category)
        self.payments.sort(key=lambda p: p.booking_date)
        for seq, payment in enumerate(self.payments, start=1):
            payment.ref = f"{payment.booking_date:%Y%m%d}{seq:07d}"

    def _plan(self) -> dict[str, int]:
        """Transactions per category: the sample's shares of `lines` (largest remainders)."""
        total = sum(CATEGORIES.values())
        exact = {c: n * self.lines / total for c, n in CATEGORIES.items()}
        plan = {c: int(v) for c, v in exact.items()}
        for c in sorted(exact, key=lambda c: plan[c] - exact[c])[: self.lines - sum(plan.values())]:
            plan[c] += 1
        return plan

    def _taken(self, inv: object) -> bool:
        return id(inv) in self.used

    def _unique_amount(self, inv: InvoiceRow) -> bool:
        """No other invoice of the customer has this amount (so no reference is needed)."""
        return sum(other.amount == inv.amount for other in self.by_customer[inv.customer.number]) == 1

    def _open_of(self, customer: Customer) -> list[InvoiceRow]:
        return [inv for inv in self.by_customer[customer.number] if id(inv) not in self.used]

    def _pay(self, category: str, pool: _Pool, people: _Pool, room: int) -> int | None:
        """Add the payments of one case of `category`: how many lines it took, None when no
        invoice suits the case any more."""
        rng = self.rng
        if category == "ambiguous":
            customer = people.take(lambda c: len(self._open_of(c)) >= 2, lambda c: not self._open_of(c))
            if customer is None:
                return None
            unpaid = self._open_of(customer)
            twins = rng.sample(unpaid, 3 if rng.random() < 0.05 and len(unpaid) >= 3 else 2)
            amount = rng.choice(ROUND_AMOUNTS)
            for inv in twins:  # every twin is kept open; one of them is paid
                inv.amount = amount
                self.used.add(id(inv))
            paid = rng.choice(twins)
            self._single(category, paid, amount, self._no_reference(customer), known_share=0.85)
            return 1
        if category in ("collective", "collective_noref"):
            size = _pick(rng, COLLECTIVE_SIZES) if category == "collective" else rng.choice([2, 2, 2, 3, 3])
            customer = people.take(lambda c: len(self._open_of(c)) >= size, lambda c: not self._open_of(c))
            if customer is None:
                return None
            batch = rng.sample(self._open_of(customer), size)
            total = sum(inv.amount for inv in batch)
            if category == "collective_noref" and any(i.amount == total for i in self.by_customer[customer.number]):
                return 0  # without a reference the sum must not be one invoice's amount too
            self._collective(category, batch)
            return 1
        if category == "partial":
            inv = pool.take(lambda i: i.amount >= 40, self._taken)
            return self._installments(inv, room) if inv is not None else None
        wanted = {
            "noref_iban": lambda i: bool(i.customer.iban) and self._unique_amount(i),
            "noref_name": lambda i: not i.customer.iban and self._unique_amount(i),
            "custno_only": self._unique_amount,
            "overpay": lambda i: i.amount % 10 != 0,
            "fee": lambda i: i.amount > 40,
        }.get(category, lambda i: True)
        inv = pool.take(wanted, self._taken)
        if inv is None:
            return None
        self.used.add(id(inv))
        text = self._no_reference(inv.customer) if category in ("noref_iban", "noref_name") else None
        self._single(category, inv, inv.amount, text)
        return 1

    # -- one payment ------------------------------------------------------------------------------
    def _day(self, inv: InvoiceRow, earliest: int = 1, latest: int | None = None) -> date:
        terms = (inv.due_date - inv.issue_date).days
        delay = self.rng.randint(earliest, latest if latest is not None else terms + 20)
        return min(max(inv.issue_date + timedelta(days=delay), self.start), self.end)

    def _payer(self, customer: Customer, known_share: float = 0.97) -> tuple[str, str]:
        """Name and IBAN on the statement: mostly the account the CRM knows."""
        iban = customer.pays_from if self.rng.random() < known_share else _iban(self.rng)
        return _as_bank_writes(self.rng, customer.name), iban

    def _phrase(self, inv: InvoiceRow, written: str, name: str) -> str:
        phrase = _pick(self.rng, PHRASES)
        text = phrase.format(n=written, c=inv.customer.number, d=f"{inv.issue_date:%d.%m.%Y}", name=name)
        return text[:35] if "{name}" in phrase else text

    def _variant(self, inv: InvoiceRow) -> str:
        variants = SCHEMES[inv.scheme].variants(inv.year, inv.serial)
        if len(str(inv.serial)) < 3 and variants[-1] == str(inv.serial):
            variants = variants[:-1]  # a serial of one or two digits says nothing on its own
        return self.rng.choice(variants)

    def _no_reference(self, customer: Customer) -> str:
        return self.rng.choice(NO_REFERENCE).format(name=customer.name)

    def _single(self, category: str, inv: InvoiceRow, invoice_amount: Decimal, text: str | None,
                known_share: float = 0.97) -> None:
        rng = self.rng
        name, iban = self._payer(inv.customer, known_share)
        amount, structured, day, wrap = invoice_amount, "", self._day(inv), 0.12
        written = inv.number
        if category == "ref_variant":
            written = self._variant(inv)
        elif category == "typo":
            written = _typo(rng, inv.number)
        if text is None:
            text = self._phrase(inv, written, name)
        if category == "split_line":
            cut = rng.randrange(1, len(inv.number))
            text, wrap = f"Zahlung aus Rechnung {inv.number[:cut]}\n{inv.number[cut:]} vielen Dank", 0
        elif category == "rf_ref":
            inv.payment_reference = inv.payment_reference or rf_reference(inv.number)
            text, structured = "", inv.payment_reference
        elif category == "custno_only":
            text = rng.choice(["Kd.Nr. {c}", "KD {c} Zahlung", "Kundennummer {c}"]).format(c=inv.customer.number)
        elif category == "skonto":
            percent = rng.choice([2, 2, 2, 3, 3])
            amount = (invoice_amount * (100 - percent) / 100).quantize(CENT, ROUND_HALF_UP)
            day = self._day(inv, 2, 10)  # within the Skonto period
            if rng.random() < 0.55:
                text += f" abzgl. {percent}% Skonto"
        elif category == "fee":
            amount = invoice_amount - rng.choice([f for f in FEES if f < invoice_amount / 2])
        elif category == "overpay":
            amount = ((invoice_amount / 10).to_integral_value(rounding="ROUND_CEILING") * 10).quantize(CENT)
        elif category == "wrong_amount":
            amount = _wrong_amount(rng, invoice_amount)
        self.payments.append(Payment(category, day, amount, name, iban, _wrap(rng, text, wrap), structured,
                                     self._end_to_end(), [(inv, amount)]))

    def _collective(self, category: str, batch: list[InvoiceRow]) -> None:
        rng = self.rng
        for inv in batch:
            self.used.add(id(inv))
        name, iban = self._payer(batch[0].customer)
        total = sum((inv.amount for inv in batch), Decimal("0.00"))
        if category == "collective":
            numbers = [inv.number if rng.random() < 0.7 else self._variant(inv) for inv in batch]
            lead = rng.choice(["Sammelzahlung ", "Rechnungen ", "Rg. ", "RE ", ""])
            text = lead + rng.choice([", ", "; ", "/", " u. ", " "]).join(numbers) + rng.choice(["", " Danke"])
            text = _wrap(rng, text, 0.45)
        else:
            text = self._no_reference(batch[0].customer)
        day = max(self._day(inv) for inv in batch)
        self.payments.append(Payment(category, day, total, name, iban, text, "", self._end_to_end(),
                                     [(inv, inv.amount) for inv in batch]))

    def _installments(self, inv: InvoiceRow, room: int) -> int:
        """Equal rates a week apart (the last one takes the cents left); a rate may be
        missing from the statement (paid in cash, or after its end)."""
        rng = self.rng
        self.used.add(id(inv))
        count = _pick(rng, INSTALLMENTS)
        rate = (inv.amount / count).quantize(CENT, ROUND_HALF_UP)
        rates = [rate] * (count - 1) + [inv.amount - rate * (count - 1)]
        first = self._day(inv, 3)
        made = 0
        for number, amount in enumerate(rates, start=1):
            day = first + timedelta(days=7 * (number - 1))
            if day > self.end or rng.random() < 0.15 or made == room:
                continue
            name, iban = self._payer(inv.customer)
            text = _wrap(rng, f"Rate {number}/{count} " + self._phrase(inv, inv.number, name), 0.12)
            self.payments.append(Payment("partial", day, amount, name, iban, text, "", self._end_to_end(),
                                         [(inv, amount)]))
            made += 1
        return made

    def _noise(self, category: str) -> None:
        rng = self.rng
        day = self.start + timedelta(days=rng.randrange((self.end - self.start).days + 1))
        name = self._new_name()  # nobody among the customers
        fill = {"d7": rng.randrange(10**6, 10**7), "d8": rng.randrange(10**7, 10**8),
                "d9": rng.randrange(10**8, 10**9), "mm": f"{day.month:02d}", "yyyy": day.year,
                "month": rng.choice(MONTHS), "first": rng.choice(FIRST), "family": rng.choice(FAMILIES),
                "other": _company_name(rng)}
        if category == "noise_in":
            amount = Decimal(int(math.exp(rng.uniform(math.log(1000), math.log(200000))))).scaleb(-2)
            if rng.random() < 0.29:  # quotes one of our numbers that was paid long ago
                scheme = _pick(rng, self.schemes)
                text = f"Rechnung {SCHEMES[scheme].render(self.first_year, rng.randrange(1, self.first_serial[scheme]))}"
            else:
                text = rng.choice(NOISE_IN).format(**fill)
        else:
            amount = -Decimal(int(math.exp(rng.uniform(math.log(2000), math.log(1_000_000))))).scaleb(-2)
            if rng.random() < 0.04:  # a supplier's invoice that happens to carry one of our numbers
                text = rng.choice(["Lieferantenrechnung {n}", "{other} Rechnung {n}"]).format(
                    n=rng.choice(self.invoices).number, other=fill["other"])
            else:
                text = rng.choice(NOISE_OUT).format(**fill)
        self.payments.append(Payment(category, day, amount, name, _iban(rng), _wrap(rng, text, 0.12), "",
                                     self._end_to_end()))

    def _end_to_end(self) -> str:
        return f"E2E{self.rng.randrange(10**8, 10**10)}" if self.rng.random() < 0.47 else "NOTPROVIDED"


def build(invoices: int, lines: int | None = None, seed: str = "1",
          schemes: dict[str, float] | None = None) -> Workload:
    """`invoices` open invoices and a statement of `lines` lines (default three quarters of
    `invoices`, as in the sample), deterministic for the same arguments."""
    schemes = dict(schemes or DEFAULT_SCHEMES)
    builder = _Builder(invoices, lines if lines is not None else invoices * 3 // 4, seed, schemes)
    builder.customers_and_invoices()
    builder.statement()
    return Workload(builder.invoices, builder.payments, builder.start, builder.end, schemes)


# -- judging -------------------------------------------------------------------------------------
@dataclass
class Score:
    transactions: int = 0
    matchable: int = 0  # lines that pay an open invoice
    auto: int = 0
    auto_ok: int = 0
    noise_auto: int = 0
    left: int = 0  # payable lines left to a person
    hit1: int = 0
    hit3: int = 0
    categories: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def wrong_auto(self) -> int:
        return self.auto - self.auto_ok

    @property
    def precision(self) -> float:
        """Share of automatic matches that are right (0 when there are none, as score.py)."""
        return self.auto_ok / self.auto if self.auto else 0.0

    @property
    def recall(self) -> float:
        return self.auto_ok / self.matchable if self.matchable else 0.0

    def line(self) -> str:
        return (f"precision {self.precision:.4f}  recall {self.recall:.4f}  wrong auto {self.wrong_auto}"
                f"  noise auto {self.noise_auto}  hit@3 of the rest {self.hit3 / self.left if self.left else 1:.3f}")

    def table(self) -> str:
        rows = [f"{'category':18} {'n':>6} {'auto':>6} {'ok':>6} {'wrong':>6} {'left':>6} {'hit@1':>6} {'hit@3':>6}"]
        for name in sorted(self.categories):
            c = self.categories[name]
            rows.append(f"{name:18} {c['n']:6} {c['auto']:6} {c['ok']:6} {c['auto'] - c['ok']:6} "
                        f"{c['left']:6} {c['hit1']:6} {c['hit3']:6}")
        return "\n".join(rows)


def score(truth: Mapping[str, tuple[frozenset[str], str]], auto: Mapping[str, set[str]],
          suggestions: Mapping[str, list[set[str]]] | None = None) -> Score:
    """Automatic matches (transaction ref -> invoice numbers) and ranked suggestions
    against the truth, with score.py's rules."""
    suggestions = suggestions or {}
    result = Score()
    for ref, (paid, category) in truth.items():
        c = result.categories[category]
        c["n"] += 1
        result.transactions += 1
        noise = category.startswith("noise")  # as score.py counts them
        result.matchable += not noise
        chosen = auto.get(ref)
        if chosen:
            right = set(chosen) == paid
            c["auto"] += 1
            c["ok"] += right
            result.auto += 1
            result.auto_ok += right
            result.noise_auto += noise
        elif paid:
            ranked = suggestions.get(ref, [])
            c["left"] += 1
            c["hit1"] += bool(ranked) and ranked[0] == paid
            c["hit3"] += paid in ranked[:3]
            result.left += 1
            result.hit1 += bool(ranked) and ranked[0] == paid
            result.hit3 += paid in ranked[:3]
    return result


def read_truth(path: str | Path) -> dict[str, tuple[frozenset[str], str]]:
    """A truth.csv (the sample's, or one `Workload.write_truth` wrote) as `Workload.truth`."""
    paid: dict[str, set[str]] = defaultdict(set)
    categories: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ref = row["transaction_ref"].strip()
            categories[ref] = row["category"]
            if row["invoice_number"].strip():
                paid[ref].add(row["invoice_number"].strip())
    return {ref: (frozenset(paid[ref]), category) for ref, category in categories.items()}


def engine_outcome(decisions, numbers: Mapping[str, str]) -> tuple[dict[str, set[str]], dict[str, list[set[str]]]]:
    """The engine's decisions as invoice numbers: automatic matches and ranked suggestions."""
    auto, suggestions = {}, {}
    for d in decisions:
        if d.match is not None and d.status == "auto":
            auto[d.transaction_id] = {numbers[i] for i in d.match.allocations}
        if d.suggestions:
            suggestions[d.transaction_id] = [{numbers[i] for i in s.allocations} for s in d.suggestions]
    return auto, suggestions


# -- the baseline matcher --------------------------------------------------------------------------
_SQUASH = re.compile(r"[^0-9A-Z]")


def exact_reference_matches(invoices: list, transactions: list) -> dict[str, set[str]]:
    """What a simple matcher does (pretix's bank transfer plugin works this way): look up every
    word of the remittance, without separators, among the open invoice numbers (and the RF
    reference among theirs); match when the named invoices' open amounts add up exactly to
    the credit. Returns transaction id -> invoice ids."""
    by_key = {_SQUASH.sub("", inv.number.upper()): inv for inv in invoices}
    by_rf = {inv.payment_reference: inv for inv in invoices if inv.payment_reference}
    open_amounts = {inv.id: inv.open_amount for inv in invoices}
    matches: dict[str, set[str]] = {}
    for tx in transactions:
        if tx.amount <= 0:
            continue
        named = {}
        if tx.structured_reference in by_rf:
            named[by_rf[tx.structured_reference].id] = True
        for word in re.split(r"[\s,;]+", tx.remittance.upper()):
            inv = by_key.get(_SQUASH.sub("", word))
            if inv is not None:
                named[inv.id] = True
        if named and sum(open_amounts[i] for i in named) == tx.amount:
            matches[tx.id] = set(named)
            for i in named:
                open_amounts[i] = Decimal(0)
    return matches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--lines", type=int, help="statement lines (default: 3/4 of --invoices)")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--schemes", nargs="+", default=list(DEFAULT_SCHEMES), metavar="SCHEME",
                        help=f"invoice number schemes, of {list(SCHEMES)}")
    parser.add_argument("--out", type=Path, required=True, help="folder for invoices.csv, statement.xml, truth.csv")
    args = parser.parse_args()
    work = build(args.invoices, args.lines, args.seed, scheme_weights(args.schemes))
    args.out.mkdir(parents=True, exist_ok=True)
    work.write_invoices_csv(args.out / "invoices.csv")
    work.write_statement(args.out / "statement.xml")
    work.write_truth(args.out / "truth.csv")
    counts = Counter(p.category for p in work.payments)
    print(f"{len(work.invoices)} invoices, {len(work.payments)} lines from {work.start} to {work.end} in {args.out}")
    print("  ".join(f"{c} {counts[c]}" for c in CATEGORIES))


if __name__ == "__main__":
    main()
