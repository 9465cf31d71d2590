"""Provider connections sync on the clock's schedule like FinTS ones: once per interval, and
not while their credentials were refused."""

from datetime import timedelta

from django.utils import timezone

from kassenwart.banking.models import BankConnection
from kassenwart.banking.providers.sync import provider_sync
from kassenwart.flows.tasks import enqueue_due_syncs


def test_due_provider_connections_are_enqueued_once_per_interval(stripe_sim, connect):
    connection = connect(stripe_sim, "stripe")
    now = timezone.now()
    assert enqueue_due_syncs(now) == 1
    assert enqueue_due_syncs(now + timedelta(minutes=5)) == 0  # claimed: not twice within the interval
    assert enqueue_due_syncs(now + timedelta(minutes=connection.sync_interval_minutes + 1)) == 1


def test_refused_credentials_stop_the_schedule_a_rate_limit_does_not(stripe_sim, connect):
    connection = connect(stripe_sim, "stripe")
    provider_sync(connection)
    stripe_sim.faults.retry_after = 3600
    stripe_sim.faults.status_429 = 1
    provider_sync(connection)
    assert enqueue_due_syncs() == 1
    stripe_sim.faults.status_401 = 1
    provider_sync(connection)
    assert BankConnection.objects.get(pk=connection.pk).state == BankConnection.State.ERROR
    assert enqueue_due_syncs(timezone.now() + timedelta(days=1)) == 0
