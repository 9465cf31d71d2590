"""Writing audit events. Services call `record` inside their transaction."""

from __future__ import annotations

from django.db import models

from kassenwart.core.models import AuditEvent, User


def actor_label(user: User | None, fallback: str = "system") -> str:
    return user.get_username() if user is not None else fallback


def record(action: str, obj: models.Model, **details) -> AuditEvent:
    """Write the event `audit_event` makes of the same arguments."""
    event = audit_event(action, obj, **details)
    event.save(force_insert=True)
    return event


def audit_event(
    action: str,
    obj: models.Model,
    *,
    company=None,
    user: User | None = None,
    via: str = "system",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """The event `record` writes, not yet written: for `record_all`."""
    return AuditEvent(
        company=company,
        actor=user,
        actor_label=actor_label(user, via),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        before=before,
        after=after,
    )


def record_all(events: list[AuditEvent]) -> None:
    """Write many events of `audit_event` with one statement (a batch of imports)."""
    AuditEvent.objects.bulk_create(events)
