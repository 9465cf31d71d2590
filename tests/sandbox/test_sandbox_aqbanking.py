"""AqBanking, a FinTS client written elsewhere (Debian's aqbanking-tools: aqhbci-tool4 and
aqbanking-cli), against the sandbox bank on a free port with nothing rewritten in between:
system id, the four accounts, SEPA details, balance, transactions, a transfer with a TAN.

AqBanking keeps its state in a temporary folder (-D) and reads the PIN from a PIN file. It
has no way to be given a TAN: the PIN file holds PINs only, and in non-interactive mode it
refuses to ask for a TAN. So the transfer answers AqBanking's TAN prompt on standard input
as a person types it, with the text method (942) and the sandbox's fixed TAN. AqBanking
checks for keystrokes while it waits for its lock files, which would eat a TAN typed
ahead, so the TAN goes in once the prompt shows.

Outside CI a missing AqBanking skips these tests; under CI it fails them
(`scripts/setup --browser` installs aqbanking-tools).
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kassenwart.sandbox.bank import Settings
from kassenwart.sandbox.mt940_writer import swift_text
from kassenwart.sandbox.scenarios import LOGIN, PIN, SUPPLIERS, demo_bank
from kassenwart.sandbox.server import SandboxServer

from browser_fixtures import _missing

PRODUCT_ID = "32F8A67FE34B57AB8D7E4FE70"  # AqBanking's registered FinTS product id (HKVVB)
TEXT_TAN = "6942"  # AqBanking's name for HKTAN 6 with security function 942
TIMEOUT = 60


@dataclass
class AqBanking:
    """AqBanking's configuration for the sandbox's customer, and the outcome of its set-up."""

    folder: Path
    env: dict
    bank_code: str
    user: str = ""  # AqBanking's unique id of the user
    synchronisation: subprocess.CompletedProcess | None = None  # getsysid
    tan_method: subprocess.CompletedProcess | None = None  # setitanmode
    account_list: subprocess.CompletedProcess | None = None  # getaccounts
    sepa_details: list[subprocess.CompletedProcess] = field(default_factory=list)  # getaccsepa, per account
    accounts: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # number -> unique id, IBAN, type

    def run(self, program: str, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        """aqhbci-tool4 or aqbanking-cli with this configuration, non-interactive. With
        `check` the test fails when it does."""
        command = [program, "-D", str(self.folder / "config"), "-P", str(self.folder / "pins"), "-n", *arguments]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=TIMEOUT)
        if check:
            succeeded(result)
        return result

    def with_tan(self, tan: str, *arguments: str) -> str:
        """aqbanking-cli answering its TAN prompt with `tan`: its output (on a terminal, so
        the prompt shows before AqBanking waits for the answer)."""
        command = ["aqbanking-cli", "-D", str(self.folder / "config"), "-P", str(self.folder / "pins"), *arguments]
        terminal, their_end = pty.openpty()
        process = subprocess.Popen(command, env=self.env, stdin=subprocess.PIPE, stdout=their_end, stderr=their_end)
        os.close(their_end)
        output, answered = b"", False
        deadline = time.monotonic() + TIMEOUT
        try:
            while time.monotonic() < deadline:
                if select.select([terminal], [], [], 0.1)[0]:
                    try:
                        output += os.read(terminal, 4096)
                    except OSError:  # the program ended and closed the terminal
                        break
                elif process.poll() is not None:
                    break
                if not answered and b"TAN Entry" in output:
                    process.stdin.write(f"{tan}\n".encode())
                    process.stdin.flush()
                    answered = True
        finally:
            if process.poll() is None:
                process.kill()
            code = process.wait()
            os.close(terminal)
        text = output.decode("utf-8", "replace")
        if code != 0 or not answered:
            pytest.fail(f"{' '.join(command)} exited with {code} (TAN prompt answered: {answered}):\n{text}")
        return text

    def output(self, program: str, *arguments: str) -> str:
        return self.run(program, *arguments).stdout

    def stored(self, kind: str, unique_id: str) -> str:
        """AqBanking's stored settings of a user or an account."""
        return (self.folder / "config" / "settings6" / kind / f"{int(unique_id):08d}.conf").read_text()


