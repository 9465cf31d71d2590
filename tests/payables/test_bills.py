"""Bills through their use cases: import (kept unchanged, duplicates, changed IBANs, refusals),
the transfer draft with Skonto planned, credit notes that reduce it, and four-eyes release."""

from datetime import timedelta
from decimal import Decimal

import pytest

from kassenwart.core.business_days import is_business_day
from kassenwart.core.messages import render
from kassenwart.core.models import AuditEvent
from kassenwart.flows.bills import bill_draft_transfer, bill_import
from kassenwart.payables.models import Bill
from kassenwart.payables.services import BillError
from kassenwart.payments import services as payments
from kassenwart.payments.models import PaymentOrder
from kassenwart.payments.state import FourEyes

from einvoices import Spec, cii, facturx_pdf, girocode_picture, ubl


def today():
    from django.utils import timezone

    return timezone.localdate()


def test_an_e_invoice_becomes_a_bill_with_its_file_kept_unchanged(company, member):
    data = ubl(Spec(reference="RF18539007547034"))
    result = bill_import(company, data, file_name="re-42.xml", user=member, via="test")
    assert result.status == "imported"
    bill = result.bill
    assert (bill.supplier_name, bill.supplier_vat_id, bill.iban, bill.invoice_number, bill.amount) == (
        "Bürobedarf Müller GmbH", "DE123456789", "DE02120300000000202051", "RE-2026-0042", Decimal("392.70"))
    assert (bill.skonto_percent, bill.skonto_days, bill.skonto_amount) == (Decimal("2.00"), 14, Decimal("384.85"))
    assert bytes(Bill.objects.get(pk=bill.pk).file.content) == data
    assert bill.details["lines"][0]["name"] == "Papier A4" and bill.details["totals"]["payable"] == "392.70"
    assert AuditEvent.objects.filter(action="bill.imported", object_id=str(bill.pk)).exists()


def test_the_same_supplier_invoice_number_twice_is_a_duplicate_not_a_second_bill(company, member):
    first = bill_import(company, ubl(), file_name="a.xml", user=member)
    again = bill_import(company, cii(), file_name="b.xml", user=member)  # the same invoice in the other syntax
    same_file = bill_import(company, ubl(), file_name="c.xml", user=member)
    assert (again.status, same_file.status) == ("duplicate", "duplicate")
    assert again.bill.pk == first.bill.pk
    assert Bill.objects.filter(company=company).count() == 1
    other = bill_import(company, ubl(Spec(number="RE-2026-0043")), file_name="d.xml", user=member)
    assert other.status == "imported"


def test_a_bad_e_invoice_is_refused_with_path_and_rule_and_nothing_is_kept(company, member):
    result = bill_import(company, ubl(Spec(overrides={"payable": "400.00"})), file_name="bad.xml", user=member)
    assert result.status == "refused" and result.bill is None
    text = render(result.messages[0])
    assert "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount" in text and "BR-CO-16" in text
    assert not Bill.objects.filter(company=company).exists()


def _paid_before(company, member, account, iban):
    order = payments.order_create(company, user=member, account=account, requested_date=today(), transfers=[
        payments.TransferInput(payee_name="Bürobedarf Müller GmbH", iban=iban, amount=Decimal("10.00"))])
    # set-up: a transfer of earlier days that went out (as exported pain file)
    PaymentOrder.objects.filter(pk=order.pk).update(state=PaymentOrder.State.EXPORTED)


def test_an_iban_other_than_the_one_paid_before_is_flagged(company, member, account):
    _paid_before(company, member, account, "DE75512108001245126199")
    result = bill_import(company, ubl(), file_name="a.xml", user=member)
    assert result.bill.flag_codes == ["iban_changed"]
    assert "DE75512108001245126199" in render(result.messages[0])
    same = bill_import(company, ubl(Spec(number="RE-2", iban="DE75512108001245126199")), file_name="b.xml",
                       user=member)
    assert same.bill.flags == []


def test_a_draft_takes_the_skonto_and_is_planned_for_the_last_skonto_day(company, approver, make_user, account):
    bill = bill_import(company, ubl(Spec(issue=today(), due=today() + timedelta(days=30))), file_name="a.xml",
                       user=approver).bill
    order = bill_draft_transfer(bill, user=approver, account=account, via="test")
    transfer = order.transfers.get()
    assert (transfer.amount, transfer.iban, transfer.remittance) == (Decimal("384.85"), "DE02120300000000202051",
                                                                     "RE-2026-0042")
    skonto_day = today() + timedelta(days=14)
    assert order.requested_date <= skonto_day and is_business_day(order.requested_date)
    assert skonto_day - order.requested_date < timedelta(days=3)
    bill.refresh_from_db()
    assert (bill.status, bill.order_id, bill.transfer_amount) == ("drafted", order.pk, Decimal("384.85"))
    with pytest.raises(BillError):
        bill_draft_transfer(bill, user=approver, account=account)
    # the usual four-eyes flow from here: who drafted it cannot release it
    payments.order_submit(order, user=approver)
    with pytest.raises(FourEyes):
        payments.order_approve(order, user=approver)
    payments.order_approve(order, user=make_user(company, "approver", "second-approver"))
    assert PaymentOrder.objects.get(pk=order.pk).state == "approved"


def test_after_the_skonto_day_the_full_amount_is_planned_for_the_due_date(company, member, account):
    due = today() + timedelta(days=10)
    bill = bill_import(company, cii(Spec(issue=today() - timedelta(days=20), due=due, reference="RF18539007547034")),
                       file_name="a.xml", user=member).bill
    order = bill_draft_transfer(bill, user=member, account=account)
    transfer = order.transfers.get()
    assert (transfer.amount, transfer.remittance) == (Decimal("392.70"), "RF18539007547034")
    assert order.requested_date <= due and is_business_day(order.requested_date)


