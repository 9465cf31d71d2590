"""Securities accounts (Depots) and their statement of holdings (HKWPD -> HIWPD, MT535).

A depot has no IBAN: the UPD lists it by account number with HKWPD allowed, and the client
asks for it with that number (python-fints: a SEPAAccount with iban None and the number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fints.segments.depot import HIWPD6

from .protocol import Refused


@dataclass(frozen=True)
class Position:
    isin: str
    wkn: str
    name: str
    units: Decimal
    price: Decimal  # market price per unit
    price_date: date
    acquisition_price: Decimal
    currency: str = "EUR"

    @property
    def value(self) -> Decimal:
        return (self.units * self.price).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Depot:
    number: str
    product: str
    owner: str
    positions: tuple[Position, ...]
    currency: str = "EUR"


def number(value: Decimal) -> str:
    """SWIFT decimal: always a comma, no thousands separator, no trailing zeros: 120, 82,54"""
    text = format(value.normalize(), "f").replace(".", ",")
    return text if "," in text else text + ","


def mt535(depot: Depot, bank_code: str, on: date) -> str:
    """A statement of holdings (MT535) with one FIN block per position."""
    lines = ["", ":16R:GENL", ":28E:1/ONLY", ":20C::SEME//NONREF", ":23G:NEWM",
             f":98A::PREP//{on:%Y%m%d}", f":98A::STAT//{on:%Y%m%d}", ":22F::STTY//CUST",
             f":97A::SAFE//{bank_code}/{depot.number}", ":17B::ACTI//Y", ":16S:GENL"]
    for p in depot.positions:
        lines += [":16R:FIN", f":35B:ISIN {p.isin}", f"/DE/{p.wkn}", p.name.upper()[:35],
                  f":90B::MRKT//ACTU/{p.currency}{number(p.price)}", f":98A::PRIC//{p.price_date:%Y%m%d}",
                  f":93B::AGGR//UNIT/{number(p.units)}", f":19A::HOLD//{p.currency}{number(p.value)}",
                  ":70E::HOLD//1STK", f"2{number(p.acquisition_price)}+{p.currency}", ":16S:FIN"]
    total = sum((p.value for p in depot.positions), Decimal("0.00"))
    lines += [":16R:ADDINFO", f":19A::HOLP//{depot.currency}{number(total)}", ":16S:ADDINFO", "-"]
    return "\r\n".join(lines)


def statement_of_holdings(ctx, segment) -> None:
    requested = segment.account.account_number
    depot = next((d for d in ctx.customer.depots if d.number == requested), None)
    if depot is None:
        raise Refused("Depot unbekannt oder nicht freigegeben.")
    text = mt535(depot, ctx.settings.bank_code, ctx.now.date())
    ctx.reply.add(HIWPD6(holdings=text.encode("iso-8859-1")), reference=segment)
    ctx.reply.answer(segment, "0020", "Auftrag ausgeführt.")
