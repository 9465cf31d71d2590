"""Reads for the collections pages: what is held, due, coming as a run, and what happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
from kassenwart.core.money import quantize
from kassenwart.payments.collections import BUILD_AHEAD_BUSINESS_DAYS, business_days_before, lead_window
from kassenwart.payments.models import Collection, CollectionPlan, Mandate, PaymentOrder

State = Collection.State


def held(company: Company) -> QuerySet[Collection]:
    return _listed(company).filter(state=State.HELD)


def due_soon(company: Company, *, today: date | None = None, days: int = 45) -> QuerySet[Collection]:
    today = today or timezone.localdate()
    return _listed(company).filter(state__in=[State.PLANNED, State.ORDERED],
                                   due_date__lte=today + timedelta(days=days))


def history(company: Company) -> QuerySet[Collection]:
    return _listed(company).filter(state__in=[State.COLLECTED, State.RETURNED, State.CANCELLED]).order_by(
        "-due_date", "-pk")


@dataclass
class NextRun:
    """A debit run to come: the planned collections of one date and account."""

    collection_date: date
    account: BankAccount
    scheme: str
    count: int
    total: Decimal
    built_on: date  # the day the clock makes the run (for approval)


def next_runs(company: Company, *, today: date | None = None) -> list[NextRun]:
    today = today or timezone.localdate()
    rows = (Collection.objects.filter(company=company, state=State.PLANNED, order__isnull=True)
            .values("due_date", "account", "mandate__scheme").annotate(count=Count("pk"), total=Sum("amount"))
            .order_by("due_date", "account", "mandate__scheme"))
    accounts = {a.pk: a for a in BankAccount.objects.filter(company=company)}
    runs = []
    for row in rows:
        account = accounts[row["account"]]
        minimum, _maximum = lead_window(account, row["mandate__scheme"])
        built_on = max(today, business_days_before(row["due_date"], minimum + BUILD_AHEAD_BUSINESS_DAYS))
        runs.append(NextRun(row["due_date"], account, row["mandate__scheme"], row["count"],
                            quantize(row["total"]), built_on))
    return runs


def debit_runs(company: Company) -> QuerySet[PaymentOrder]:
    """Debit runs still on their way (for the collections page), by collection date."""
    done = [PaymentOrder.State.BOOKED, PaymentOrder.State.CANCELLED, PaymentOrder.State.RETURNED]
    return (PaymentOrder.objects.filter(company=company, kind=PaymentOrder.Kind.DEBIT).exclude(state__in=done)
            .select_related("account").annotate(total=Sum("collections__amount"), count=Count("collections"))
            .order_by("requested_date", "pk"))


def active_mandates(company: Company, customer_id: int) -> QuerySet[Mandate]:
    return Mandate.objects.filter(company=company, customer_id=customer_id, state=Mandate.State.ACTIVE)


def collecting_accounts(company: Company) -> QuerySet[BankAccount]:
    return BankAccount.objects.filter(company=company).exclude(iban="")


def _listed(company: Company) -> QuerySet[Collection]:
    return Collection.objects.filter(company=company).select_related("mandate__customer", "account", "invoice",
                                                                      "plan", "order")


def collections_of(company: Company, *, state: str | None = None, mandate_id: int | None = None,
                   invoice_id: int | None = None) -> QuerySet[Collection]:
    """The company's collections, in any state; only those of a state, mandate or invoice if asked."""
    found = _listed(company)
    if state:
        found = found.filter(state=state)
    if mandate_id is not None:
        found = found.filter(mandate_id=mandate_id)
    if invoice_id is not None:
        found = found.filter(invoice_id=invoice_id)
    return found


def plans_of(company: Company, *, active: bool | None = None, mandate_id: int | None = None
             ) -> QuerySet[CollectionPlan]:
    """The company's collection plans, running and stopped; only those asked for if given."""
    found = CollectionPlan.objects.filter(company=company).select_related("mandate__customer", "account")
    if active is not None:
        found = found.filter(active=active)
    if mandate_id is not None:
        found = found.filter(mandate_id=mandate_id)
    return found
