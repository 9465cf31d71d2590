"""`kassenwart export-pain DIR`: every pain message that went to the bank or was exported as a
file, byte for byte, one file each, named by its message id; what never left is not there."""

import io
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from lxml import etree

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.companies.services import company_create
from kassenwart.payments import runs, services, submission
from kassenwart.payments.models import PaymentOrder, SendAttempt
from kassenwart.payments.sepa import pain001, schemas
from kassenwart.sandbox.scenarios import LOGIN, SUPPLIERS

from browser_fixtures import kassenwart_command, run_env
from fints_fixtures import TAN
from shared_data import shared_path

State = PaymentOrder.State


def export(*args) -> list[str]:
    out = io.StringIO()
    call_command("export_pain", *[str(a) for a in args], stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


@pytest.fixture
def account(connection, bank):
    fints.connection_sync(connection)
    return BankAccount.objects.get(iban=bank.customers[LOGIN].accounts[0].iban)


@pytest.fixture
def approved(company, member, approver, account):
    def make(*amounts):
        orders = [services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                                        transfers=[services.TransferInput(SUPPLIERS[n].name, SUPPLIERS[n].iban,
                                                                          Decimal(a), "Rechnung")])
                  for n, a in enumerate(amounts)]
        if len(orders) > 1:
            return runs.run_create(company, user=approver, orders=orders, approve=True)
        services.order_submit(orders[0], user=member)
        services.order_approve(orders[0], user=approver)
        return orders[0]
    return make


def offline_account(company) -> BankAccount:
    """An account without FinTS: its orders are exported as pain files."""
    return BankAccount.objects.create(company=company, name="Konto bei der Hausbank",
                                      iban=f"DE89370400440532013{company.pk:03d}"[:22])


def file_attempt(order, pain: bytes, days_ago: int = 0):
    attempt = SendAttempt.objects.create(order=order, requested_date=order.requested_date, delivery="file",
                                         outcome="exported", pain=pain)
    if days_ago:
        SendAttempt.objects.filter(pk=attempt.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return attempt


def test_what_went_out_is_written_byte_for_byte_and_what_did_not_is_not(company, approved, approver, member,
                                                                        tmp_path):
    run = approved("100.00", "200.00", "300.00")
    services.order_queue(run, user=approver)
    submission.order_transmit(run)
    submission.order_give_tan(run, tan=TAN, user=approver)
    run.refresh_from_db()
    assert run.state == State.ACCEPTED
    waiting = approved("40.00")
    services.order_queue(waiting, user=approver)  # queued, the worker has not sent it: it never left
    cancelled = approved("50.00")
    services.order_queue(cancelled, user=approver)
    services.order_cancel(cancelled, user=approver)
    # An order exported as a file, exported again after a change of date: two files.
    offline = PaymentOrder.objects.create(company=company, account=offline_account(company), created_by=member,
                                          requested_date=date(2026, 12, 1), delivery="file", state=State.EXPORTED,
                                          message_id="KW-FILE-1")
    file_attempt(offline, b"<Document>one</Document>", days_ago=3)
    file_attempt(offline, b"<Document>one</Document>", days_ago=2)  # the same bytes again: one file
    file_attempt(offline, b"<Document>two</Document>")

    lines = export(tmp_path / "audit")
    folder = tmp_path / "audit"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{run.message_id}.xml", "KW-FILE-1.xml", "KW-FILE-1-2.xml"])
    sent = (folder / f"{run.message_id}.xml").read_bytes()
    assert sent == bytes(run.attempts.get().pain)
    document = etree.fromstring(sent)
    assert document.findtext(".//{*}GrpHdr/{*}NbOfTxs") == "3" and document.findtext(".//{*}CtrlSum") == "600.00"
    xsd = shared_path("xsd")
    assert schemas.check(sent, pain001.MESSAGE, xsd) == ["pain.001.001.09", "pain.001.001.09_GBIC_4"]
    assert (folder / "KW-FILE-1-2.xml").read_bytes() == b"<Document>two</Document>"
    assert len(lines) == 4 and lines[-1] == f"3 pain file(s) of {company.name} written to {folder}"
    assert f"{folder / 'KW-FILE-1.xml'}: order #{offline.pk}, exported as a file" in lines[1]
    assert f"order #{run.pk}, sent over FinTS" in lines[0]

    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    recent = export(tmp_path / "recent", "--since", since)
    assert sorted(p.name for p in (tmp_path / "recent").iterdir()) == sorted([f"{run.message_id}.xml",
                                                                               "KW-FILE-1-2.xml"])
    assert recent[-1].startswith("2 pain file(s)")


def test_one_company_at_a_time(company, member, tmp_path):
    other = company_create("Alpenglück Handels KG", via="test")
    for owner, message_id in ((company, "KW-OURS"), (other, "KW-THEIRS")):
        order = PaymentOrder.objects.create(company=owner, account=offline_account(owner), created_by=member,
                                            requested_date=date(2026, 12, 1), delivery="file",
                                            state=State.EXPORTED, message_id=message_id)
        file_attempt(order, message_id.encode())
    with pytest.raises(CommandError, match="several companies"):
        export(tmp_path)
    export(tmp_path, "--company", other.name)
    assert [p.name for p in tmp_path.iterdir()] == ["KW-THEIRS.xml"]


def test_a_directory_that_cannot_be_written_is_one_clear_line(company, member, tmp_path):
    order = PaymentOrder.objects.create(company=company, account=offline_account(company), created_by=member,
                                        requested_date=date(2026, 12, 1), delivery="file", state=State.EXPORTED,
                                        message_id="KW-1")
    file_attempt(order, b"<Document/>")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(CommandError, match=r"Cannot make the directory .*a-file/out"):
        export(blocker / "out")
    with pytest.raises(CommandError, match="is not a directory"):
        export(blocker)
    taken = tmp_path / "taken"
    (taken / "KW-1.xml").mkdir(parents=True)  # where the file should go
    with pytest.raises(CommandError, match=r"Cannot write .*KW-1.xml: Is a directory \(0 file\(s\) written before\)"):
        export(taken)


@pytest.mark.slow
def test_the_real_command_exits_non_zero_without_a_traceback(tmp_path):
    env = run_env(tmp_path)
    subprocess.run([*kassenwart_command(), "init", "--company", "Nordlicht", "--admin", "a", "--password", "p"],
                   env=env, check=True, capture_output=True, timeout=180)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    done = subprocess.run([*kassenwart_command(), "export-pain", str(blocker / "out")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"kassenwart export-pain: Cannot make the directory {blocker / 'out'}: "
                                                "Not a directory"]
    fresh = tmp_path / "new" / "folder"
    done = subprocess.run([*kassenwart_command(), "export-pain", str(fresh)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and fresh.is_dir() and done.stdout.strip() == f"0 pain file(s) of Nordlicht written to {fresh}"
