"""Posting deliveries: signed per the Standard Webhooks specification, retried on its
suggested schedule for three days, claimed so that one process posts each attempt.

Headers: `webhook-id` (the event id, the same on every attempt and replay), `webhook-timestamp`
(seconds, of this attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of
"id.timestamp.body" with the endpoint's secret; after a rotation a second one with the
previous secret, space-separated). The body is `{"type", "timestamp", "data"}` as JSON.

Outcomes: any 2xx delivers. 410 Gone disables the endpoint (its admins are told) and gives
the delivery up. Anything else (another status, a timeout, a refused connection, a TLS
error, a host no longer at a public address: webhooks/addresses.py) is retried after 5 s,
5 min, 30 min, 2 h, 5 h, 10 h, 10 h, … until three days after the event; then the delivery
is given up. Redirects are not followed (a 3xx is a failure).

Claims: `delivery_send` takes a delivery with one conditional UPDATE of `claimed_until`
(due, pending, unclaimed or its claim expired), so two workers handed the same id post it
once; the attempt moves `next_attempt_at` on, so a late duplicate task finds nothing due.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

import httpx
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from kassenwart.companies.models import Role
from kassenwart.core.messages import message
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.webhooks import addresses, secrets
from kassenwart.webhooks.models import Attempt, Delivery, Endpoint

logger = logging.getLogger(__name__)

RETRY_AFTER = [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
               timedelta(hours=5), timedelta(hours=10)]  # then every 10 hours
GIVE_UP_AFTER = timedelta(days=3)
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
CLAIM = timedelta(seconds=60)  # longer than a post may take (TIMEOUT)
# A retry handed to the queue and not taken within this time (a worker died) is handed again.
REQUEUE_AFTER = timedelta(minutes=15)
USER_AGENT = "Kassenwart-Webhooks/1"


def retry_delay(failures: int) -> timedelta:
    """The wait after the `failures`-th failed attempt (1-based)."""
    return RETRY_AFTER[min(failures, len(RETRY_AFTER)) - 1]


def body_of(delivery: Delivery) -> bytes:
    return json.dumps({"type": delivery.event_type, "timestamp": delivery.occurred_at.isoformat(),
                       "data": delivery.payload}, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(endpoint: Endpoint, msg_id: str, body: bytes, at: datetime) -> dict[str, str]:
    signatures = [Webhook(secrets.opened(endpoint.secret_sealed, endpoint.pk)).sign(msg_id, at, body)]
    if endpoint.previous_secret_sealed and endpoint.previous_secret_until and endpoint.previous_secret_until > at:
        previous = secrets.opened(endpoint.previous_secret_sealed, endpoint.pk, "previous_secret")
        signatures.append(Webhook(previous).sign(msg_id, at, body))
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def _claim(delivery_id: int, now: datetime) -> bool:
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return bool(Delivery.objects.filter(free, pk=delivery_id, state=Delivery.State.PENDING,
                                        next_attempt_at__lte=now).update(claimed_until=now + CLAIM))


def client() -> httpx.Client:
    """TLS verified against the system's CA bundle (httpx's default), no redirects followed."""
    return httpx.Client(timeout=TIMEOUT, verify=True, follow_redirects=False)


def delivery_send(delivery_id: int, trigger: str | None = None, *, http: httpx.Client | None = None) -> Attempt | None:
    """Post the delivery if it is due and nobody else holds it; record the attempt and what
    follows from it. Returns the attempt, or None when there was nothing to do. `http`: a
    client to reuse (its TLS set-up and connections), else one for this post."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.enabled:  # parked until the endpoint is enabled again (services.endpoint_enable)
        Delivery.objects.filter(pk=delivery.pk).update(claimed_until=None, next_attempt_at=None)
        return None
    trigger = trigger or (Attempt.Trigger.FIRST if delivery.attempt_count == 0 else Attempt.Trigger.RETRY)
    body = body_of(delivery)
    headers = signed_headers(endpoint, delivery.event_id, body, now)
    status, error = None, ""
    started = time.monotonic()
    try:
        status = _post(endpoint.url, body, headers, http)
    except addresses.AddressRefused as refused:  # checked again: the name may lead elsewhere than when saved
        error = f"refused: {refused}"[:300]
    except httpx.HTTPError as failure:  # no answer: say what kind of failure, never the body or secret
        error = f"{type(failure).__name__}: {failure}"[:300]
    duration = int((time.monotonic() - started) * 1000)
    return _finish(delivery, trigger, now, duration, status, error)


