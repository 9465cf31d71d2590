"""Filling a fresh installation with a demo company (used by `kassenwart demo`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kassenwart import flows
from kassenwart.banking import fints
from kassenwart.banking.formats.camt_writer import write_camt
from kassenwart.banking.formats.statement import Entry, StatementHeader
from kassenwart.banking.models import BankConnection, Transaction
from kassenwart.banking.providers import PAYOUT
from kassenwart.banking.providers.sync import provider_connect, provider_sync
from kassenwart.banking.services import statement_import, statement_items_import
from kassenwart.companies.models import Company, Role
from kassenwart.companies.services import company_create, membership_set, user_create
from kassenwart.companies.two_factor import authenticator_issue, authenticator_of, authenticator_secret
from kassenwart.core.messages import render
from kassenwart.core.models import User
from kassenwart.demo import generator
from kassenwart.receivables.services import invoice_import
from kassenwart.reconciliation.services import reconcile_company
from kassenwart.reconciliation.transfers import payouts_pair
from kassenwart.sandbox import DEMO_PORT
from kassenwart.sandbox.bank import Settings as SandboxSettings
from kassenwart.sandbox.providers import APIS as PROVIDER_APIS
from kassenwart.sandbox.providers import DEMO_PORTS as PROVIDER_PORTS
from kassenwart.sandbox.providers import ProviderServer
from kassenwart.sandbox.scenarios import demo_bank
from kassenwart.sandbox.server import SandboxServer

DEMO_COMPANY = "Alpenblick Handels GmbH"
DEMO_IBAN = "DE89370400440532013000"
LOGINS = {"admin": Role.ADMIN, "approver": Role.APPROVER, "member": Role.MEMBER}
PASSWORD = "kassenwart-demo"
SANDBOX_CONNECTION = "Kassenwart Sandbox Bank"


@dataclass
class DemoResult:
    company: Company
    created: bool
    files: int = 0
    transactions: int = 0
    invoices: int = 0
    reconciled: int = 0


def demo_two_factor() -> dict[str, str]:
    """Each demo user's authenticator key (base32), issued on the first run: `kassenwart demo`
    prints them, so a person can type one into an authenticator app and log in with codes."""
    secrets = {}
    for username in LOGINS:
        user = User.objects.get(username=username)
        device = authenticator_of(user) or authenticator_issue(user, via="demo")
        secrets[username] = authenticator_secret(device)
    return secrets


def demo_setup(folder: Path, *, today: date | None = None, seed: int = 2026) -> DemoResult:
    """Create the demo company once: users for each role, invoices, four months of statements."""
    existing = Company.objects.filter(name=DEMO_COMPANY).first()
    if existing is not None:
        return DemoResult(existing, created=False)
    with transaction.atomic():  # all of it or nothing: a half-made demo would never be finished
        company = company_create(DEMO_COMPANY, via="demo")
        for username, role in LOGINS.items():
            user = User.objects.filter(username=username).first() or user_create(username, PASSWORD, via="demo")
            membership_set(company, user, role, by=None, via="demo")

        rng = random.Random(seed)
        end = today or date.today()
        start = (end - timedelta(days=120)).replace(day=1)
        days = (end - start).days + 1
        people = generator.customers(rng, 80)
        invoices = generator.invoices(rng, people, 400, start - timedelta(days=30), days)
        paid = rng.sample(invoices, k=len(invoices) * 6 // 10)
        entries = generator.statement_entries(rng, paid, noise=250, start=start, days=days)
        result = DemoResult(company, created=True)
        result.invoices = invoice_import(company, generator.invoices_csv(invoices), file_name="crm-export.csv", via="demo").created

        folder.mkdir(parents=True, exist_ok=True)
        for header, month_entries in generator.monthly_statements(DEMO_IBAN, entries, Decimal("48250.00")):
            path = folder / f"{header.statement_id}.xml"
            with open(path, "wb") as out:
                write_camt(out, header, month_entries, message="053")
            imported = statement_import(company, path, via="demo")
            result.files += 1
            result.transactions += imported.added
        result.reconciled = reconcile_company(company, via="demo").auto
    return result


def sandbox_start(port: int = DEMO_PORT) -> SandboxServer:
    """The sandbox bank in a thread of this process, on `port` or, if taken, any free one.
    It accepts whatever FinTS product id this installation uses."""
    bank = demo_bank(SandboxSettings(product_ids=(fints.product_id(),)))
    try:
        server = SandboxServer(bank, port)
    except OSError:
        server = SandboxServer(bank, 0)
    server.start()
    return server


def demo_connect_bank(company: Company, server: SandboxServer) -> fints.SyncResult:
    """Connect the demo company to the sandbox bank over FinTS (once) and sync it."""
    info = server.connection_info()
    connection = company.connections.filter(kind=BankConnection.Kind.FINTS, name=SANDBOX_CONNECTION).first()
    if connection is None:
        connection = fints.connection_create(
            company, name=SANDBOX_CONNECTION, bank_code=info["bank_code"], server_url=info["url"],
            login=info["login"], pin=info["pin"], keep_pin=True, via="demo",
        )
        options = fints.connection_probe(connection, via="demo")
        if not options:
            return fints.SyncResult(state=connection.state, message=render(connection.last_error or {}))
        fints.connection_choose_tan(connection, method=options[0].method, via="demo")
    elif connection.server_url != info["url"]:
        fints.connection_set_server(connection, info["url"], via="demo")
    synced = fints.connection_sync(connection, via="demo")
    if synced.added:
        flows.after_import(company.pk)
    return synced


def providers_start() -> dict[str, ProviderServer]:
    """The PayPal, Qonto and Stripe simulators in threads of this process, each on its demo
    port or, if taken, any free one."""
    servers = {}
    for provider, api in PROVIDER_APIS.items():
        try:
            server = ProviderServer(api.demo(), port=PROVIDER_PORTS[provider])
        except OSError:
            server = ProviderServer(api.demo(), port=0)
        servers[provider] = server.start()
    return servers


@dataclass
class ProvidersResult:
    accounts: int = 0
    added: int = 0
    payouts: int = 0  # paired with their arrival on the bank account
    failed: list[str] = field(default_factory=list)


def demo_connect_providers(company: Company, servers: dict[str, ProviderServer]) -> ProvidersResult:
    """Connect the demo company's PayPal, Qonto and Stripe accounts to the simulators (once)
    and sync them; the payouts pair with the bank and the payments match invoices after."""
    result = ProvidersResult()
    first_time = not company.connections.filter(kind=BankConnection.Kind.PROVIDER).exists()
    for provider, server in servers.items():
        connection = company.connections.filter(kind=BankConnection.Kind.PROVIDER, provider=provider).first()
        if connection is None:
            connection = provider_connect(company, provider, server.api.credentials, api_base=server.url, via="demo")
        elif connection.server_url != server.url:
            BankConnection.objects.filter(pk=connection.pk).update(server_url=server.url)
            connection.server_url = server.url
        synced = provider_sync(connection, via="demo")
        result.accounts += synced.accounts
        result.added += synced.added
        if synced.error:
            result.failed.append(f"{connection.name}: {render(synced.error)}")
    if first_time:
        result.payouts = _payouts_arrive(company)
    if result.added:
        flows.after_import(company.pk)
    return result


PAYERS = {"stripe": "Stripe Technology Europe Ltd", "paypal": "PayPal Europe S.a.r.l. et Cie S.C.A"}


def _payouts_arrive(company: Company) -> int:
    """The providers' payouts arrive on the demo's bank account a day later, as a bank's
    credit advice (camt.054) would show them (once: the simulators' dates move with the
    clock), and pair with their payouts as transfers between own accounts."""
    account = company.accounts.filter(iban=DEMO_IBAN).first()
    payouts = Transaction.objects.filter(company=company, transaction_code=PAYOUT).select_related("account")
    entries = [Entry(amount=-payout.amount, currency=payout.currency, booking_date=payout.booking_date + timedelta(days=1),
                     value_date=payout.booking_date + timedelta(days=1),
                     counterparty_name=PAYERS.get(payout.account.bank_code, payout.account.bank_code),
                     remittance=f"{payout.account.bank_code.upper()} PAYOUT {payout.batch_reference or payout.bank_reference}")
               for payout in payouts if payout.booking_date is not None]
    if account is None or not entries:
        return 0
    header = StatementHeader(format="camt.054.001.08", account_iban=DEMO_IBAN, currency="EUR")
    statement_items_import(company, [header, *entries], name="payouts-camt054.xml", account=account, via="demo")
    return payouts_pair(company, via="demo")


def demo_transfers(company: Company, *, today: date | None = None) -> int:
    """Transfers that show the four eyes and the payee check (once): one the member has
    submitted for approval, one draft whose payee name the payee's bank knows a little
    differently (a close match)."""
    from kassenwart.payments import services as payments
    from kassenwart.payments.models import PaymentOrder
    from kassenwart.sandbox.scenarios import SUPPLIERS

    account = (company.accounts.filter(connection__kind=BankConnection.Kind.FINTS, kind="current")
               .order_by("pk").first())
    member = User.objects.filter(username="member").first()
    if account is None or member is None or PaymentOrder.objects.filter(company=company).exists():
        return 0
    today = today or date.today()
    submitted = payments.order_create(company, user=member, account=account, requested_date=today, via="demo",
                                      transfers=[payments.TransferInput(SUPPLIERS[0].name, SUPPLIERS[0].iban,
                                                                        Decimal("4820.00"), "Rechnung ER-2026-311")])
    payments.order_submit(submitted, user=member, via="demo")
    payments.order_create(company, user=member, account=account, requested_date=today, via="demo",
                          transfers=[payments.TransferInput("Werkzeug Kaiser", SUPPLIERS[1].iban,
                                                            Decimal("389.90"), "Kd-Nr. 7781 Rechnung 2026-0412")])
    return 2
