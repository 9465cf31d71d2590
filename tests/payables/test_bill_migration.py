"""Bills drafted before they followed their order are brought in step once (payables 0002):
paid when their order paid, to pay again when it did not, and each with its transfer."""

from datetime import date
from decimal import Decimal

from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
from kassenwart.core.models import User
from kassenwart.payables.models import Bill
from kassenwart.payments.models import PaymentOrder, Transfer

BEFORE, AFTER = [("payables", "0001_initial")], [("payables", "0002_bill_follows_order")]


def test_drafted_bills_take_the_state_of_their_order(migrations):
    # Bare rows, made without the services: they write audit events, which are append-only and
    # would stop the database being emptied after this test (SQLite deletes row by row).
    company = Company.objects.create(name="Nordlicht Software GmbH")
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE02120300000000202051")
    user = User.objects.create(username="migration")
    states = ("booked", "cancelled", "pending_approval")
    orders = {state: PaymentOrder.objects.create(company=company, account=account, created_by=user, state=state,
                                                 requested_date=date(2026, 12, 7)) for state in states}
    transfers = {state: Transfer.objects.create(order=order, position=1, drafted_by=user, payee_name="Müller GmbH",
                                                iban="DE75512108001245126199", amount=Decimal("10.00"))
                 for state, order in orders.items()}
    executor = migrations
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    old_file, old_bill = apps.get_model("payables", "BillFile"), apps.get_model("payables", "Bill")
    bills = {}
    for number, state in enumerate(states):
        stored = old_file.objects.create(company_id=company.pk, sha256=f"{number:064d}", file_name="re.xml",
                                         content=b"<x/>", size=4)
        bills[state] = old_bill.objects.create(
            company_id=company.pk, syntax="ubl", status="drafted", supplier_name="Müller GmbH", supplier_key="name:m",
            invoice_number=f"RE-{number}", amount=Decimal("10.00"), file_id=stored.pk, order_id=orders[state].pk)
    credit = old_bill.objects.create(
        company_id=company.pk, kind="credit_note", syntax="ubl", status="offset", supplier_name="Müller GmbH",
        supplier_key="name:m", invoice_number="GS-1", amount=Decimal("1.00"), offset_bill_id=bills["cancelled"].pk,
        file_id=old_file.objects.create(company_id=company.pk, sha256="f" * 64, file_name="gs.xml", content=b"<y/>",
                                        size=4).pk)

    executor.loader.build_graph()
    executor.migrate(AFTER)

    now = {bill.invoice_number: (bill.status, bill.paid_on, bill.transfer_id) for bill in Bill.objects.all()}
    paid_on = max(date(2026, 12, 7), orders["booked"].created_at.date())  # the execution date, or when it went
    assert now["RE-0"] == ("paid", paid_on, transfers["booked"].pk)
    assert now["RE-1"] == ("open", None, transfers["cancelled"].pk)
    assert now["RE-2"] == ("drafted", None, transfers["pending_approval"].pk)
    assert Bill.objects.get(pk=credit.pk).status == "credit"
