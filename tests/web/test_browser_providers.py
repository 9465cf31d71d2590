"""Connecting a Stripe account in a real browser on a phone, in German: `kassenwart serve` (its
embedded worker runs the sync) against the Stripe simulator over HTTP."""

from __future__ import annotations

import time

import pytest

from kassenwart.sandbox.providers import ProviderServer, StripeApi

from browser_fixtures import PHONE, log_in, open_tab

pytestmark = pytest.mark.browser


@pytest.fixture
def stripe_sim():
    api = StripeApi()
    api.charge(4900, description="Bestellung 1", metadata={"invoice": "RE-2026-0001"}, name="Erika Muster",
               created=int(time.time()) - 86400)
    server = ProviderServer(api).start()
    yield server
    server.stop()


def test_phone_connect_stripe_and_see_its_account(server, browser, shots, stripe_sim):
    from playwright.sync_api import expect

    page = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True).new_page()
    page.set_default_timeout(20_000)
    log_in(page, server, "a", "p")
    open_tab(page, "Bankverbindungen")
    page.get_by_role("link", name="Zahlungsdienstleister verbinden").click()
    page.get_by_role("link", name="Stripe").click()
    page.get_by_label("API-Schlüssel").fill(stripe_sim.api.api_key)
    page.get_by_label("API-Adresse").fill(stripe_sim.url)
    page.screenshot(path=shots / "provider-new.png", full_page=True)
    page.get_by_role("button", name="Verbinden").click()
    expect(page.locator("main")).to_contain_text("Verbunden.")
    # the status box polls until the sync is done, then the page shows the account
    expect(page.locator("main")).to_contain_text("Alpenblick Shop EUR", timeout=60_000)
    expect(page.locator("#connection-status")).to_contain_text("verbunden")
    page.screenshot(path=shots / "provider-detail.png", full_page=True)
    detail = page.url
    for url in (detail, f"{server}/connections/", f"{server}/connections/providers/new/?provider=paypal", f"{server}/"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} is {width}px wide on a {PHONE['width']}px screen"
    assert stripe_sim.api.api_key not in page.content()
