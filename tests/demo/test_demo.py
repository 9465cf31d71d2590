from datetime import date

from kassenwart.banking.models import Transaction
from kassenwart.companies.models import Membership
from kassenwart.demo.services import DEMO_COMPANY, demo_setup
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.models import Match


def test_demo_has_every_role_data_and_reconciled_payments_and_runs_once(db, tmp_path):
    result = demo_setup(tmp_path, today=date(2026, 11, 22))
    assert result.created and result.company.name == DEMO_COMPANY
    roles = set(Membership.objects.filter(company=result.company).values_list("user__username", "role"))
    assert roles == {("admin", "admin"), ("approver", "approver"), ("member", "member")}
    assert Invoice.objects.filter(company=result.company).count() == result.invoices == 400
    assert Transaction.objects.filter(company=result.company).count() == result.transactions > 400
    assert result.files >= 4  # about four months of statements
    assert Match.objects.filter(company=result.company).count() == result.reconciled > 100
    again = demo_setup(tmp_path, today=date(2026, 11, 22))
    assert not again.created
    assert Transaction.objects.filter(company=result.company).count() == result.transactions
