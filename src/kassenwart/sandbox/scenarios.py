"""Seed data: Müller Feinmechanik GmbH with a current account, a savings account, a call
money account and a securities account, six months of history, and customers who will pay
open invoices over the next two weeks (future-dated credits that appear as the bank's clock
reaches them); a card payment is pending. The world around the bank: the VoP register
(names the payees' banks have registered), a payee outside the EEA without VoP, a supplier
whose account is closed (payments come back AC04), a customer without funds (direct
debits come back AM04). The customer has a TAN medium for every method.

Everything derives from a fixed random seed and the clock's date, so a scenario built on
the same day is the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from schwifty import IBAN

from kassenwart.core.business_days import next_business_day

from .bank import Bank, Clock, Customer, Settings
from .holdings import Depot, Position
from .ledger import Account, Ledger, money
from .returns import Outcome
from .tan import TanMedium

HISTORY_DAYS = 180
SCRIPT_DAYS = 14
OWNER = "Müller Feinmechanik GmbH"
LOGIN = "feinmechanik"
PIN = "12345"
READ = ("HKSAL", "HKKAZ", "HKCAZ")
PAY = ("HKCCS", "HKIPZ", "HKCCM", "HKDSE", "HKDSC", "HKBSE", "HKDME", "HKDMC", "HKBME")


@dataclass(frozen=True)
class Party:
    name: str
    iban: str
    bic: str


def party(name: str, bank_code: str, account: str) -> Party:
    iban = IBAN.generate("DE", bank_code=bank_code, account_code=account)
    return Party(name, str(iban), str(iban.bic or ""))


CUSTOMERS = [
    party("Autohaus Weber KG", "50010517", "5512340001"),
    party("Bäckerei Schmidt GmbH", "10010010", "0712345002"),
    party("Stadtwerke Musterstadt", "12030000", "1012345003"),
    party("Hoffmann Maschinenbau AG", "37040044", "0532013004"),
    party("Klinik am See gGmbH", "20041133", "0212345005"),
    party("Zimmerei Braun", "70150000", "0012345006"),
]
SUPPLIERS = [
    party("Stahlhandel Nord GmbH", "21050170", "0012345101"),
    party("Werkzeug Kaiser OHG", "60050101", "0002345102"),
    party("Logistik Fischer GmbH", "30050110", "0012345103"),
]
LANDLORD = party("Gewerbepark Süd GmbH", "43060967", "0012345201")
UTILITY = party("Energie Versorgung Süd AG", "60050101", "0002345202")
PHONE = party("Telekommunikation Plus GmbH", "10010010", "0712345203")
SWISS_SUPPLIER = Party("Uhrenmanufaktur Gerber AG", "CH9300762011623852957", "UBSWCHZH80A")
CLOSED_ACCOUNT = party("Metallbau Richter GmbH", "50010517", "5512340099")
OUTCOMES = {CLOSED_ACCOUNT.iban: Outcome("AC04", after_days=2), CUSTOMERS[5].iban: Outcome("AM04", after_days=3)}
MEDIA = (
    TanMedium("Mobil 0171 ***4711", "942", mobile_number_masked="0171 ***4711"),
    TanMedium("Kassenwart App iPhone", "946"),
    TanMedium("photoTAN-App", "902"),
    TanMedium("chipTAN-Karte 1234", "912", card_number="5109990001234"),
    TanMedium("chipTAN-Karte 5678", "912", card_number="5109990005678"),
)
DEPOT_NUMBER = "1000123499"


def depot(today: date) -> Depot:
    day = today - timedelta(days=1)
    return Depot(DEPOT_NUMBER, "Wertpapierdepot Business", OWNER, (
        Position("DE0005190003", "519000", "Bayerische Motoren Werke AG", Decimal("120"),
                 Decimal("82.54"), day, Decimal("71.5")),
        Position("IE00B4L5Y983", "A0RPWH", "iShares Core MSCI World UCITS ETF", Decimal("850.25"),
                 Decimal("104.12"), day, Decimal("78.9034")),
        Position("DE0001102580", "110258", "Bundesanleihe 2032", Decimal("50"),
                 Decimal("96.35"), day, Decimal("98.1")),
    ))


def payee_register(own: list[Account]) -> dict[str, str | None]:
    """IBAN -> the name the payee's bank has registered; None: that bank has no VoP."""
    parties = CUSTOMERS + SUPPLIERS + [LANDLORD, UTILITY, PHONE, CLOSED_ACCOUNT]
    register: dict[str, str | None] = {p.iban: p.name for p in parties}
    register.update({a.iban: a.owner for a in own})
    register[SWISS_SUPPLIER.iban] = None
    return register


def accounts(settings: Settings) -> list[Account]:
    def account(number: str, kind: str, product: str, operations: tuple, credit_line="0") -> Account:
        iban = IBAN.generate("DE", bank_code=settings.bank_code, account_code=number)
        return Account(str(iban), settings.bic, number, kind, product, OWNER, operations,
                       credit_line=money(credit_line))
    return [
        account("1000123456", "current", "Business Giro", ("HKSPA",) + READ + PAY, "25000"),
        account("1000123464", "savings", "Sparkonto Business", READ),
        account("1000123472", "call_money", "Tagesgeld Business", READ + ("HKCCS",)),
    ]


