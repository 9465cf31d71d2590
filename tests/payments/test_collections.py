"""Collecting money by direct debit: a debit for an open invoice, licence fees by plan, the
debtor's pre-notification, collections held back for a person, and debit runs grouped as the
banks want them (one account, scheme, sequence type and date each)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from kassenwart.core.business_days import is_business_day
from kassenwart.payments import collections, services
from kassenwart.payments.collections import Hold
from kassenwart.payments.models import Collection, CollectionPlan, Mandate, PaymentOrder
from kassenwart.receivables.models import Invoice

from debit_data import CREDITOR_ID, FOREIGN_IBAN, OTHER_CREDITOR_ID, TODAY, bank_accepts

State = Collection.State


def problem_codes(raised) -> set[str]:
    return {p.code for p in raised.value.problems}


def monthly_plan(debits, mandate, account, *, user, amount="49.00", day=1, starts_on=date(2026, 8, 1), prefix="LIZ-",
                 **terms):
    return collections.plan_create(
        debits.company, mandate=mandate, account=account, amount=Decimal(amount), interval="monthly", day=day,
        starts_on=starts_on, remittance="Lizenz Kassenwart Pro", invoice_prefix=prefix, user=user, today=TODAY, **terms)


# -- one-off debits of open invoices ----------------------------------------------------------
def test_a_debit_of_an_open_invoice_tells_the_debtor_in_german(debits, drafter):
    account = debits.account()
    customer = debits.customer()
    mandate = debits.mandate(customer, iban="DE89370400440532013000", reference="MND-BERG-7")
    invoice = debits.invoice(customer, "RE-2026-0042", "1234.50", payment_reference="RF18539007547034")

    collection = collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=account,
                                               due_date=date(2026, 7, 20), user=drafter, today=TODAY)

    assert (collection.state, collection.amount, collection.drafted_by) == (State.PLANNED, Decimal("1234.50"), drafter)
    assert collection.remittance == "RE-2026-0042 RF18539007547034"
    assert collection.pre_notified_at is not None
    [sent] = mail.outbox
    assert sent.to == ["buchhaltung@bergblick.example"] and sent.from_email == "lastschrift@nordlicht.example"
    assert sent.subject == "Ankündigung einer SEPA-Lastschrift: 1.234,50 EUR am 20.07.2026"
    for text in ("1.234,50 EUR", "20.07.2026", "Mandatsreferenz: MND-BERG-7",
                 f"Gläubiger-Identifikationsnummer: {CREDITOR_ID}", "Nordlicht Software GmbH",
                 "Verwendungszweck: RE-2026-0042 RF18539007547034", "DE89 … 3000"):
        assert text in sent.body
    assert "0532 0130" not in sent.body  # the IBAN is not written out in full


def test_a_debtor_abroad_is_told_in_english_and_a_customer_may_choose(debits, drafter):
    account = debits.account()
    abroad = debits.mandate(debits.customer("Polder Licensing B.V."), iban=FOREIGN_IBAN, reference="MND-NL-1")
    chose = debits.mandate(debits.customer("Anglo GmbH", email="ap@anglo.example", language="en"), reference="MND-EN")
    for mandate in (abroad, chose):
        invoice = debits.invoice(mandate.customer, amount="1234.50")
        collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=account,
                                      due_date=date(2026, 7, 20), user=drafter, today=TODAY)
    assert len(mail.outbox) == 2
    for sent, mandate in zip(mail.outbox, (abroad, chose)):
        assert sent.subject == "Notice of a SEPA direct debit: EUR 1,234.50 on 20 July 2026"
        for text in ("EUR 1,234.50", "20 July 2026", f"Mandate reference: {mandate.reference}",
                     f"Creditor identifier: {CREDITOR_ID}", "Nordlicht Software GmbH"):
            assert text in sent.body
        assert "Gläubiger" not in sent.body


def test_a_b2b_mandate_is_announced_as_a_business_debit(debits, drafter):
    mandate = debits.mandate(scheme="B2B")
    invoice = debits.invoice(mandate.customer)
    collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=debits.account(),
                                  due_date=date(2026, 7, 20), user=drafter, today=TODAY)
    assert "SEPA-Firmenlastschrift" in mail.outbox[0].body


def test_part_of_the_open_amount_can_be_collected_but_never_more_or_nothing(debits, drafter):
    account, mandate = debits.account(), debits.mandate()
    invoice = debits.invoice(mandate.customer, amount="500.00")

    def create(amount):
        return collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=account,
                                             due_date=date(2026, 7, 20), user=drafter, today=TODAY, amount=amount)

    for amount, code in ((Decimal("500.01"), "amount_above_open"), (Decimal("0.00"), "amount_range"),
                         (Decimal("-5.00"), "amount_range"), (Decimal("1.005"), "amount_range")):
        with pytest.raises(services.PaymentInvalid) as refused:
            create(amount)
        assert code in problem_codes(refused), amount
    assert create(Decimal("200.00")).amount == Decimal("200.00")
    with pytest.raises(services.PaymentInvalid) as refused:
        create(Decimal("100.00"))
    assert problem_codes(refused) == {"invoice_collecting"}  # one collection of an invoice at a time
    assert not Collection.objects.filter(amount__lte=0).exists()


def test_the_date_must_be_a_business_day_far_enough_ahead(debits, drafter):
    account, mandate = debits.account(), debits.mandate()
    invoice = debits.invoice(mandate.customer)
    cases = {date(2026, 7, 18): "not_business_day",  # a Saturday
             date(2026, 12, 25): "not_business_day",  # Christmas, a TARGET holiday
             date(2027, 3, 26): "not_business_day",  # Good Friday
             date(2026, 7, 14): "due_date_early"}  # 13 days: the debtor must be told 14 ahead
    for day, code in cases.items():
        with pytest.raises(services.PaymentInvalid) as refused:
            collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=account,
                                          due_date=day, user=drafter, today=TODAY)
        assert problem_codes(refused) == {code}, day
    assert collections.earliest_due_date(mandate, account, TODAY) == date(2026, 7, 15)
    # an agreed shorter pre-notification leaves the bank's lead time and a day to approve
    short = debits.mandate(pre_notification_days=1)
    assert collections.earliest_due_date(short, account, TODAY) == date(2026, 7, 3)


def test_no_debit_without_a_creditor_id_or_under_another_one(debits, drafter, company):
    from kassenwart.payments.models import CreditorSettings

    mandate = debits.mandate()
    invoice = debits.invoice(mandate.customer)
    other = debits.account("Zweitkonto", creditor_id=OTHER_CREDITOR_ID)
    with pytest.raises(services.PaymentInvalid) as refused:
        collections.collection_create(company, invoice=invoice, mandate=mandate, account=other,
                                      due_date=date(2026, 7, 20), user=drafter, today=TODAY)
    assert problem_codes(refused) == {"creditor_id_other"}
    assert OTHER_CREDITOR_ID in refused.value.problems[0].message
    CreditorSettings.objects.filter(company=company).update(creditor_id="")
    with pytest.raises(services.PaymentInvalid) as refused:
        collections.collection_create(company, invoice=invoice, mandate=mandate, account=debits.account(),
                                      due_date=date(2026, 7, 20), user=drafter, today=TODAY)
    assert problem_codes(refused) == {"creditor_id_not_set"}
    assert "creditor identifier" in refused.value.problems[0].message
    assert not Collection.objects.exists()


def test_only_an_active_mandate_of_the_invoices_customer_and_a_one_off_mandate_once(debits, drafter):
    account = debits.account()
    one_off = debits.mandate(kind="one_off")
    first, second = debits.invoice(one_off.customer), debits.invoice(one_off.customer)
    someone_else = debits.mandate()
    revoked = debits.mandate(one_off.customer, state="revoked")

    def create(invoice, mandate):
        return collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=account,
                                             due_date=date(2026, 7, 20), user=drafter, today=TODAY)

    for mandate, code in ((someone_else, "mandate_other_customer"), (revoked, "mandate_inactive")):
        with pytest.raises(services.PaymentInvalid) as refused:
            create(first, mandate)
        assert problem_codes(refused) == {code}
    used = create(first, one_off)
    with pytest.raises(services.PaymentInvalid) as refused:
        create(second, one_off)
    assert problem_codes(refused) == {"one_off_used"}
    # cancelled before it went anywhere, the one-off mandate was not used after all
    collections.collection_cancel(used, user=drafter)
    assert create(second, one_off).state == State.PLANNED


def test_another_companys_objects_are_refused(debits, drafter):
    from kassenwart.companies.services import company_create

    from debit_data import DebitBooks

    theirs = DebitBooks(company_create("Alpenglück Handels KG", via="test"), drafter)
    mandate = debits.mandate()
    with pytest.raises(services.PaymentInvalid) as refused:
        collections.collection_create(debits.company, invoice=debits.invoice(mandate.customer), mandate=mandate,
                                      account=theirs.account(), due_date=date(2026, 7, 20), user=drafter, today=TODAY)
    assert problem_codes(refused) == {"account_unknown"}


# -- pre-notification and holding back -------------------------------------------------------
def test_without_an_e_mail_address_the_collection_is_held_until_someone_confirms(debits, drafter):
    customer = debits.customer(email="")
    mandate = debits.mandate(customer)
    collection = collections.collection_create(debits.company, invoice=debits.invoice(customer), mandate=mandate,
                                               account=debits.account(), due_date=date(2026, 7, 20), user=drafter,
                                               today=TODAY)
    assert (collection.state, collection.hold_reason, collection.pre_notified_at) == (State.HELD, Hold.NO_EMAIL, None)
    assert not mail.outbox

    with pytest.raises(services.PaymentInvalid) as refused:
        collections.collection_release(collection, user=drafter, today=TODAY)
    assert problem_codes(refused) == {"no_email"}
    released = collections.collection_release(collection, user=drafter, told_otherwise=True, today=TODAY)
    assert (released.state, released.hold_reason) == (State.PLANNED, "")
    assert released.pre_notified_at is not None and not mail.outbox


def test_a_plan_collection_written_too_late_is_held_and_released_with_a_later_date(debits, drafter):
    mandate = debits.mandate()
    plan = monthly_plan(debits, mandate, debits.account(), user=drafter, day=10, starts_on=date(2026, 7, 6))
    assert collections.plans_generate(today=TODAY) == 1  # 10 July: 9 days ahead, 14 needed
    july = plan.collections.get()
    assert (july.due_date, july.state, july.hold_reason) == (date(2026, 7, 10), State.HELD, Hold.PRENOTIFICATION_LATE)
    assert not mail.outbox

    with pytest.raises(services.PaymentInvalid) as refused:
        collections.collection_release(july, user=drafter, due_date=date(2026, 7, 13), today=TODAY)
    assert problem_codes(refused) == {"prenotification_late"}
    released = collections.collection_release(july, user=drafter, due_date=date(2026, 7, 17), today=TODAY)
    assert (released.state, released.due_date) == (State.PLANNED, date(2026, 7, 17))
    assert len(mail.outbox) == 1 and "17.07.2026" in mail.outbox[0].body

    assert collections.plans_generate(today=date(2026, 7, 20)) == 1  # August, in time
    august = plan.collections.get(period=date(2026, 8, 1))
    assert (august.due_date, august.state) == (date(2026, 8, 10), State.PLANNED)
    assert len(mail.outbox) == 2 and "10.08.2026" in mail.outbox[1].body


def test_an_unreachable_mail_server_holds_nothing_back_and_is_tried_again(debits, drafter, settings):
    mandate = debits.mandate()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens
    collection = collections.collection_create(debits.company, invoice=debits.invoice(mandate.customer),
                                               mandate=mandate, account=debits.account(), due_date=date(2026, 7, 20),
                                               user=drafter, today=TODAY)
    assert (collection.state, collection.pre_notified_at) == (State.PLANNED, None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert collections.prenotifications_send(today=TODAY) == 1
    assert collections.prenotifications_send(today=TODAY) == 0  # told once
    assert len(mail.outbox) == 1


def test_an_agreed_shorter_pre_notification_counts(debits, drafter):
    mandate = debits.mandate(pre_notification_days=3)
    collection = collections.collection_create(debits.company, invoice=debits.invoice(mandate.customer),
                                               mandate=mandate, account=debits.account(), due_date=date(2026, 7, 6),
                                               user=drafter, today=TODAY)
    assert collection.state == State.PLANNED and len(mail.outbox) == 1


# -- plans ---------------------------------------------------------------------------------------
def test_due_dates_keep_the_day_clamp_short_months_and_move_to_business_days():
    def dates(**terms):
        return [due for _period, due in collections.due_dates(**terms)]

    # day 31: the last day of shorter months; 31 Jan and 28 Feb 2027 are Sundays, 30 Apr a Friday
    assert dates(day=31, interval="monthly", starts_on=date(2027, 1, 1), ends_on=None, until=date(2027, 5, 1)) == [
        date(2027, 2, 1), date(2027, 3, 1), date(2027, 3, 31), date(2027, 4, 30)]
    # day 26 of March 2027 is Good Friday: Easter Monday follows, so Tuesday the 30th
    assert dates(day=26, interval="quarterly", starts_on=date(2026, 12, 1), ends_on=None, until=date(2027, 7, 1)) == [
        date(2026, 12, 28), date(2027, 3, 30), date(2027, 6, 28)]
    # a start in the middle of the month: that month's day has passed; the end is inclusive
    assert dates(day=1, interval="yearly", starts_on=date(2026, 7, 20), ends_on=date(2028, 7, 3),
                 until=date(2030, 1, 1)) == [date(2027, 7, 1), date(2028, 7, 3)]
    periods = [p for p, _due in collections.due_dates(day=15, interval="quarterly", starts_on=date(2026, 8, 1),
                                                      ends_on=None, until=date(2027, 3, 1))]
    assert periods == [date(2026, 8, 1), date(2026, 11, 1), date(2027, 2, 1)]
    assert all(is_business_day(d) for d in dates(day=25, interval="monthly", starts_on=date(2026, 1, 1),
                                                 ends_on=None, until=date(2028, 1, 1)))


def test_a_plan_writes_each_collection_with_an_invoice_once(debits, drafter):
    mandate = debits.mandate()
    plan = monthly_plan(debits, mandate, debits.account(), user=drafter, amount="49.00", day=1)
    assert collections.plans_generate(today=TODAY) == 0  # 3 August is beyond 1 July + 14 + 7 days
    assert collections.plans_generate(today=date(2026, 7, 13)) == 1
    assert collections.plans_generate(today=date(2026, 7, 13)) == 0
    [august] = plan.collections.all()
    assert (august.due_date, august.period, august.amount) == (date(2026, 8, 3), date(2026, 8, 1), Decimal("49.00"))
    assert august.remittance == "Lizenz Kassenwart Pro LIZ-2026-08-03"
    invoice = august.invoice
    assert (invoice.number, invoice.customer, invoice.due_date, invoice.open_amount, invoice.status) == (
        "LIZ-2026-08-03", mandate.customer, date(2026, 8, 3), Decimal("49.00"), Invoice.Status.OPEN)
    assert august.drafted_by == drafter and august.state == State.PLANNED
    assert len(mail.outbox) == 1  # pre-notified once, however often the clock runs
    # three months later: September, October and November, nothing twice
    assert collections.plans_generate(today=date(2026, 10, 15)) == 3
    assert list(plan.collections.values_list("due_date", flat=True)) == [
        date(2026, 8, 3), date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 2)]
    assert Invoice.objects.filter(number__startswith="LIZ-").count() == 4


def test_a_second_worker_finds_the_collection_there_and_writes_nothing(debits, drafter):
    plan = monthly_plan(debits, debits.mandate(), debits.account(), user=drafter)
    [(period, due)] = list(collections.due_dates(day=1, interval="monthly", starts_on=plan.starts_on, ends_on=None,
                                                 until=date(2026, 8, 5)))
    assert collections._plan_collection_create(plan, period, due, TODAY)
    # the second worker read before the first committed: the database refuses its copy
    assert not collections._plan_collection_create(plan, period, due, TODAY)
    assert plan.collections.count() == 1 and Invoice.objects.filter(number="LIZ-2026-08-03").count() == 1


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="SQLite lets one writer at a time: the overlap needs PostgreSQL (scripts/test runs both)")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_write_each_collection_once(company, drafter):
    """Real concurrency: two threads, two database connections, one plan."""
    import threading

    from django.db import connections

    from debit_data import DebitBooks

    debits = DebitBooks(company, drafter)
    plan = monthly_plan(debits, debits.mandate(), debits.account(), user=drafter)
    start, written, errors = threading.Barrier(2), [], []

    def worker():
        try:
            start.wait(timeout=30)
            written.append(collections.plans_generate(today=date(2026, 10, 15)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and sum(written) == 4  # August to November, between them
    assert list(plan.collections.values_list("due_date", flat=True)) == [
        date(2026, 8, 3), date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 2)]
    assert Invoice.objects.filter(number__startswith="LIZ-").count() == 4
    assert len(mail.outbox) == 1  # only November could still be announced in time, once


def test_a_taken_invoice_number_stops_the_plan_half_way_without_leftovers(debits, drafter):
    mandate = debits.mandate()
    plan = monthly_plan(debits, mandate, debits.account(), user=drafter)
    # the CRM import already has an invoice with the number September's would get
    debits.invoice(debits.customer("Jemand Anderes AG"), number="LIZ-2026-09-01", amount="10.00")

    assert collections.plans_generate(today=date(2026, 10, 15)) == 1  # August, then it stops
    assert list(plan.collections.values_list("due_date", flat=True)) == [date(2026, 8, 3)]
    assert not Invoice.objects.filter(customer=mandate.customer).exclude(collections__isnull=False).exists()
    schedule = collections.plan_schedule(plan, today=date(2026, 10, 15))
    assert [(row.due_date, row.blocked) for row in schedule if row.collection is None][:1] == [
        (date(2026, 9, 1), "invoice_number_taken")]

    collections.plan_update(plan, user=drafter, invoice_prefix="LIZ-BERG-")
    assert collections.plans_generate(today=date(2026, 10, 15)) == 3
    assert collections.plans_generate(today=date(2026, 10, 15)) == 0
    assert list(plan.collections.values_list("invoice__number", flat=True)) == [
        "LIZ-2026-08-03", "LIZ-BERG-2026-09-01", "LIZ-BERG-2026-10-01", "LIZ-BERG-2026-11-02"]


def test_re_planning_never_collects_a_period_twice(debits, drafter):
    mandate = debits.mandate()
    plan = monthly_plan(debits, mandate, debits.account(), user=drafter, day=1)
    collections.plans_generate(today=date(2026, 7, 13))
    [august] = plan.collections.all()
    collections.collection_cancel(august, user=drafter)

    collections.plan_update(plan, user=drafter, day=15, amount=Decimal("59.00"))
    collections.plans_generate(today=date(2026, 8, 25))
    rows = list(plan.collections.values_list("due_date", "amount", "state"))
    # August stays cancelled (not planned again on the 17th); September under the new terms
    assert rows == [(date(2026, 8, 3), Decimal("49.00"), State.CANCELLED),
                    (date(2026, 9, 15), Decimal("59.00"), State.PLANNED)]


def test_two_plans_of_one_mandate_on_the_same_day_collect_on_different_days(debits, drafter):
    mandate, account = debits.mandate(), debits.account()
    first = monthly_plan(debits, mandate, account, user=drafter, prefix="LIZ-A-")
    second = monthly_plan(debits, mandate, account, user=drafter, prefix="LIZ-B-", amount="9.00")
    collections.plans_generate(today=date(2026, 7, 13))
    collections.plans_generate(today=date(2026, 7, 13))
    assert [c.due_date for c in first.collections.all()] == [date(2026, 8, 3)]
    assert [c.due_date for c in second.collections.all()] == [date(2026, 8, 4)]
    # the second plan's invoice for the 3rd was written, then rolled back with its collection
    assert list(Invoice.objects.filter(number__startswith="LIZ-B-").values_list("number", flat=True)) == [
        "LIZ-B-2026-08-04"]


def test_plan_terms_are_checked(debits, drafter):
    mandate, account = debits.mandate(), debits.account()
    monthly_plan(debits, mandate, account, user=drafter)
    bad = {"amount": "0.00", "day": 32, "starts_on": date(2026, 6, 30), "prefix": "LIZ-"}
    with pytest.raises(services.PaymentInvalid) as refused:
        monthly_plan(debits, mandate, account, user=drafter, ends_on=date(2026, 1, 1), **bad)
    assert problem_codes(refused) == {"amount_range", "day_range", "starts_in_past", "prefix_taken",
                                      "ends_before_start"}
    with pytest.raises(services.PaymentInvalid) as refused:
        monthly_plan(debits, debits.mandate(kind="one_off"), account, user=drafter, prefix="X-")
    assert problem_codes(refused) == {"mandate_one_off"}
    assert CollectionPlan.objects.count() == 1


def test_a_stopped_plan_writes_nothing_more(debits, drafter):
    plan = monthly_plan(debits, debits.mandate(), debits.account(), user=drafter)
    collections.plans_generate(today=date(2026, 7, 13))
    collections.plan_stop(plan, user=drafter)
    assert collections.plans_generate(today=date(2026, 12, 1)) == 0
    assert plan.collections.count() == 1
    with pytest.raises(services.StateChanged):
        collections.plan_update(plan, user=drafter, amount=Decimal("1.00"))


def test_whoever_changes_a_plans_terms_drafts_its_next_collections(debits, drafter, approver):
    plan = monthly_plan(debits, debits.mandate(), debits.account(), user=drafter)
    collections.plan_update(plan, user=approver, amount=Decimal("4900.00"))
    collections.plans_generate(today=date(2026, 7, 13))
    assert plan.collections.get().drafted_by == approver  # so the approver cannot release it alone


# -- lead time and debit runs ----------------------------------------------------------------------
def planned(debits, drafter, mandate, account, due_date, amount="100.00"):
    """A pre-notified one-off debit of a new invoice."""
    invoice = debits.invoice(mandate.customer, amount=amount)
    return collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=account,
                                         due_date=due_date, user=drafter, today=TODAY)


def test_lead_window_is_the_scheme_minimum_until_the_bank_says_more(debits):
    account = debits.account()
    assert collections.lead_window(account, "CORE") == (1, 14)
    assert collections.lead_window(account, "B2B") == (1, 14)


def test_a_run_is_built_a_few_business_days_ahead_and_never_too_late(debits, drafter, debit_order_services):
    account, mandate = debits.account(), debits.mandate()
    collection = planned(debits, drafter, mandate, account, date(2026, 7, 20))  # a Monday
    # 1 business day minimum + 2 for the approver: built on Wednesday the 15th, not before
    assert collections.debit_runs_build(today=date(2026, 7, 14)) == 0
    assert collections.debit_runs_build(today=date(2026, 7, 15)) == 1
    collection.refresh_from_db()
    order = collection.order
    assert (collection.state, order.state, order.kind, order.requested_date) == (
        State.ORDERED, PaymentOrder.State.PENDING_APPROVAL, "debit", date(2026, 7, 20))
    assert (order.scheme, order.sequence_type, order.creditor_id) == ("CORE", "RCUR", CREDITOR_ID)
    assert collections.debit_runs_build(today=date(2026, 7, 15)) == 0  # ordered once

    # the clock was down until the last day: Friday the 17th still leaves one business day
    late = planned(debits, drafter, debits.mandate(), account, date(2026, 7, 20))
    missed = planned(debits, drafter, debits.mandate(), account, date(2026, 7, 17))
    assert collections.debit_runs_build(today=date(2026, 7, 17)) == 1
    late.refresh_from_db()
    missed.refresh_from_db()
    assert late.state == State.ORDERED
    assert (missed.state, missed.hold_reason, missed.order) == (State.HELD, Hold.LEAD_TIME_MISSED, None)


def test_runs_are_grouped_by_account_scheme_sequence_type_and_date(debits, drafter, debit_order_services):
    main, frst_bank = debits.account("Hauptkonto"), debits.account("Sparkasse", first_as_frst=True)
    core = [debits.mandate() for _ in range(3)]
    b2b = debits.mandate(scheme="B2B")
    one_off = debits.mandate(kind="one_off")
    collected_before = debits.mandate()
    Mandate.objects.filter(pk=collected_before.pk).update(last_collected_on=date(2026, 6, 1))
    monday, tuesday = date(2026, 7, 20), date(2026, 7, 21)
    rows = {
        "core": [planned(debits, drafter, m, main, monday) for m in core[:2]],
        "core_tuesday": [planned(debits, drafter, core[2], main, tuesday)],
        "b2b": [planned(debits, drafter, b2b, main, monday)],
        "ooff": [planned(debits, drafter, one_off, main, monday)],
        "frst": [planned(debits, drafter, debits.mandate(), frst_bank, monday)],
        "rcur_other_account": [planned(debits, drafter, collected_before, frst_bank, monday)],
    }
    assert collections.debit_runs_build(today=date(2026, 7, 16)) == 6
    orders = {}
    for name, group in rows.items():
        for collection in group:
            collection.refresh_from_db()
        [order] = {c.order for c in group}
        orders[name] = order
        assert order.collections.count() == len(group), name
    assert len(set(orders.values())) == 6
    assert {name: (o.account.name, o.scheme, o.sequence_type, o.requested_date) for name, o in orders.items()} == {
        "core": ("Hauptkonto", "CORE", "RCUR", monday),
        "core_tuesday": ("Hauptkonto", "CORE", "RCUR", tuesday),
        "b2b": ("Hauptkonto", "B2B", "RCUR", monday),
        "ooff": ("Hauptkonto", "CORE", "OOFF", monday),
        "frst": ("Sparkasse", "CORE", "FRST", monday),
        "rcur_other_account": ("Sparkasse", "CORE", "RCUR", monday),
    }
    assert sorted(c.position for c in orders["core"].collections.all()) == [1, 2]


def test_a_cancelled_run_holds_its_collections_until_a_person_releases_them(debits, drafter, approver,
                                                                             debit_order_services):
    account, mandate = debits.account(), debits.mandate()
    collection = planned(debits, drafter, mandate, account, date(2026, 7, 20))
    collections.debit_runs_build(today=date(2026, 7, 15))
    collection.refresh_from_db()
    first = collection.order
    services.order_cancel(first, user=approver, reason="falscher Betrag")

    assert collections.debit_runs_build(today=date(2026, 7, 15)) == 0
    collection.refresh_from_db()
    assert (collection.state, collection.hold_reason, collection.order) == (State.HELD, Hold.ORDER_CANCELLED, first)
    assert collections.debit_runs_build(today=date(2026, 7, 16)) == 0  # never ordered again by itself

    collections.collection_release(collection, user=drafter, today=date(2026, 7, 16))
    assert collections.debit_runs_build(today=date(2026, 7, 16)) == 1
    collection.refresh_from_db()
    assert collection.state == State.ORDERED and collection.order != first


def test_a_rejected_run_is_held_as_rejected(debits, drafter, debit_order_services):
    from debit_data import bank_rejects

    collection = planned(debits, drafter, debits.mandate(), debits.account(), date(2026, 7, 20))
    collections.debit_runs_build(today=date(2026, 7, 15))
    collection.refresh_from_db()
    bank_rejects(collection.order)  # the state machine holds its collections ...
    collection.refresh_from_db()
    assert (collection.state, collection.hold_reason) == (State.HELD, Hold.ORDER_REJECTED)
    assert collections.order_collections_hold(collection.order) == 0  # ... the clock finds nothing left


def test_what_changed_since_planning_is_held_with_its_reason(debits, drafter, debit_order_services):
    account = debits.account()
    revoked, paid, elsewhere = (planned(debits, drafter, debits.mandate(), account, date(2026, 7, 20))
                                for _ in range(3))
    Mandate.objects.filter(pk=revoked.mandate_id).update(state="revoked")
    Invoice.objects.filter(pk=paid.invoice_id).update(open_amount=Decimal("0.00"), status="paid")
    Mandate.objects.filter(pk=elsewhere.mandate_id).update(creditor_id=OTHER_CREDITOR_ID)
    assert collections.debit_runs_build(today=date(2026, 7, 6)) == 0
    for collection, reason in ((revoked, Hold.MANDATE_INACTIVE), (paid, Hold.INVOICE_PAID),
                               (elsewhere, Hold.CREDITOR_ID)):
        collection.refresh_from_db()
        assert (collection.state, collection.hold_reason) == (State.HELD, reason)


def test_sequence_type_moves_to_rcur_only_after_the_bank_accepted_the_first(debits, drafter, debit_order_services):
    account = debits.account(first_as_frst=True)
    mandate = debits.mandate()
    plan = monthly_plan(debits, mandate, account, user=drafter)
    collections.plans_generate(today=date(2026, 7, 13))
    collections.debit_runs_build(today=date(2026, 7, 29))
    first = plan.collections.get()
    assert first.sequence_type == "FRST"
    bank_accepts(first.order)
    collections.plans_generate(today=date(2026, 8, 14))
    collections.debit_runs_build(today=date(2026, 8, 27))
    second = plan.collections.get(due_date=date(2026, 9, 1))
    assert second.sequence_type == "RCUR"


def test_a_returned_collection_is_never_collected_again(debits, drafter, debit_order_services):
    plan = monthly_plan(debits, debits.mandate(), debits.account(), user=drafter)
    collections.plans_generate(today=date(2026, 7, 13))
    collections.debit_runs_build(today=date(2026, 7, 29))
    august = plan.collections.get()
    bank_accepts(august.order)
    Collection.objects.filter(pk=august.pk).update(state=State.RETURNED, return_reason="MD06")
    for day in (date(2026, 7, 30), date(2026, 8, 14), date(2026, 8, 27)):
        collections.plans_generate(today=day)
        collections.debit_runs_build(today=day)
    assert plan.collections.filter(period=date(2026, 8, 1)).count() == 1
    august.refresh_from_db()
    assert august.state == State.RETURNED and august.order.collections.count() == 1


def test_an_ordered_collection_is_neither_cancelled_nor_released_here(debits, drafter,
                                                                               debit_order_services):
    collection = planned(debits, drafter, debits.mandate(), debits.account(), date(2026, 7, 20))
    collections.debit_runs_build(today=date(2026, 7, 15))
    collection.refresh_from_db()
    with pytest.raises(services.StateChanged):
        collections.collection_cancel(collection, user=drafter)
    with pytest.raises(services.StateChanged):
        collections.collection_release(collection, user=drafter, today=TODAY)


def test_a_user_of_another_company_may_not_draft(debits):
    from kassenwart.companies.services import company_create

    from debit_data import person

    stranger = person(company_create("Alpenglück Handels KG", via="test"), "admin", "stranger")
    mandate = debits.mandate()
    with pytest.raises(services.NotAllowed):
        collections.collection_create(debits.company, invoice=debits.invoice(mandate.customer), mandate=mandate,
                                      account=debits.account(), due_date=date(2026, 7, 20), user=stranger, today=TODAY)


def test_pre_notification_horizon_follows_the_mandates_agreed_days(debits, drafter):
    mandate = debits.mandate(pre_notification_days=2)
    plan = monthly_plan(debits, mandate, debits.account(), user=drafter)
    # 2 + 7 days ahead: 3 August is written on 25 July, not on the 24th
    assert collections.plans_generate(today=date(2026, 7, 24)) == 0
    assert collections.plans_generate(today=date(2026, 7, 25)) == 1
    assert plan.collections.get().state == State.PLANNED
