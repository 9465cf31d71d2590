"""The optional daily e-mail digest of notifications."""

from datetime import timedelta
from decimal import Decimal

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kassenwart.core.messages import message
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import digest_send, digests_enqueue_due, notify

from logins import log_in


def test_digest_mails_unread_notifications_once_a_day(company, admin, member):
    admin.email, admin.email_digest = "anna@example.com", True
    admin.save()
    notify(company, Notification.Kind.NEEDS_PERSON, message("reconciliation.needs_person", count=3))
    now = timezone.now()
    assert digests_enqueue_due(now) == 1  # only the admin wants one (the member has no e-mail)
    assert DBTaskResult.objects.count() == 1
    admin.refresh_from_db()
    assert digest_send(admin, now) == 1
    (sent,) = mail.outbox
    assert sent.to == ["anna@example.com"]
    # no language chosen: the site's (German), amounts and all
    assert sent.subject == "Kassenwart: 1 neue Benachrichtigung"
    assert "Nordlicht Software GmbH: 3 Zahlungen brauchen eine Entscheidung." in sent.body
    admin.refresh_from_db()
    assert digests_enqueue_due(now + timedelta(hours=23)) == 0
    assert digest_send(admin, now + timedelta(hours=2)) == 0  # nothing new since
    assert len(mail.outbox) == 1


def test_the_same_digest_is_claimed_once(company, admin):
    admin.email, admin.email_digest = "anna@example.com", True
    admin.save()
    notify(company, Notification.Kind.INFO, message("reconciliation.needs_person", count=1))
    stale = type(admin).objects.get(pk=admin.pk)  # a second worker's copy
    assert digest_send(admin) == 1
    assert digest_send(stale) == 0
    assert len(mail.outbox) == 1


def test_user_switches_the_digest_on_in_the_web(client, admin):
    admin.email = "anna@example.com"
    admin.save()
    log_in(client, admin)
    client.post(reverse("notification_digest"), {"email_digest": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    admin.refresh_from_db()
    assert admin.email_digest
    assert admin.language == "en", "the digest speaks the language of the page it was chosen on"
    client.post(reverse("notification_digest"), {})
    admin.refresh_from_db()
    assert not admin.email_digest


def test_a_digest_whose_mail_fails_is_sent_with_the_next_try(company, admin, monkeypatch):
    import pytest

    from kassenwart.notifications import services

    admin.email, admin.email_digest = "anna@example.com", True
    admin.save()
    notify(company, Notification.Kind.NEEDS_PERSON, message("reconciliation.needs_person", count=3))

    def down(*args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(services, "send_mail", down)
    with pytest.raises(OSError):
        digest_send(admin)
    admin.refresh_from_db()
    assert admin.digest_sent_at is None, "the claim was undone"
    monkeypatch.undo()
    assert digest_send(admin) == 1 and len(mail.outbox) == 1


def test_the_digest_speaks_each_recipients_language_and_number_format(company, admin, member):
    """One stored notification, mailed to a German and an English reader."""
    for user, email, language in ((admin, "anna@example.com", "de"), (member, "max@example.com", "en")):
        user.email, user.email_digest, user.language = email, True, language
        user.save()
    order = message("payments.payment_run", order="#7", count=3)
    notify(company, Notification.Kind.NEEDS_PERSON, message("payments.order_waiting", what=order,
                                                            total=Decimal("1234.56")))
    digest_send(admin)
    digest_send(member)
    german, english = mail.outbox
    assert german.to == ["anna@example.com"]
    assert "Nordlicht Software GmbH: Zahllauf #7 (3 Überweisungen) über 1.234,56 EUR wartet auf Freigabe." \
        in german.body
    assert "Nordlicht Software GmbH: Payment run #7 (3 transfers) of 1,234.56 EUR waits for approval." in english.body
