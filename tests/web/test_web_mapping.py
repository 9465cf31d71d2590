"""Mapping by hand: prefilled amounts and what a difference means (no database)."""

from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import translation

from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation import engine
from kassenwart.web import mapping
from kassenwart.web.suggestions import Line, Suggestion

CONFIG = engine.MatchingConfig()  # Skonto 2 and 3 %, fees up to 15.00


def invoice(pk, open_amount, number=None):
    return Invoice(pk=pk, number=number or f"RE-{pk}", amount=Decimal(open_amount), open_amount=Decimal(open_amount))


def texts(left, rows):
    return [(note.tone, note.text) for note in mapping.notes(Decimal(left), rows, CONFIG)]


def test_added_invoices_take_their_open_amount_and_the_last_what_is_left():
    rows = mapping.add([], invoice(1, "100.00"), Decimal("343.00"))
    rows = mapping.add(rows, invoice(2, "250.00"), Decimal("343.00"))
    assert [row.text for row in rows] == ["100.00", "243.00"]
    rows = mapping.add(rows, invoice(3, "80.00"), Decimal("343.00"))
    assert rows[-1].text == "0.00"  # nothing left
    assert mapping.add(rows, invoice(1, "100.00"), Decimal("343.00")) == rows  # once only


def test_prefill_in_german_is_typed_the_german_way():
    with translation.override("de"):
        rows = mapping.add([], invoice(1, "1234.50"), Decimal("5000.00"))
    assert rows[0].text == "1234,50" and rows[0].amount == Decimal("1234.50")


@pytest.mark.parametrize(
    ("left", "amount", "write_off", "expected"),
    [
        ("100.00", "100.00", False, [("ok", "Fits exactly.")]),
        ("98.00", "98.00", False, [("warn", "RE-1: Skonto 2 % (2.00\u00a0EUR) — write it off to close the invoice")]),
        ("98.00", "98.00", True, [("ok", "RE-1: Skonto 2 % (2.00\u00a0EUR), written off")]),
        ("95.50", "95.50", False, [("warn", "RE-1: bank fee (4.50\u00a0EUR) — write it off to close the invoice")]),
        ("60.00", "60.00", False, [("warn", "RE-1: partial payment — 40.00\u00a0EUR left of the invoice")]),
        ("60.00", "60.00", True, [("warn", "RE-1: partial payment — 40.00\u00a0EUR left of the invoice, written off")]),
        ("150.00", "100.00", False, [("warn", "50.00\u00a0EUR of the payment left unassigned")]),
        ("110.00", "110.00", False, [("warn", "RE-1: overpaid by 10.00\u00a0EUR")]),
        ("90.00", "100.00", False, [("bad", "10.00\u00a0EUR more than is left of the payment")]),
        ("90.00", "0", False, [("bad", "Enter a positive amount for RE-1.")]),
    ],
)
def test_what_the_difference_means(left, amount, write_off, expected):
    row = mapping.Row(invoice(1, "100.00"), amount, write_off)
    assert texts(left, [row]) == expected


def test_only_a_shortfall_is_written_off():
    assert mapping.Row(invoice(1, "100.00"), "98", True).written_off == Decimal("2.00")
    assert mapping.Row(invoice(1, "100.00"), "98", False).written_off == 0
    assert mapping.Row(invoice(1, "100.00"), "120", True).written_off == 0
    assert mapping.Row(invoice(1, "100.00"), "x", True).written_off == 0


def test_posted_rows_keep_order_and_drop_unknown_and_repeated_invoices():
    known = {1: invoice(1, "10.00"), 2: invoice(2, "20.00")}
    data = QueryDict(mutable=True)
    data.setlist("invoice", ["2", "99", "1", "2", "x"])
    data.update({"amount_1": " 5,00 ", "amount_2": "20", "write_off_1": "on"})
    rows = mapping.posted_rows(data, known)
    assert [(r.invoice.pk, r.text, r.write_off) for r in rows] == [(2, "20", False), (1, "5,00", True)]
    assert mapping.allocations(rows) == [(known[2], Decimal("20.00"), 0), (known[1], Decimal("5.00"), Decimal("5.00"))]


def test_problems_before_saving():
    assert mapping.problems([]) == ["Choose at least one invoice."]
    assert "RE-1" in mapping.problems([mapping.Row(invoice(1, "10.00"), "zehn")])[0]
    assert mapping.problems([mapping.Row(invoice(1, "10.00"), "10")]) == []


def test_a_suggestion_as_rows_to_adjust():
    first, second = invoice(1, "100.00"), invoice(2, "250.00")
    suggestion = Suggestion(
        rank=1, lines=(Line(1, first, Decimal("98.00")), Line(2, second, Decimal("245.00"))),
        confidence=0.9, reasons=(), write_off=Decimal("7.00"), surplus=Decimal("0"),
    )
    rows = mapping.from_suggestion(suggestion)
    assert [(r.text, r.write_off) for r in rows] == [("98.00", True), ("245.00", True)]
