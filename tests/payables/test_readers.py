"""The pure bill readers: XRechnung (UBL, CII), Factur-X, GiroCodes; Skonto; refusals with
the element path and the rule."""

from datetime import date
from decimal import Decimal

import pytest

from kassenwart.payables.readers import CREDIT_NOTE, INVOICE, BillRefused, read_bill, read_payload
from kassenwart.payables.readers.skonto import skonto_terms

from einvoices import Spec, blank_pdf, cii, facturx_pdf, girocode_payload, girocode_picture, ubl


@pytest.mark.parametrize("make", [ubl, cii, facturx_pdf], ids=["ubl", "cii", "factur-x"])
def test_an_e_invoice_gives_payee_amount_dates_and_skonto(make):
    bill = read_bill(make(Spec(reference="RF18539007547034")))
    assert bill.kind == INVOICE
    assert (bill.seller.name, bill.seller.vat_id, bill.buyer.name) == ("Bürobedarf Müller GmbH", "DE123456789",
                                                                        "Beispiel AG")
    assert (bill.iban, bill.bic) == ("DE02120300000000202051", "BYLADEM1001")
    assert (bill.invoice_number, bill.payment_reference) == ("RE-2026-0042", "RF18539007547034")
    assert (bill.issue_date, bill.due_date) == (date(2026, 12, 1), date(2026, 12, 31))
    assert bill.payable == Decimal("392.70") and bill.currency == "EUR"
    assert [(line.name, line.net_amount) for line in bill.lines] == [("Papier A4", Decimal("250.00")),
                                                                     ("Toner", Decimal("80.00"))]
    assert [(t.category, t.percent, t.taxable, t.tax) for t in bill.taxes] == [
        ("S", Decimal("19"), Decimal("330.00"), Decimal("62.70"))]
    # 14 days from the issue date; 2 % of the gross total 392.70 is 7.85
    assert bill.skonto_date == date(2026, 12, 15)
    assert bill.skonto_amount == Decimal("384.85")


@pytest.mark.parametrize("make", [ubl, cii], ids=["ubl", "cii"])
def test_a_credit_note_keeps_its_amounts_positive_and_says_so(make):
    bill = read_bill(make(Spec(credit_note=True, number="GS-7")))
    assert bill.kind == CREDIT_NOTE
    assert bill.payable == Decimal("392.70") and bill.invoice_number == "GS-7"


def test_skonto_with_a_base_amount_and_several_terms():
    terms = skonto_terms("#SKONTO#TAGE=7#PROZENT=3.00#BASISBETRAG=100.00#\n#SKONTO#TAGE=14#PROZENT=2.00#\n"
                         "Zahlbar in 30 Tagen", "here")
    assert [(t.days, t.percent, t.base) for t in terms] == [(7, Decimal("3.00"), Decimal("100.00")),
                                                             (14, Decimal("2.00"), None)]
    bill = read_bill(ubl(Spec(terms="#SKONTO#TAGE=10#PROZENT=3.00#BASISBETRAG=100.00#")))
    assert bill.skonto_date == date(2026, 12, 11)
    assert bill.skonto_amount == Decimal("389.70")  # 3 % of 100.00 off 392.70


def test_a_broken_skonto_term_is_refused_not_lost():
    with pytest.raises(BillRefused) as refused:
        read_bill(ubl(Spec(terms="#SKONTO#TAGE=vierzehn#PROZENT=2.00#")))
    assert refused.value.path == "/Invoice/cac:PaymentTerms/cbc:Note"
    assert refused.value.rule == "BR-DE-18"


@pytest.mark.parametrize(("make", "overrides", "path", "rule"), [
    (ubl, {"lines": "331.00"}, "/Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "BR-CO-10"),
    (ubl, {"payable": "400.00"}, "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount", "BR-CO-16"),
    (ubl, {"tax": "62.00"}, "/Invoice/cac:TaxTotal/cbc:TaxAmount", "BR-CO-14"),
    (ubl, {"subtotal_tax": "50.00", "tax": "50.00", "gross": "380.00", "payable": "380.00"},
     "/Invoice/cac:TaxTotal/cac:TaxSubtotal[1]/cbc:TaxAmount", "BR-CO-17"),
    (cii, {"gross": "392.71", "payable": "392.71"},
     "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
     "/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount", "BR-CO-15"),
    (cii, {"payable": "392.705"},
     "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
     "/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount", "BR-DEC"),
])
def test_totals_that_do_not_add_up_are_refused_with_path_and_rule(make, overrides, path, rule):
    with pytest.raises(BillRefused) as refused:
        read_bill(make(Spec(overrides=overrides)))
    assert (refused.value.path, refused.value.rule) == (path, rule)


def test_missing_fields_are_refused_by_their_rule():
    with pytest.raises(BillRefused) as refused:
        read_bill(ubl(Spec(number="")))
    assert (refused.value.path, refused.value.rule) == ("/Invoice/cbc:ID", "BR-02")
    with pytest.raises(BillRefused) as refused:
        read_bill(cii(Spec(due=None, terms="")))
    assert refused.value.rule == "BR-CO-25"


@pytest.mark.parametrize(("data", "rule"), [
    (b"", "empty"),
    (b"<Invoice><ID>1", "not-xml"),
    (b"<?xml version='1.0'?><Order xmlns='urn:x'/>", "not-an-e-invoice"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "not-an-e-invoice"),
])
def test_files_that_are_no_e_invoice_are_refused(data, rule):
    with pytest.raises(BillRefused) as refused:
        read_bill(data)
    assert refused.value.rule == rule


def test_a_pdf_without_e_invoice_or_girocode_is_refused():
    with pytest.raises(BillRefused) as refused:
        read_bill(blank_pdf())
    assert refused.value.rule == "no-bill"


@pytest.mark.parametrize("kind", ["png", "jpeg", "pdf"])
def test_a_girocode_in_a_picture_or_on_a_pdf_page(kind):
    bill = read_bill(girocode_picture(kind=kind))
    assert (bill.syntax, bill.seller.name, bill.iban, bill.bic) == ("girocode", "Stadtwerke Beispiel",
                                                                    "DE02120300000000202051", "BYLADEM1001")
    assert (bill.payable, bill.invoice_number) == (Decimal("123.45"), "Rechnung 4711")


def test_girocode_payload_rules():
    assert read_payload(girocode_payload(bic="", reference="RF18539007547034", text="")).payment_reference == \
        "RF18539007547034"
    for payload, line in [
        (girocode_payload(version="001", bic=""), "GiroCode line 5"),
        (girocode_payload(amount=""), "GiroCode line 8"),
        (girocode_payload(amount="USD1.00"), "GiroCode line 8"),
        (girocode_payload(iban="not an iban"), "GiroCode line 7"),
        (girocode_payload(reference="RF18539007547034"), "GiroCode line 11"),
        (girocode_payload(text="x" * 400), "GiroCode"),
    ]:
        with pytest.raises(BillRefused) as refused:
            read_payload(payload)
        assert refused.value.path == line, payload


def test_a_picture_without_a_girocode_is_refused():
    import io

    import segno

    from kassenwart.payables.readers.girocode import read_image
    out = io.BytesIO()
    segno.make_qr("https://example.org").save(out, kind="png", scale=5)
    with pytest.raises(BillRefused) as refused:
        read_image(out.getvalue())
    assert refused.value.rule == "no-girocode"
