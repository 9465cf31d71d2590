"""The collection pages: what waits for a person and why, releasing and cancelling, a debit
for an open invoice from its page, and collection plans (new, detail, change, stop)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kassenwart.core.business_days import next_business_day
from kassenwart.payments import collections
from kassenwart.payments.models import Collection, CollectionPlan

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
State = Collection.State


@pytest.fixture
def web(client_for, drafter):
    return client_for(drafter)


def a_date(days: int):
    return next_business_day(timezone.localdate() + timedelta(days=days))


def test_an_open_invoice_with_a_mandate_offers_collection_by_direct_debit(web, debits):
    customer = debits.customer()
    debits.mandate(customer, reference="MND-WEB-1")
    account = debits.account()
    invoice = debits.invoice(customer, "RE-2026-0777", "250.00")
    without = debits.invoice(debits.customer("Ohne Mandat GmbH"), "RE-2026-0778")

    page = web.get(reverse("invoice_detail", args=[invoice.pk]), **EN).content.decode()
    assert "Collect by direct debit" in page
    assert "Collect by direct debit" not in web.get(reverse("invoice_detail", args=[without.pk]), **EN).content.decode()

    form = web.get(reverse("collection_for_invoice", args=[invoice.pk]), **EN).content.decode()
    assert "MND-WEB-1" in form and 'value="250.00"' in form  # in the reader's way of writing
    saturday = timezone.localdate() + timedelta(days=20)
    saturday += timedelta(days=(5 - saturday.weekday()) % 7)
    refused = web.post(reverse("collection_for_invoice", args=[invoice.pk]), {
        "mandate": invoice.customer.mandates.get().pk, "account": account.pk, "amount": "250,00",
        "due_date": saturday.isoformat()}, **EN)
    assert refused.status_code == 400
    assert "Banks do not collect on" in refused.content.decode()

    due = a_date(20)
    response = web.post(reverse("collection_for_invoice", args=[invoice.pk]), {
        "mandate": invoice.customer.mandates.get().pk, "account": account.pk, "amount": "100,00",
        "due_date": due.isoformat()}, **EN)
    collection = Collection.objects.get(invoice=invoice)
    assert response.status_code == 302 and response["Location"] == reverse("collection_detail", args=[collection.pk])
    assert (collection.amount, collection.due_date, collection.state) == (Decimal("100.00"), due, State.PLANNED)
    assert len(mail.outbox) == 1 and "MND-WEB-1" in mail.outbox[0].body
    detail = web.get(response["Location"], **EN).content.decode()
    assert "Debtor told by e-mail" in detail and "RE-2026-0777" in detail


def test_held_collections_show_why_and_a_person_releases_one(web, debits, drafter):
    customer = debits.customer("Stille Post GmbH", email="")
    mandate = debits.mandate(customer)
    collection = collections.collection_create(debits.company, invoice=debits.invoice(customer), mandate=mandate,
                                               account=debits.account(), due_date=a_date(20), user=drafter)
    assert collection.state == State.HELD

    listing = web.get(reverse("collection_list"), **EN).content.decode()
    assert "Held back" in listing and "Stille Post GmbH" in listing
    assert "The customer has no e-mail address" in listing
    detail_url = reverse("collection_detail", args=[collection.pk])
    assert "The customer has no e-mail address" in web.get(detail_url, **EN).content.decode()

    refused = web.post(reverse("collection_release", args=[collection.pk]), {}, **EN)
    assert refused.status_code == 400
    assert "confirm the debtor was told of the collection otherwise" in refused.content.decode()
    released = web.post(reverse("collection_release", args=[collection.pk]), {"told_otherwise": "on"}, **EN)
    assert released.status_code == 302
    collection.refresh_from_db()
    assert (collection.state, collection.hold_reason) == (State.PLANNED, "")
    assert "Released. The next debit run takes it." in web.get(detail_url, **EN).content.decode()


def test_a_collection_is_cancelled_from_its_page_and_shows_in_the_history(web, debits, drafter):
    mandate = debits.mandate()
    collection = collections.collection_create(debits.company, invoice=debits.invoice(mandate.customer),
                                               mandate=mandate, account=debits.account(), due_date=a_date(20),
                                               user=drafter)
    web.post(reverse("collection_cancel", args=[collection.pk]), {"reason": "Kunde zahlt per Überweisung"})
    collection.refresh_from_db()
    assert collection.state == State.CANCELLED
    history = web.get(reverse("collection_list"), **EN).content.decode().split("<h2>History</h2>")[1]
    assert mandate.customer.name in history and '<span class="badge">cancelled</span>' in history


def test_a_returned_collection_shows_its_return_reason(web, debits, drafter):
    mandate = debits.mandate()
    collection = collections.collection_create(debits.company, invoice=debits.invoice(mandate.customer),
                                               mandate=mandate, account=debits.account(), due_date=a_date(20),
                                               user=drafter)
    Collection.objects.filter(pk=collection.pk).update(state=State.RETURNED, return_reason="AM04")
    assert "not enough money on the account (AM04)" in web.get(reverse("collection_list"), **EN).content.decode()
    assert "not enough money on the account (AM04)" in web.get(reverse("collection_detail", args=[collection.pk]),
                                                 **EN).content.decode()


def test_next_debit_runs_are_shown_per_date_and_account(web, debits, drafter):
    account = debits.account("Lizenzkonto")
    due = a_date(20)
    for _ in range(2):
        mandate = debits.mandate()
        collections.collection_create(debits.company, invoice=debits.invoice(mandate.customer, amount="10.00"),
                                      mandate=mandate, account=account, due_date=due, user=drafter)
    page = web.get(reverse("collection_list"), **EN).content.decode()
    assert "2 debits, for approval on" in page and "20.00" in page and "Lizenzkonto" in page


def test_a_plan_is_made_changed_and_stopped_from_its_pages(web, debits):
    mandate = debits.mandate(debits.customer("Bergblick Software GmbH"), reference="MND-PLAN-1")
    account = debits.account()
    new = web.get(reverse("plan_new") + f"?mandate={mandate.pk}", **EN).content.decode()
    assert "MND-PLAN-1" in new
    refused = web.post(reverse("plan_new"), {
        "mandate": mandate.pk, "account": account.pk, "amount": "49,00", "interval": "monthly", "day": "1",
        "starts_on": (timezone.localdate() - timedelta(days=3)).isoformat(), "remittance": "Lizenz",
        "invoice_prefix": "LIZ-"}, **EN)
    assert refused.status_code == 400 and "The first collection cannot be in the past." in refused.content.decode()

    created = web.post(reverse("plan_new"), {
        "mandate": mandate.pk, "account": account.pk, "amount": "49,00", "interval": "monthly", "day": "1",
        "starts_on": timezone.localdate().isoformat(), "remittance": "Lizenz Kassenwart Pro",
        "invoice_prefix": "LIZ-"}, **EN)
    plan = CollectionPlan.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("plan_detail", args=[plan.pk])
    detail = web.get(created["Location"], **EN).content.decode()
    assert "Lizenz Kassenwart Pro" in detail and "to come" in detail and "49.00" in detail
    assert "Bergblick Software GmbH" in web.get(reverse("plan_list"), **EN).content.decode()

    web.post(reverse("plan_edit", args=[plan.pk]), {"amount": "59,00", "day": "15", "ends_on": "",
                                                    "remittance": "Lizenz Kassenwart Pro", "invoice_prefix": "LIZ-"})
    plan.refresh_from_db()
    assert (plan.amount, plan.day) == (Decimal("59.00"), 15)
    web.post(reverse("plan_stop", args=[plan.pk]))
    plan.refresh_from_db()
    assert not plan.active
    assert '<span class="badge">stopped</span>' in web.get(reverse("plan_detail", args=[plan.pk]), **EN).content.decode()
    assert web.get(reverse("plan_edit", args=[plan.pk])).status_code == 302


def test_the_collections_tab_is_in_the_navigation_in_german(web):
    page = web.get(reverse("collection_list")).content.decode()
    assert reverse("collection_list") in page
    assert 'aria-current="page"' in page
