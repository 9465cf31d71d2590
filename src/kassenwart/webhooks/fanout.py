"""The fan-out: audit events become deliveries (the audit trail is the outbox; see
the package docstring and events.py).

`webhooks_fan_out` is a periodic job (runtime/worker.py). One process at a time scans: it
claims the one FanOutCursor row with a conditional UPDATE. It reads the audit events of the
companies with enabled endpoints, of the actions their chosen events come from, that are

- after the watermark (the highest id scanned), in batches by id, and
- at or below it but younger than LOOKBACK and without a delivery yet: on PostgreSQL an id is
  taken when the row is written and becomes visible at commit, so a long transaction (a big
  statement import) can commit an event below a watermark a shorter one already moved past.

Each batch is one transaction: its deliveries (unique per endpoint and event id; a clash is
skipped) and the new watermark. The delivery tasks are enqueued after it commits, with ids.
An endpoint gets the events of its own company that happened after it was created.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from kassenwart.core.models import AuditEvent
from kassenwart.webhooks.events import audit_actions, events_of, types_of
from kassenwart.webhooks.models import Delivery, Endpoint, FanOutCursor

LOOKBACK = timedelta(minutes=30)
CLAIM = timedelta(minutes=10)
BATCH = 500  # audit events per transaction


def webhooks_fan_out(now: datetime | None = None) -> int:
    """Periodic job: make the deliveries of the audit events not scanned yet. Returns how
    many deliveries were made (0 also when another process holds the scan)."""
    now = now or timezone.now()
    if not _claim(now):
        return 0
    try:
        return _scan(now)
    finally:
        FanOutCursor.objects.filter(pk=1).update(claimed_until=None)


def _claim(now: datetime) -> bool:
    try:
        FanOutCursor.objects.get_or_create(pk=1)
    except IntegrityError:  # another process made the row at the same moment
        pass
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return bool(FanOutCursor.objects.filter(free, pk=1).update(claimed_until=now + CLAIM))


def _scan(now: datetime) -> int:
    endpoints = list(Endpoint.objects.filter(enabled=True).only("pk", "company_id", "events", "created_at"))
    watermark = FanOutCursor.objects.values_list("audit_watermark", flat=True).get(pk=1)
    if not endpoints:
        top = AuditEvent.objects.aggregate(top=Max("pk"))["top"] or 0
        FanOutCursor.objects.filter(pk=1).update(audit_watermark=max(top, watermark), scanned_at=now)
        return 0
    by_company: dict[int, list[Endpoint]] = defaultdict(list)
    for endpoint in endpoints:
        by_company[endpoint.company_id].append(endpoint)
    wanted = Q()
    for company_id, theirs in by_company.items():
        since = min(e.created_at for e in theirs)
        wanted |= Q(company_id=company_id, created_at__gte=since) & audit_actions(t for e in theirs for t in e.events)
    candidates = AuditEvent.objects.filter(wanted)
    made = 0
    late = (candidates.filter(pk__lte=watermark, created_at__gte=now - LOOKBACK)
            .filter(~Exists(Delivery.objects.filter(audit_event_id=OuterRef("pk")))).order_by("pk"))
    made += _deliver(list(late[:BATCH * 4]), by_company, now, watermark)
    while True:
        batch = list(candidates.filter(pk__gt=watermark).order_by("pk")[:BATCH])
        if not batch:
            break
        watermark = batch[-1].pk
        made += _deliver(batch, by_company, now, watermark)
        if len(batch) < BATCH:
            break
    FanOutCursor.objects.filter(pk=1).update(scanned_at=now)
    return made


def _deliver(audits: list[AuditEvent], by_company: dict[int, list[Endpoint]], now: datetime, watermark: int) -> int:
    """One transaction: the deliveries of `audits` and the watermark; their tasks after commit."""
    from kassenwart.webhooks.tasks import deliveries_send_task

    with transaction.atomic():
        rows = []
        for audit in audits:
            theirs = by_company.get(audit.company_id, [])
            if not any(types_of(audit.action) & set(e.events) for e in theirs):
                continue
            for event in events_of(audit):
                for endpoint in theirs:
                    if event.type in endpoint.events and event.occurred_at >= endpoint.created_at:
                        rows.append(Delivery(company_id=audit.company_id, endpoint_id=endpoint.pk, event_id=event.id,
                                             event_type=event.type, audit_event_id=audit.pk,
                                             occurred_at=event.occurred_at, payload=event.data,
                                             next_attempt_at=now, queued_for=now))
        Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        FanOutCursor.objects.filter(pk=1, audit_watermark__lt=watermark).update(audit_watermark=watermark)
        if rows:
            ids = list(Delivery.objects.filter(audit_event_id__in=[a.pk for a in audits], attempt_count=0,
                                               state=Delivery.State.PENDING, queued_for=now)
                       .values_list("pk", flat=True))
            for start in range(0, len(ids), 100):
                chunk = ids[start:start + 100]
                transaction.on_commit(lambda chunk=chunk: deliveries_send_task.enqueue(chunk))
    return len(rows)
