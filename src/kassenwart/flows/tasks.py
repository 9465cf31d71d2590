"""Background work that crosses the apps (django-tasks): pass ids only."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from kassenwart.banking import fints
from kassenwart.banking.models import BankConnection, Transaction
from kassenwart.banking.providers.sync import provider_sync
from kassenwart.companies.models import Company
from kassenwart.core.statistics import analyze_if_changed
from kassenwart.flows.services import after_import
from kassenwart.payments.models import Collection
from kassenwart.payments.services import Followed, orders_follow_statements
from kassenwart.reconciliation.services import debit_collected, debit_returned, reconcile_company
from kassenwart.reconciliation.transfers import payouts_pair


@task()
def after_import_task(company_id: int) -> dict:
    """Sent orders first (a collected debit settles its invoice, a returned one opens it
    again), then the payment providers' payouts paired with their bank credits (transfers
    between own accounts, never invoice payments), then matching for the rest; after a large import the transactions' statistics
    are taken anew first, so that these and the lists are planned for the rows there are."""
    analyze_if_changed(Transaction)
    company = Company.objects.get(pk=company_id)
    followed = orders_follow_statements(company, via="worker")
    debits_to_books(company, followed)
    paired = payouts_pair(company, via="worker")
    result = reconcile_company(company, via="worker")
    return {"booked": followed.booked, "returned": followed.returned, "payouts": paired,
            "transactions": result.transactions, "auto": result.auto, "open": result.open}


def debits_to_books(company: Company, followed: Followed) -> None:
    """The books follow the collections: each collected debit matches its invoice, each
    returned one undoes that."""
    collections = Collection.objects.select_related("invoice", "mandate").in_bulk(
        [pk for pk, _tx in followed.collected] + [pk for pk, _tx, _code in followed.debits_returned])
    credits = Transaction.objects.in_bulk([tx for _pk, tx in followed.collected]
                                          + [tx for _pk, tx, _code in followed.debits_returned if tx])
    for pk, tx in followed.collected:
        collection = collections[pk]
        if collection.invoice is not None:
            debit_collected(company, credits[tx], collection.invoice, mandate_reference=collection.mandate.reference)
    for _pk, tx, code in followed.debits_returned:
        if tx is not None:
            debit_returned(company, credits[tx], code=code)


@task()
def sync_connection_task(connection_id: int, interactive: bool = False) -> dict:
    connection = BankConnection.objects.select_related("company").get(pk=connection_id)
    sync = provider_sync if connection.kind == BankConnection.Kind.PROVIDER else fints.connection_sync
    options = {} if connection.kind == BankConnection.Kind.PROVIDER else {"interactive": interactive}
    try:
        result = sync(connection, **options)
    except fints.ConnectionBusy as busy:
        return {"skipped": str(busy)}
    if result.added:
        after_import(connection.company_id)
    return {"state": result.state, "added": result.added, "accounts": result.accounts}


def enqueue_due_syncs(now=None) -> int:
    """Enqueue a sync for every FinTS and payment provider connection whose interval has
    passed (a job of the clock). Only connections that work without a person: FinTS with
    state ok and a kept PIN (a wrong PIN is never retried, a TAN needs someone there); a
    provider with its credentials, new or ok (refused credentials wait for new ones; a rate
    limit or an outage keeps it ok, so the next interval tries again). Each is claimed with a
    conditional UPDATE, so two clocks never enqueue it twice."""
    now = now or timezone.now()
    fints_ready = Q(kind=BankConnection.Kind.FINTS, state=BankConnection.State.OK, pin_kept=True,
                    pin_sealed__isnull=False)
    provider_ready = Q(kind=BankConnection.Kind.PROVIDER, state__in=[BankConnection.State.OK, BankConnection.State.NEW],
                       credentials_sealed__isnull=False)
    candidates = BankConnection.objects.filter(fints_ready | provider_ready, sync_interval_minutes__gt=0).only(
        "pk", "sync_enqueued_at", "sync_interval_minutes")
    enqueued = 0
    for connection in candidates:
        last = connection.sync_enqueued_at
        if last and last + timedelta(minutes=connection.sync_interval_minutes) > now:
            continue
        claimed = BankConnection.objects.filter(pk=connection.pk, sync_enqueued_at=last).update(sync_enqueued_at=now)
        if claimed:
            sync_connection_task.enqueue(connection.pk)
            enqueued += 1
    return enqueued
