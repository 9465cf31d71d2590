"""Telling people what happened: in-app notifications (and, later, e-mail digests)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext

from kassenwart.companies.models import Company, Membership
from kassenwart.core.audit import record
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification


def notify(company: Company, kind: str, message: dict, link: str = "", roles: tuple[str, ...] | None = None) -> int:
    """One notification for each member of the company (optionally only some roles).
    `message` is a key with parameters (kassenwart.core.messages.message), worded for each
    reader when shown."""
    members = Membership.objects.filter(company=company)
    if roles:
        members = members.filter(role__in=roles)
    rows = [
        Notification(company=company, user_id=user_id, kind=kind, key=message["key"], params=message["params"],
                     link=link)
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


DIGEST_EVERY = timedelta(days=1)


@transaction.atomic  # a mail that fails undoes the claim: the digest goes out with the next try
def digest_send(user: User, now=None) -> int:
    """Mail the user's unread notifications since the last digest (all companies) in one
    message. Claims the user with a conditional UPDATE first, so two workers never send the
    same digest. Returns the number of notifications mailed."""
    now = now or timezone.now()
    last = user.digest_sent_at
    claimed = User.objects.filter(pk=user.pk, digest_sent_at=last).update(digest_sent_at=now)
    if not claimed or not user.email:
        return 0
    unread = Notification.objects.filter(user=user, read_at__isnull=True).select_related("company")
    if last is not None:
        unread = unread.filter(created_at__gt=last)
    rows = list(unread.order_by("company__name", "-created_at")[:100])
    if not rows:
        return 0
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = ngettext(
            "Kassenwart: %(count)d new notification", "Kassenwart: %(count)d new notifications", len(rows)
        ) % {"count": len(rows)}
        body = "\n".join(f"{n.company.name}: {n.wording()}" for n in rows)
    send_mail(subject, body, None, [user.email])
    return len(rows)


def digests_enqueue_due(now=None) -> int:
    """Periodic job: a digest task for every user who wants one and had none for a day."""
    from kassenwart.notifications.tasks import digest_task

    now = now or timezone.now()
    due = User.objects.filter(email_digest=True).exclude(email="").filter(
        models.Q(digest_sent_at__isnull=True) | models.Q(digest_sent_at__lte=now - DIGEST_EVERY)
    )
    count = 0
    for user_id in due.values_list("pk", flat=True):
        digest_task.enqueue(user_id)
        count += 1
    return count


@transaction.atomic
def digest_preference_set(user: User, wanted: bool, *, language: str = "") -> None:
    """Turn the daily digest on or off; it is written in `language` (the language of the
    page where the person chose it) when one is given."""
    before = {"email_digest": user.email_digest, "language": user.language}
    user.email_digest = wanted
    user.language = language or user.language
    after = {"email_digest": user.email_digest, "language": user.language}
    if after != before:
        user.save(update_fields=["email_digest", "language"])
        record("user.digest_changed", user, user=user, via="web", before=before, after=after)