def _post(url: str, body: bytes, headers: dict, http: httpx.Client | None) -> int:
    """The status of the post. Unless internal addresses are allowed, it goes to the address
    just checked (webhooks/addresses.py) over a connection of its own: a pooled one to the
    same address may belong to another host name."""
    if addresses.private_allowed():
        if http is None:
            with client() as own:
                return own.post(url, content=body, headers=headers).status_code
        return http.post(url, content=body, headers=headers).status_code
    target = addresses.pinned(url)
    with client() as own:
        return own.post(target.url, content=body, headers={**headers, "host": target.host},
                        extensions={"sni_hostname": target.server_name}).status_code


@transaction.atomic
def _finish(delivery: Delivery, trigger: str, started: datetime, duration: int, status: int | None,
            error: str) -> Attempt:
    succeeded = status is not None and 200 <= status < 300
    attempt = Attempt.objects.create(delivery=delivery, trigger=trigger, started_at=started, duration_ms=duration,
                                     status_code=status, error=error, succeeded=succeeded)
    now = timezone.now()
    fields = {"attempt_count": F("attempt_count") + 1, "claimed_until": None}
    if succeeded:
        fields.update(state=Delivery.State.SUCCEEDED, next_attempt_at=None, finished_at=now)
    elif status == 410:
        fields.update(state=Delivery.State.FAILED, next_attempt_at=None, finished_at=now)
        _gone(delivery.endpoint)
    else:
        failures = Attempt.objects.filter(delivery=delivery, succeeded=False).exclude(
            trigger=Attempt.Trigger.REPLAY).count()
        retry_at = now + retry_delay(max(failures, 1))
        if trigger == Attempt.Trigger.REPLAY or retry_at > delivery.created_at + GIVE_UP_AFTER:
            fields.update(state=Delivery.State.FAILED, next_attempt_at=None, finished_at=now)
        else:
            fields.update(next_attempt_at=retry_at)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    if not succeeded:
        logger.info("webhook delivery %s to endpoint %s failed (status %s)", delivery.pk, delivery.endpoint_id,
                    status or "none")
    return attempt


def _gone(endpoint: Endpoint) -> None:
    """410 Gone: the receiver wants nothing more. Disable the endpoint and tell the admins."""
    from kassenwart.webhooks.services import endpoint_disable

    endpoint = endpoint_disable(endpoint.company, endpoint, user=None, via="worker",
                                reason=message("webhooks.gone"))
    notify(endpoint.company, Notification.Kind.NEEDS_PERSON, message("webhooks.endpoint_disabled", url=endpoint.url),
           link=reverse("webhook_detail", args=[endpoint.pk]), roles=(Role.ADMIN,))


def deliveries_send(delivery_ids: list[int], trigger: str | None = None) -> int:
    """Post each delivery that is due, over one client (setting up TLS once, keeping
    connections to the same receiver open); returns how many were posted."""
    sent = 0
    with client() as http:
        for delivery_id in delivery_ids:
            try:
                sent += delivery_send(delivery_id, trigger, http=http) is not None
            except Exception:  # one broken delivery must not keep the others back; its claim expires
                logger.exception("webhook delivery %s could not be sent", delivery_id)
    return sent


def retries_enqueue_due(now: datetime | None = None, limit: int = 1000) -> int:
    """Periodic job: hand the due deliveries to the queue. Each is taken with a conditional
    UPDATE of `queued_for` (the attempt time it was handed over for), so several clocks hand
    it over once; one handed over long ago and still due (its worker died) goes again."""
    from kassenwart.webhooks.tasks import deliveries_send_task

    now = now or timezone.now()
    due = (Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
           .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)))
    not_handed = Q(queued_for__isnull=True) | ~Q(queued_for=F("next_attempt_at")) | Q(
        next_attempt_at__lt=now - REQUEUE_AFTER)
    taken = []
    rows = due.filter(not_handed).order_by("next_attempt_at").values_list("pk", "next_attempt_at", "queued_for")
    for pk, at, queued in rows[:limit]:
        seen = Delivery.objects.filter(pk=pk, next_attempt_at=at)
        seen = seen.filter(queued_for__isnull=True) if queued is None else seen.filter(queued_for=queued)
        if queued == at:  # handed over long ago and still due: again, and not before another REQUEUE_AFTER
            moved = seen.update(queued_for=now, next_attempt_at=now)
        else:
            moved = seen.update(queued_for=at)
        if moved:
            taken.append(pk)
    for start in range(0, len(taken), 100):
        deliveries_send_task.enqueue(taken[start:start + 100])
    return len(taken)
