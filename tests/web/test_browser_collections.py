"""The collection pages on a phone, in a real browser against `kassenwart serve`: a held
collection with its reason, released from its page; the plans; the debit form of an invoice.
No page scrolls sideways at 390 px.

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import pytest

from browser_fixtures import PHONE, log_in, open_tab, serving_books

pytestmark = pytest.mark.browser

# Run in the served data directory before `serve`: a creditor, a customer without an e-mail
# address (its collection is held), one with a long name and a plan, an open invoice.
BOOKS = """
import django
django.setup()
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
from kassenwart.core.business_days import next_business_day
from kassenwart.core.models import User
from kassenwart.payments import collections
from kassenwart.payments.models import CreditorSettings, Mandate
from kassenwart.receivables.models import Customer, Invoice

company, user = Company.objects.get(), User.objects.get(username="a")
CreditorSettings.objects.create(company=company, creditor_id="DE98ZZZ09999999999")
account = BankAccount.objects.create(company=company, name="Lizenzkonto", iban="DE02100100109876543210",
                                     currency="EUR", owner=company.name)
def customer(number, name, email):
    return Customer.objects.create(company=company, number=number, name=name, email=email)
def mandate(owner, reference, iban):
    return Mandate.objects.create(company=company, customer=owner, reference=reference, signed_on="2026-01-15",
                                  creditor_id="DE98ZZZ09999999999", debtor_name=owner.name, iban=iban, created_by=user)
quiet = customer("K-1", "Stille Post GmbH", "")
long = customer("K-2", "Bergblick Software- und Lizenzverwaltungsgesellschaft mbH & Co. KG", "ap@bergblick.example")
due = next_business_day(timezone.localdate() + timedelta(days=20))
for owner, reference, iban, number in ((quiet, "MND-STILL-1", "DE89370400440532013000", "RE-2026-0001"),
                                       (long, "MND-BERG-2026-000000000000000000001", "DE02120300000000202051",
                                        "RE-2026-0002")):
    m = mandate(owner, reference, iban)
    invoice = Invoice.objects.create(company=company, customer=owner, number=number, amount=Decimal("1234.50"),
                                     open_amount=Decimal("1234.50"), status="open")
    collections.collection_create(company, invoice=invoice, mandate=m, account=account, due_date=due, user=user)
plan = collections.plan_create(company, mandate=m, account=account, amount=Decimal("49.00"), interval="monthly",
                               day=31, starts_on=timezone.localdate(), remittance="Lizenz Kassenwart Pro",
                               invoice_prefix="LIZ-", user=user)
Invoice.objects.create(company=company, customer=long, number="RE-2026-0003", amount=Decimal("99.00"),
                       open_amount=Decimal("99.00"), status="open")
collections.plans_generate()
print(plan.pk)
"""


@pytest.fixture
def books(tmp_path):
    with serving_books(tmp_path, BOOKS) as served:
        yield served[:2]


def test_collections_on_a_phone(books, browser, shots):
    from playwright.sync_api import expect

    base, plan = books
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    main = page.locator("main")
    log_in(page, base, "a", "p")

    open_tab(page, "Collections")
    expect(main).to_contain_text("Stille Post GmbH")
    expect(main).to_contain_text("The customer has no e-mail address")
    page.screenshot(path=str(shots / "collections-1-list.png"), full_page=True)

    main.get_by_role("link", name="Stille Post GmbH").first.click()
    page.get_by_label("The debtor was told of this collection in another way").check()
    page.screenshot(path=str(shots / "collections-2-held.png"), full_page=True)
    page.get_by_role("button", name="Release for the next debit run").click()
    expect(main).to_contain_text("Released. The next debit run takes it.")
    detail = page.url

    for number, path in enumerate(("/collections/", detail.removeprefix(base), "/collections/plans/",
                                   f"/collections/plans/{plan}/", "/collections/plans/new/",
                                   f"/collections/plans/{plan}/edit/", "/invoices/")):
        page.goto(f"{base}{path}")
        page.screenshot(path=str(shots / f"collections-page-{number}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px screen"
    page.goto(f"{base}/collections/plans/{plan}/")
    expect(main).to_contain_text("Lizenz Kassenwart Pro")
    page.screenshot(path=str(shots / "collections-3-plan.png"), full_page=True)

    page.goto(f"{base}/invoices/")
    main.get_by_role("link", name="RE-2026-0003").click()
    main.get_by_role("link", name="Collect by direct debit").click()
    expect(page.get_by_role("heading", name="Collect by direct debit")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the debit form is {width}px wide"
    page.screenshot(path=str(shots / "collections-4-invoice.png"), full_page=True)
    assert not errors
