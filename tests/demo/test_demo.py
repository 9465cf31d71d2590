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


def test_the_demo_sends_runs_with_the_tan_and_export_pain_writes_them_valid(db, tmp_path, settings, product_id):
    """`kassenwart demo --no-serve`, then `kassenwart export-pain DIR`: debit runs (CORE and
    B2B) and a transfer run went out with the sandbox's TAN, one debit came back; every file
    written is valid against the ISO and the DK schemas."""
    import io

    from django.core.management import call_command
    from lxml import etree

    from kassenwart.payments.models import Collection, PaymentOrder
    from kassenwart.payments.sepa import pain001, pain008, schemas

    from shared_data import shared_path

    settings.DATA_DIR = tmp_path
    printed = io.StringIO()
    call_command("demo", no_serve=True, port=0, stdout=printed)
    _assert_each_user_line_has_the_users_totp_key(printed.getvalue())
    _assert_paypal_qonto_and_stripe_are_connected_with_balances_and_transactions()
    sent = PaymentOrder.objects.filter(state__in=["accepted", "booked"])
    assert {(o.kind, o.scheme) for o in sent} == {("debit", "CORE"), ("debit", "B2B"), ("transfer", "")}
    assert PaymentOrder.objects.filter(kind="transfer", state="pending_approval", transfers__isnull=False).exists()
    assert Collection.objects.filter(state="returned", return_reason="AM04").count() == 1
    assert Collection.objects.filter(state="collected").count() == 5
    assert Invoice.objects.get(collections__state="returned").status == "open"  # the return opened it again

    out = io.StringIO()
    call_command("export_pain", str(tmp_path / "pain"), stdout=out)
    files = sorted((tmp_path / "pain").iterdir())
    kinds = {}
    for path in files:
        xml = path.read_bytes()
        message = pain008 if b"pain.008" in xml[:300] else pain001
        assert schemas.check(xml, message.MESSAGE, shared_path("xsd")) == [message.MESSAGE, f"{message.MESSAGE}_GBIC_4"]
        count = int(etree.fromstring(xml).findtext(".//{*}GrpHdr/{*}NbOfTxs"))
        kinds.setdefault(message.MESSAGE, []).append(count)
    assert max(kinds["pain.008.001.08"]) >= 2 and max(kinds["pain.001.001.09"]) >= 2, kinds


def _assert_paypal_qonto_and_stripe_are_connected_with_balances_and_transactions():
    from kassenwart.banking.models import Balance, BankConnection

    providers = BankConnection.objects.filter(kind=BankConnection.Kind.PROVIDER)
    assert sorted(c.provider for c in providers) == ["paypal", "qonto", "stripe"]
    for connection in providers:
        assert connection.state == BankConnection.State.OK, connection.last_error
        account = connection.accounts.get()
        assert Balance.objects.filter(account=account, kind=Balance.Kind.BOOKED).exists()
        assert Transaction.objects.filter(account=account).count() > 5
    from kassenwart.reconciliation.models import InternalTransfer

    assert InternalTransfer.objects.count() == 4  # two Stripe payouts, two PayPal withdrawals, each on the bank


def _assert_each_user_line_has_the_users_totp_key(printed: str):
    """`kassenwart demo` prints each user's authenticator key (base32) on the user's line."""
    from kassenwart.companies.two_factor import authenticator_of, authenticator_secret
    from kassenwart.core.models import User

    for username in ("admin", "approver", "member"):
        line = next(line for line in printed.splitlines() if line.split()[:1] == [username])
        secret = authenticator_secret(authenticator_of(User.objects.get(username=username)))
        assert line.split()[-2:] == ["TOTP", secret], line