def test_a_credit_note_reduces_the_next_transfer_to_that_supplier(company, member, account):
    credit = bill_import(company, ubl(Spec(credit_note=True, number="GS-1", lines=(("Retoure", Decimal("1"),
                                                                                   Decimal("50.00")),))),
                         file_name="gs.xml", user=member).bill
    assert (credit.kind, credit.status, credit.amount) == ("credit_note", "credit", Decimal("59.50"))
    with pytest.raises(BillError):
        bill_draft_transfer(credit, user=member, account=account)
    bill = bill_import(company, facturx_pdf(Spec(issue=today(), due=today() + timedelta(days=30))),
                       file_name="re.pdf", user=member).bill
    assert bill.syntax == "factur-x"
    order = bill_draft_transfer(bill, user=member, account=account)
    assert order.transfers.get().amount == Decimal("384.85") - Decimal("59.50")
    credit.refresh_from_db()
    assert (credit.status, credit.offset_bill_id) == ("offset", bill.pk)


def test_a_girocode_picture_becomes_a_draft(company, member, account):
    result = bill_import(company, girocode_picture(), file_name="scan.png", user=member)
    assert (result.status, result.bill.syntax, result.bill.amount) == ("imported", "girocode", Decimal("123.45"))
    order = bill_draft_transfer(result.bill, user=member, account=account)
    transfer = order.transfers.get()
    assert (transfer.payee_name, transfer.amount, transfer.remittance) == ("Stadtwerke Beispiel",
                                                                           Decimal("123.45"), "Rechnung 4711")


def test_a_company_sees_only_its_own_bills_as_duplicates(company, member, make_user):
    from kassenwart.companies.services import company_create

    other = company_create("Andere GmbH", via="test")
    someone = make_user(other, "member", "other-member")
    bill_import(company, ubl(), file_name="a.xml", user=member)
    assert bill_import(other, ubl(), file_name="a.xml", user=someone).status == "imported"


def test_a_bill_whose_transfer_was_cancelled_can_be_drafted_again(company, member, account):
    credit = bill_import(company, ubl(Spec(credit_note=True, number="GS-1", lines=(("Retoure", Decimal("1"),
                                                                                   Decimal("50.00")),))),
                         file_name="gs.xml", user=member).bill
    bill = bill_import(company, ubl(Spec(issue=today(), due=today() + timedelta(days=30))), file_name="a.xml",
                       user=member).bill
    first = bill_draft_transfer(bill, user=member, account=account)
    bill.refresh_from_db()
    with pytest.raises(BillError):  # while the first transfer may still pay it
        bill_draft_transfer(bill, user=member, account=account)
    payments.order_cancel(first, user=member, reason="falsches Konto")
    second = bill_draft_transfer(bill, user=member, account=account)
    assert second.pk != first.pk and second.transfers.get().amount == Decimal("384.85") - Decimal("59.50")
    bill.refresh_from_db()
    credit.refresh_from_db()
    assert (bill.order_id, credit.status, credit.offset_bill_id) == (second.pk, "offset", bill.pk)
    assert AuditEvent.objects.filter(action="bill.reopened", object_id=str(bill.pk)).count() == 1


def test_several_files_at_once_give_the_same_answers_as_one_by_one_in_their_order(company, member, account,
                                                                                   monkeypatch):
    """Written in batches (two a transaction here): duplicates within the upload and with bills
    there already, refusals, and a changed IBAN of a supplier paid before, each in its place."""
    from kassenwart.flows.bills import bills_import
    from kassenwart.payables import services

    monkeypatch.setattr(services, "BATCH", 2)
    _paid_before(company, member, account, "DE75512108001245126199")
    there = bill_import(company, ubl(Spec(number="RE-1", seller="Andere GmbH", seller_vat="DE999999999")),
                        file_name="there.xml", user=member).bill
    files = [("a.xml", ubl()),  # paid before to another IBAN: flagged
             ("bad.xml", ubl(Spec(number="X", overrides={"payable": "1.00"}))),
             ("again.xml", cii()),  # the same invoice as a.xml, in the other syntax
             ("same-file.xml", ubl()),
             ("there-again.xml", cii(Spec(number="RE-1", seller="Andere GmbH", seller_vat="DE999999999"))),
             ("code.png", girocode_picture()),
             ("b.xml", ubl(Spec(number="RE-2")))]
    results = bills_import(company, files, user=member, via="test")
    assert [(r.file, r.status) for r in results] == [
        ("a.xml", "imported"), ("bad.xml", "refused"), ("again.xml", "duplicate"), ("same-file.xml", "duplicate"),
        ("there-again.xml", "duplicate"), ("code.png", "imported"), ("b.xml", "imported")]
    first = results[0].bill
    assert results[2].bill.pk == results[3].bill.pk == first.pk and results[4].bill.pk == there.pk
    assert first.flag_codes == ["iban_changed"] and results[6].bill.flag_codes == ["iban_changed"]
    assert "DE75512108001245126199" in render(results[0].messages[0])
    assert results[5].bill.flags == [] and bytes(Bill.objects.get(pk=first.pk).file.content) == ubl()
    assert Bill.objects.filter(company=company).count() == 4
    assert AuditEvent.objects.filter(action="bill.imported").count() == 4
    assert list(AuditEvent.objects.filter(action="bill.duplicate_seen").order_by("pk").values_list(
        "object_id", flat=True)) == [str(first.pk), str(first.pk), str(there.pk)]
    assert results[2].as_dict()["id"] == first.pk and "RE-2026-0042" in results[2].as_dict()["message"]
