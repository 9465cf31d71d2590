"""Webhooks in the served product on a phone (375 px, German): the embedded worker posts an
imported transaction to a receiver on this machine; an admin reads the delivery log, reveals
the secret and replays the delivery, which arrives again with the same webhook-id and a
signature the receiver verifies. No page scrolls sideways.

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import time

import pytest

from browser_fixtures import log_in, serving_books
from camt_files import camt, entry

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}

BOOKS = """
import io
import django
django.setup()
from kassenwart.banking.services import statement_import
from kassenwart.companies.models import Company
from kassenwart.core.models import User
from kassenwart.webhooks.fanout import webhooks_fan_out
from kassenwart.webhooks.services import endpoint_create
company, admin = Company.objects.get(), User.objects.get(username="a")
endpoint, _secret = endpoint_create(company, url=%(url)r, events=["transaction.booked"],
                                    description="CRM Nordlicht (Produktion, sehr langer Name zum Umbrechen)",
                                    user=admin, via="test")
statement_import(company, io.BytesIO(%(camt)r), file_name="auszug.xml", user=admin, via="test")
webhooks_fan_out()
print(endpoint.pk)
"""


@pytest.fixture
def served(tmp_path, receiver):
    statement = camt([entry("1190.00", text="Rechnung RE-2026-7", name="Kunde Nord GmbH")]).getvalue()
    with serving_books(tmp_path, BOOKS % {"url": receiver.url, "camt": statement}) as (base, endpoint, _env):
        yield base, endpoint


def _until(check, seconds=60.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError("not in time")


def _fits(page, shots, name):
    page.screenshot(path=str(shots / f"webhooks-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width}px wide on a {PHONE['width']}px screen"


def test_delivery_log_secret_and_replay_on_a_phone(served, receiver, browser, shots):
    from playwright.sync_api import expect

    base, endpoint = served
    _until(lambda: len(receiver.received) == 1)  # the embedded worker posted the import's transaction
    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    main = page.locator("main")
    log_in(page, base, "a", "p")

    page.goto(f"{base}/settings/webhooks/")
    expect(main).to_contain_text("Endpunkt hinzufügen")
    expect(main).to_contain_text("CRM Nordlicht")
    _fits(page, shots, "1-list")
    main.get_by_role("link", name=receiver.url).click()
    expect(main).to_contain_text("zugestellt")
    _fits(page, shots, "2-detail")

    main.get_by_role("button", name="Geheimnis anzeigen").click()
    secret = page.locator("code.secret-value").inner_text().strip()
    assert secret.startswith("whsec_")
    receiver.secret = secret
    _fits(page, shots, "3-secret")

    page.goto(f"{base}/settings/webhooks/{endpoint}/")
    main.get_by_role("link", name="transaction.booked").click()
    expect(main.locator("table.list tbody tr")).to_have_count(1)
    _fits(page, shots, "4-delivery")
    main.get_by_role("button", name="Erneut senden").click()
    _until(lambda: len(receiver.received) == 2)
    page.reload()
    expect(main.locator("table.list tbody tr")).to_have_count(2)
    expect(main).to_contain_text("erneut gesendet")
    _fits(page, shots, "5-replayed")

    first, again = receiver.received
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert again.payload is not None, again.error  # signed with the secret the page showed
    assert again.payload["data"]["amount"] == "1190.00"
