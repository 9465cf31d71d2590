"""The checks of EN 16931 that a payment relies on, common to both syntaxes: the fields a
transfer needs are there, and the totals add up (lines, taxes, payable amount).

`Places` names each element in the reader's syntax, so a refusal points into the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .bill import CENT, BillRefused, ReadBill

# A tax amount computed from the taxable amount and the rate may differ from the stated one
# by rounding per line; a cent is what EN 16931 implementations allow.
TAX_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class Places:
    number: str
    issue_date: str
    currency: str
    seller: str
    buyer: str
    lines: str
    line_total: str
    net: str
    tax: str
    gross: str
    payable: str
    subtotal: str  # with %(n)s, the 1-based position
    due: str


def check(bill: ReadBill, places: Places) -> ReadBill:
    if not bill.invoice_number:
        raise BillRefused(places.number, "BR-02", "the invoice number is missing")
    if bill.issue_date is None:
        raise BillRefused(places.issue_date, "BR-03", "the issue date is missing")
    if len(bill.currency) != 3 or not bill.currency.isalpha() or not bill.currency.isupper():
        raise BillRefused(places.currency, "BR-05", f"{bill.currency!r} is not a currency code")
    if not bill.seller.name:
        raise BillRefused(places.seller, "BR-06", "the seller's name is missing")
    if bill.buyer is None or not bill.buyer.name:
        raise BillRefused(places.buyer, "BR-07", "the buyer's name is missing")
    if not bill.lines:
        raise BillRefused(places.lines, "BR-16", "the invoice has no line")
    totals = bill.totals
    lines = sum((line.net_amount for line in bill.lines), Decimal("0.00"))
    if lines != totals.lines:
        raise BillRefused(places.line_total, "BR-CO-10",
                          f"the lines add up to {lines}, the invoice says {totals.lines}")
    net = totals.lines - totals.allowances + totals.charges
    if net != totals.net:
        raise BillRefused(places.net, "BR-CO-13", f"lines less allowances plus charges are {net}, "
                                                  f"the invoice says {totals.net}")
    taxes = sum((subtotal.tax for subtotal in bill.taxes), Decimal("0.00"))
    if taxes != totals.tax:
        raise BillRefused(places.tax, "BR-CO-14", f"the VAT breakdown adds up to {taxes}, the invoice says {totals.tax}")
    for position, subtotal in enumerate(bill.taxes, start=1):
        if subtotal.percent is None:
            continue
        expected = (subtotal.taxable * subtotal.percent / 100).quantize(CENT, ROUND_HALF_UP)
        if abs(expected - subtotal.tax) > TAX_TOLERANCE:
            raise BillRefused(places.subtotal % {"n": position}, "BR-CO-17",
                              f"{subtotal.percent} % of {subtotal.taxable} is {expected}, the invoice says {subtotal.tax}")
    gross = totals.net + totals.tax
    if gross != totals.gross:
        raise BillRefused(places.gross, "BR-CO-15", f"net plus VAT is {gross}, the invoice says {totals.gross}")
    payable = totals.gross - totals.prepaid + totals.rounding
    if payable != totals.payable:
        raise BillRefused(places.payable, "BR-CO-16", f"gross less prepaid plus rounding is {payable}, "
                                                      f"the invoice says {totals.payable}")
    if totals.payable > 0 and bill.due_date is None and not bill.payment_terms:
        raise BillRefused(places.due, "BR-CO-25", "an amount is due but neither a due date nor payment terms are given")
    return bill
