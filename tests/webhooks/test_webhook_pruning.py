"""The delivery log is pruned by the clock: deliveries older than the keeping time go with
their attempts; a disabled endpoint keeps its latest ones for its log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kassenwart.webhooks import pruning
from kassenwart.webhooks.models import Attempt, Delivery, Endpoint
from kassenwart.webhooks.services import endpoint_create, endpoint_disable

pytestmark = pytest.mark.django_db


def deliveries(endpoint, *ages_in_days):
    """A delivery (with one attempt) made that many days ago, each."""
    now = timezone.now()
    made = []
    for n, days in enumerate(ages_in_days):
        delivery = Delivery.objects.create(company=endpoint.company, endpoint=endpoint, event_id=f"evt_{endpoint.pk}_{n}",
                                           event_type="invoice.paid", audit_event_id=n, occurred_at=now,
                                           payload={"n": n}, state=Delivery.State.FAILED)
        Delivery.objects.filter(pk=delivery.pk).update(created_at=now - timedelta(days=days))
        Attempt.objects.create(delivery=delivery, trigger="first", started_at=now, status_code=500)
        made.append(delivery.pk)
    return made


@pytest.fixture
def endpoints(company, admin):
    def make(url):
        return endpoint_create(company, url=url, events=["invoice.paid"], user=admin, via="test")[0]

    return make("https://crm.example.com/a"), make("https://crm.example.com/b")


def test_deliveries_older_than_the_keeping_time_go_with_their_attempts(endpoints, settings):
    live, _other = endpoints
    young, edge, old, older = deliveries(live, 1, 29, 31, 400)
    assert pruning.deliveries_prune() == 2
    assert set(Delivery.objects.values_list("pk", flat=True)) == {young, edge}
    assert Attempt.objects.filter(delivery_id__in=[old, older]).count() == 0
    settings.KASSENWART_WEBHOOK_DELIVERIES_KEEP_DAYS = 7
    assert pruning.deliveries_prune() == 1
    assert list(Delivery.objects.values_list("pk", flat=True)) == [young]
    assert pruning.deliveries_prune() == 0


def test_a_disabled_endpoint_keeps_its_latest_deliveries(endpoints, company, admin, monkeypatch):
    disabled, live = endpoints
    endpoint_disable(company, disabled, user=admin, via="test")
    monkeypatch.setattr(pruning, "KEPT_WHILE_DISABLED", 2)
    newest, second, third, fourth = deliveries(disabled, 40, 50, 60, 70)
    theirs = deliveries(live, 40)
    assert pruning.deliveries_prune() == 3
    assert set(Delivery.objects.values_list("pk", flat=True)) == {newest, second}
    assert not Delivery.objects.filter(pk__in=[third, fourth, *theirs]).exists()
    assert Endpoint.objects.filter(pk=disabled.pk).exists()


def test_the_clock_prunes_hourly():
    from kassenwart.runtime.worker import periodic_jobs

    assert "deliveries_prune" in [job.__name__ for job in periodic_jobs()]
