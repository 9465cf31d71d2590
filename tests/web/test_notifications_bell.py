"""The bell: how many notifications are unread, the list, marking them read."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify


@pytest.fixture
def two_notes(company, member):
    notify(company, "needs_person", "3 payments need a person.", link="/reconciliation/open/")
    notify(company, "info", "Nothing to open here.")
    return list(Notification.objects.filter(user=member).order_by("id"))


def test_the_bell_shows_the_unread_count(two_notes, member, client_for):
    text = client_for(member).get(reverse("home")).content.decode()
    assert 'class="bell-count">2<' in text
    assert reverse("notification_list") in text


def test_the_count_is_one_query(two_notes, member, company, rf):
    request = rf.get("/")
    request.user, request.company = member, company
    template = Template("{% load kassenwart %}{% unread_notifications as unread %}{{ unread }}")
    with CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"request": request})) == "2"
    assert len(queries) == 1


def test_the_list_and_mark_all_read(two_notes, member, client_for):
    client = client_for(member)
    text = client.get(reverse("notification_list")).content.decode()
    assert "3 payments need a person." in text and "Nothing to open here." in text
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    assert "bell-count" not in client.get(reverse("home")).content.decode()


def test_opening_one_marks_it_read_and_follows_its_link(two_notes, member, client_for):
    client = client_for(member)
    with_link, without = two_notes
    response = client.post(reverse("notification_open", args=[with_link.pk]))
    assert response.status_code == 302 and response["Location"] == "/reconciliation/open/"
    response = client.post(reverse("notification_open", args=[without.pk]))
    assert response["Location"] == reverse("notification_list")
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()


def test_notifications_of_another_user_are_not_found(admin, two_notes, client_for):
    mine = Notification.objects.get(user=admin, text="Nothing to open here.")
    others = two_notes[0]
    client = client_for(admin)
    assert client.post(reverse("notification_open", args=[others.pk])).status_code == 404
    assert client.post(reverse("notification_open", args=[mine.pk])).status_code == 302
    assert Notification.objects.get(pk=others.pk).read_at is None


def test_a_link_to_elsewhere_is_not_followed(company, member, client_for):
    notify(company, "info", "Phishing?", link="https://evil.example/login")
    note = Notification.objects.get(user=member)
    response = client_for(member).post(reverse("notification_open", args=[note.pk]))
    assert response["Location"] == reverse("notification_list")
