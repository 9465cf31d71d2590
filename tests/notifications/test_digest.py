"""The optional daily e-mail digest of notifications."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import digest_send, digests_enqueue_due, notify


def test_digest_mails_unread_notifications_once_a_day(company, admin, member):
    admin.email, admin.email_digest = "anna@example.com", True
    admin.save()
    notify(company, Notification.Kind.NEEDS_PERSON, "3 payments need a person.")
    now = timezone.now()
    assert digests_enqueue_due(now) == 1  # only the admin wants one (the member has no e-mail)
    assert DBTaskResult.objects.count() == 1
    admin.refresh_from_db()
    assert digest_send(admin, now) == 1
    (message,) = mail.outbox
    assert message.to == ["anna@example.com"]
    assert "Nordlicht Software GmbH: 3 payments need a person." in message.body
    admin.refresh_from_db()
    assert digests_enqueue_due(now + timedelta(hours=23)) == 0
    assert digest_send(admin, now + timedelta(hours=2)) == 0  # nothing new since
    assert len(mail.outbox) == 1


def test_the_same_digest_is_claimed_once(company, admin):
    admin.email, admin.email_digest = "anna@example.com", True
    admin.save()
    notify(company, Notification.Kind.INFO, "hello")
    stale = type(admin).objects.get(pk=admin.pk)  # a second worker's copy
    assert digest_send(admin) == 1
    assert digest_send(stale) == 0
    assert len(mail.outbox) == 1


def test_user_switches_the_digest_on_in_the_web(client, admin):
    admin.email = "anna@example.com"
    admin.save()
    client.force_login(admin)
    client.post(reverse("notification_digest"), {"email_digest": "on"})
    admin.refresh_from_db()
    assert admin.email_digest
    client.post(reverse("notification_digest"), {})
    admin.refresh_from_db()
    assert not admin.email_digest


def test_a_digest_whose_mail_fails_is_sent_with_the_next_try(company, admin, monkeypatch):
    import pytest

    from kassenwart.notifications import services

    admin.email, admin.email_digest = "anna@example.com", True
    admin.save()
    notify(company, Notification.Kind.NEEDS_PERSON, "3 payments need a person.")

    def down(*args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(services, "send_mail", down)
    with pytest.raises(OSError):
        digest_send(admin)
    admin.refresh_from_db()
    assert admin.digest_sent_at is None, "the claim was undone"
    monkeypatch.undo()
    assert digest_send(admin) == 1 and len(mail.outbox) == 1
