"""A company's webhook endpoints, the deliveries of events to them and each attempt."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kassenwart.companies.models import Company


class EventType(models.TextChoices):
    TRANSACTION_BOOKED = "transaction.booked", _("A transaction was booked")
    PAYMENT_MATCHED = "payment.matched", _("An incoming payment was matched to invoices")
    MATCH_UNDONE = "match.undone", _("A match was undone")
    INVOICE_PAID = "invoice.paid", _("An invoice was paid in full")
    TRANSFER_STATE_CHANGED = "transfer.state_changed", _("A transfer changed its state")
    RUN_STATE_CHANGED = "run.state_changed", _("A payment or debit run changed its state")
    DEBIT_RETURNED = "debit.returned", _("A direct debit came back")
    CONNECTION_NEEDS_ATTENTION = "connection.needs_attention", _("A bank connection needs attention")


class Endpoint(models.Model):
    """Where a company's events go: a URL, the events it wants and the secret they are signed
    with (Standard Webhooks form `whsec_<base64>`, sealed in `secret_sealed`)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)  # EventType values
    secret_sealed = models.BinaryField(editable=False)  # core.secrets, bound to the row (webhooks/secrets.py)
    # After a rotation the previous secret signs as well until then (a second signature).
    previous_secret_sealed = models.BinaryField(null=True, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Why it was disabled: a stored message (core.messages), worded when shown.
    disabled_reason = models.JSONField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["company", "pk"]

    def __str__(self):
        return self.url


class Delivery(models.Model):
    """One event for one endpoint. The webhook-id (`event_id`) is the same on every attempt,
    so the receiver can tell a retry from a new event."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("given up")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=80)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    audit_event_id = models.BigIntegerField(db_index=True)  # the core.AuditEvent it came from
    occurred_at = models.DateTimeField()
    payload = models.JSONField()  # the body's "data"
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The attempt time the retry job handed it to the queue for (delivery.retries_enqueue_due).
    queued_for = models.DateTimeField(null=True, blank=True)
    # A worker posting it holds it until then; the retry job passes over it meanwhile.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.event_type} {self.event_id} -> {self.endpoint_id}"


class Attempt(models.Model):
    """One POST of a delivery: what came back, how long it took, or why it failed."""

    class Trigger(models.TextChoices):
        FIRST = "first", _("first")
        RETRY = "retry", _("retry")
        REPLAY = "replay", _("replay")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    trigger = models.CharField(max_length=8, choices=Trigger.choices)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)  # no response: what went wrong (no body, no secret)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "pk"]


class FanOutCursor(models.Model):
    """The one row of the fan-out (fanout.py): the highest audit event id scanned, and the
    claim that lets one process at a time scan."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    audit_watermark = models.BigIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