def remittance_for(rng: random.Random, invoice: int, year: int) -> str:
    number = f"RE-{year}-{invoice:05d}"
    roll = rng.random()
    if roll < 0.1:
        return "Zahlung laut Rechnung, Kd-Nr. " + str(10000 + invoice % 97)
    if roll < 0.2:
        return f"{number} und RE-{year}-{invoice + 1:05d}"
    if roll < 0.25:
        return f"Rechnung {number[:-2]}{number[-1]}{number[-2]}"  # two digits swapped
    return f"{number} Vielen Dank"


def credit(ledger: Ledger, iban: str, day: date, payer: Party, amount: Decimal, remittance: str,
           end_to_end_id: str = "NOTPROVIDED") -> None:
    ledger.book(iban, booking_date=day, amount=money(amount), text="SEPA-GUTSCHRIFT", gvc="166",
                counterparty_name=payer.name, counterparty_iban=payer.iban,
                counterparty_bic=payer.bic, remittance=remittance, end_to_end_id=end_to_end_id)


def debit(ledger: Ledger, iban: str, day: date, payee: Party, amount: Decimal, remittance: str,
          gvc: str = "116", mandate: str = "", creditor_id: str = "") -> None:
    text = "SEPA-BASISLASTSCHRIFT" if gvc == "105" else "SEPA-UEBERWEISUNG"
    ledger.book(iban, booking_date=day, amount=-money(amount), text=text, gvc=gvc,
                counterparty_name=payee.name, counterparty_iban=payee.iban,
                counterparty_bic=payee.bic, remittance=remittance, mandate_id=mandate,
                creditor_id=creditor_id)


def seed_history(ledger: Ledger, current: Account, savings: Account, call_money: Account,
                 today: date, rng: random.Random) -> None:
    start = today - timedelta(days=HISTORY_DAYS)
    invoice = 100
    rent_paid: set[tuple[int, int]] = set()
    for offset in range(HISTORY_DAYS + SCRIPT_DAYS + 1):
        day = start + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for _ in range(rng.choice((0, 1, 1, 2))):
            payer = rng.choice(CUSTOMERS)
            amount = Decimal(rng.randrange(25000, 480000)) / 100
            credit(ledger, current.iban, day, payer, amount, remittance_for(rng, invoice, day.year),
                   end_to_end_id=f"E2E-{payer.name[:4].upper()}-{invoice}")
            invoice += 2
        if day > today:
            continue  # only customers' payments are scripted ahead
        if rng.random() < 0.15:
            supplier = rng.choice(SUPPLIERS)
            debit(ledger, current.iban, day, supplier, Decimal(rng.randrange(20000, 800000)) / 100,
                  f"Lieferung LS-{rng.randrange(1000, 9999)}")
        month = (day.year, day.month)
        if month not in rent_paid:
            rent_paid.add(month)
            debit(ledger, current.iban, day, LANDLORD, Decimal("4800.00"), f"Miete Halle 3 {day:%m/%Y}")
            debit(ledger, current.iban, day, UTILITY, Decimal(rng.randrange(60000, 90000)) / 100,
                  f"Abschlag Strom {day:%m/%Y}", gvc="105", mandate="EVS-778812",
                  creditor_id="DE98ZZZ09999999999")
            debit(ledger, current.iban, day, PHONE, Decimal("89.90"), f"Rechnung {day:%Y%m}",
                  gvc="105", mandate="TKP-55120", creditor_id="DE02ZZZ01234567890")
        next_workday = day + timedelta(days=3 if day.weekday() == 4 else 1)
        if next_workday.month != day.month:
            ledger.book(current.iban, booking_date=day, amount=money("-29.90"), text="ENTGELTABSCHLUSS",
                        gvc="805", remittance=f"Kontofuehrung {day:%m/%Y}")
            ledger.book(savings.iban, booking_date=day, amount=money("45.10"), text="ZINSEN",
                        gvc="814", remittance=f"Zinsen {day:%m/%Y}")
            ledger.book(call_money.iban, booking_date=day, amount=money("62.50"), text="ZINSEN",
                        gvc="814", remittance=f"Zinsen {day:%m/%Y}")


def pending_card_payment(ledger: Ledger, current: Account, today: date) -> None:
    """A card payment the bank knows of but books only on the next business day."""
    ledger.book(current.iban, booking_date=next_business_day(today + timedelta(days=1)),
                amount=money("-86.40"), text="KARTENZAHLUNG", gvc="106", counterparty_name="Aral Tankstelle",
                remittance=f"Debitkarte 4711 {today:%d.%m.%Y} Tankstelle 0815", announced=today)


def demo_bank(settings: Settings | None = None, clock: Clock | None = None,
              methods: tuple[str, ...] | None = None) -> Bank:
    """The scenario; `methods` restricts the customer's TAN methods (default: all four)."""
    settings = settings or Settings()
    clock = clock or Clock()
    now = clock.now()
    today = now.date()
    current, savings, call_money = accounts(settings)
    ledger = Ledger()
    start = today - timedelta(days=HISTORY_DAYS)
    ledger.open_account(current, start, money("48250.00"))
    ledger.open_account(savings, start, money("120000.00"))
    ledger.open_account(call_money, start, money("75000.00"))
    seed_history(ledger, current, savings, call_money, today, random.Random(2026))
    pending_card_payment(ledger, current, today)
    own = [current, savings, call_money]
    customer = Customer(LOGIN, PIN, OWNER, own, media=MEDIA, depots=[depot(today)], last_sca=now)
    if methods:
        customer.methods = methods
    return Bank(settings, ledger, [customer], clock, payee_register(own), OUTCOMES)