def succeeded(result: subprocess.CompletedProcess) -> None:
    if result.returncode != 0:
        pytest.fail(f"{' '.join(result.args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="module")
def bank_server():
    settings = Settings(product_ids=(*Settings.product_ids, PRODUCT_ID))
    with SandboxServer.running(demo_bank(settings)) as server:
        yield server


@pytest.fixture(scope="module")
def aqbanking(bank_server, tmp_path_factory):
    """AqBanking set up for the sandbox's customer as a user sets it up: a PIN/TAN user,
    the system id, the text TAN method, the accounts and their SEPA details."""
    if not (shutil.which("aqhbci-tool4") and shutil.which("aqbanking-cli")):
        _missing("AqBanking is not installed (apt-get install aqbanking-tools, or scripts/setup --browser)")
    folder = tmp_path_factory.mktemp("aqbanking")
    (folder / "pins").write_text(f'PIN_{bank_server.bank.settings.bank_code}_{LOGIN} = "{PIN}"\n')
    env = {**os.environ, "HOME": str(folder), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    aq = AqBanking(folder, env, bank_server.bank.settings.bank_code)
    aq.output("aqhbci-tool4", "adduser", "-t", "pintan", "-N", "Mueller Feinmechanik", "-b", aq.bank_code,
              "-u", LOGIN, "-c", LOGIN, "-s", bank_server.url, "--hbciversion=300")
    aq.user = re.search(r"Unique Id: (\d+)", aq.output("aqhbci-tool4", "listusers")).group(1)
    # The steps with the bank; each test of a step checks its outcome.
    aq.synchronisation = aq.run("aqhbci-tool4", "getsysid", "-u", aq.user, check=False)
    aq.tan_method = aq.run("aqhbci-tool4", "setitanmode", "-u", aq.user, "-m", TEXT_TAN, check=False)
    aq.account_list = aq.run("aqhbci-tool4", "getaccounts", "-u", aq.user, check=False)
    for line in aq.output("aqbanking-cli", "listaccs").splitlines():
        if line.startswith("Account\t"):
            _, _, number, _, iban, unique_id, kind = line.split("\t")
            aq.accounts[number] = (unique_id, iban, kind)
    aq.sepa_details = [aq.run("aqhbci-tool4", "getaccsepa", "-a", unique_id, check=False)
                       for unique_id, iban, _ in aq.accounts.values() if iban]
    return aq


@pytest.fixture
def bank(bank_server):
    return bank_server.bank


def current_account(aqbanking, bank):
    account = bank.customers[LOGIN].accounts[0]
    return account, aqbanking.accounts[account.number][0]


def amount(text: str) -> Decimal:
    """AqBanking's values: "26793335/100:EUR"."""
    numerator, _, denominator = text.partition(":")[0].partition("/")
    return Decimal(numerator) / Decimal(denominator or "1")


def test_the_system_id_is_one_the_bank_issued(aqbanking, bank):
    succeeded(aqbanking.synchronisation)
    system_id = re.search(r'systemId="([^"]+)"', aqbanking.stored("users", aqbanking.user)).group(1)
    assert system_id in bank.customers[LOGIN].system_ids


def test_all_four_accounts_with_their_kinds(aqbanking, bank):
    succeeded(aqbanking.account_list)
    customer = bank.customers[LOGIN]
    expected = {a.number: (a.iban, kind) for a, kind in zip(customer.accounts, ("bank", "savings", "moneymarket"))}
    expected[customer.depots[0].number] = ("", "investment")  # the securities account (Kontoart 30)
    assert {number: (iban, kind) for number, (_, iban, kind) in aqbanking.accounts.items()} == expected


def test_sepa_details_of_every_sepa_account(aqbanking, bank):
    assert len(aqbanking.sepa_details) == 3
    for result in aqbanking.sepa_details:
        succeeded(result)
    for account in bank.customers[LOGIN].accounts:
        stored = aqbanking.stored("accounts", aqbanking.accounts[account.number][0])
        assert f'bic="{account.bic}"' in stored and f'iban="{account.iban}"' in stored
        assert re.search(r'accountFlags="[^\n]*"sepa"', stored)


def test_the_balance_is_the_ledger_balance(aqbanking, bank, tmp_path):
    account, unique_id = current_account(aqbanking, bank)
    context = str(tmp_path / "balance.ctx")
    aqbanking.output("aqbanking-cli", "request", "--balance", f"--aid={unique_id}", "-c", context)
    [line] = aqbanking.output("aqbanking-cli", "listbal", "-c", context, "-T", "$(type)|$(value)|$(iban)").split()
    kind, value, iban = line.split("|")
    assert (kind, iban) == ("booked", account.iban)
    assert amount(value) == bank.ledger.balance(account.iban, bank.clock.now().date())


def test_transactions_with_their_end_to_end_ids(aqbanking, bank, tmp_path):
    account, unique_id = current_account(aqbanking, bank)
    today = bank.clock.now().date()
    start = today - timedelta(days=45)
    context = str(tmp_path / "transactions.ctx")
    aqbanking.output("aqbanking-cli", "request", "--transactions", f"--aid={unique_id}",
                  f"--fromdate={start:%Y%m%d}", "-c", context)
    listed = aqbanking.output("aqbanking-cli", "listtrans", "-c", context,
                           "-T", "$(type)|$(date)|$(value)|$(endToEndReference)|$(mandateId)|$(purpose)")
    rows = [line.split("|") for line in listed.splitlines() if line.startswith("statement|")]
    booked = bank.ledger.booked(account.iban, start, today)
    assert len(rows) == len(booked) > 10
    assert [(row[1], amount(row[2])) for row in rows] == [(f"{b.booking_date:%Y%m%d}", b.amount) for b in booked]
    # Each SEPA keyword in its own subfield: the end-to-end id and the mandate come out whole
    # (in MT940's character set, as the bank writes them).
    assert [row[3] for row in rows if row[3]] == [swift_text(b.end_to_end_id) for b in booked if b.end_to_end_id]
    assert [row[4] for row in rows if row[4]] == [b.mandate_id for b in booked if b.mandate_id]
    assert [row[5] for row in rows] == [swift_text(b.remittance) for b in booked]


def test_a_transfer_with_a_tan(aqbanking, bank, tmp_path):
    succeeded(aqbanking.tan_method)  # the text method, offered in HKTAN 6
    account, unique_id = current_account(aqbanking, bank)
    payee = SUPPLIERS[0]
    context = str(tmp_path / "transfer.ctx")
    output = aqbanking.with_tan(bank.settings.tan, "sepatransfer", f"--aid={unique_id}", f"--rname={payee.name}",
                                f"--riban={payee.iban}", "--value=125.50:EUR", "--purpose=Rechnung LS-4711",
                                "-c", context)
    assert "Sammelüberweisung: 1 Posten, Summe 125,50 EUR" in output  # the bank's challenge, shown to the user
    [order] = bank.ledger.orders
    assert (order.account_iban, order.total, order.count) == (account.iban, Decimal("125.50"), 1)
    [payment] = [b for b in bank.ledger.bookings[account.iban] if b.order_id == order.order_id]
    assert (payment.counterparty_iban, payment.amount, payment.remittance) == \
        (payee.iban, Decimal("-125.50"), "Rechnung LS-4711")
    status = aqbanking.output("aqbanking-cli", "listtrans", "-c", context, "-tt", "transfer",
                           "-T", "$(status)|$(remoteIban)|$(value)")
    assert status.split() == [f"accepted|{payee.iban}|12550/100:EUR"]
