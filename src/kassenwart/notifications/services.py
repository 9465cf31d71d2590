"""Telling people what happened: in-app notifications (and, later, e-mail digests)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kassenwart.companies.models import Company, Membership
from kassenwart.notifications.models import Notification


def notify(company: Company, kind: str, text: str, link: str = "", roles: tuple[str, ...] | None = None) -> int:
    """One notification for each member of the company (optionally only some roles)."""
    members = Membership.objects.filter(company=company)
    if roles:
        members = members.filter(role__in=roles)
    rows = [
        Notification(company=company, user_id=user_id, kind=kind, text=text[:300], link=link)
        for user_id in members.values_list("user_id", flat=True)
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def notifications_mark_read(company: Company, user, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(company=company, user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
