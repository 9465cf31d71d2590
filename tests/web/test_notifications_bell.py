"""The bell: how many notifications are unread, the list, marking them read."""

from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kassenwart.core.messages import message
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def two_notes(company, member):
    notify(company, "needs_person", message("reconciliation.needs_person", count=3), link="/reconciliation/open/")
    notify(company, "info", message("banking.connection_needs_tan", name="Sparkasse"))
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
    text = client.get(reverse("notification_list"), **EN).content.decode()
    assert "3 payments need a person." in text and "Sparkasse needs a TAN: sync it by hand." in text
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
    mine = Notification.objects.get(user=admin, key="banking.connection_needs_tan")
    others = two_notes[0]
    client = client_for(admin)
    assert client.post(reverse("notification_open", args=[others.pk])).status_code == 404
    assert client.post(reverse("notification_open", args=[mine.pk])).status_code == 302
    assert Notification.objects.get(pk=others.pk).read_at is None


def test_a_link_to_elsewhere_is_not_followed(company, member, client_for):
    notify(company, "info", message("banking.connection_needs_tan", name="Phishing?"), link="https://evil.example/login")
    note = Notification.objects.get(user=member)
    response = client_for(member).post(reverse("notification_open", args=[note.pk]))
    assert response["Location"] == reverse("notification_list")


def test_a_german_and_an_english_reader_see_the_same_notification_each_in_their_language(
        company, admin, member, client_for):
    """Stored once as a key with parameters; worded for each reader, amounts in the reader's
    number format (issue 11 point 5)."""
    returned = message("payments.debit_returned", amount=Decimal("1234.56"), debtor="Kunde Eins GmbH", reason="AC04")
    notify(company, "needs_person", returned)
    assert set(Notification.objects.values_list("key", "text")) == {("payments.debit_returned", "")}
    german = client_for(member).get(reverse("notification_list"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Lastschrift über 1.234,56 EUR von Kunde Eins GmbH kam zurück:" in german
    english = client_for(admin).get(reverse("notification_list"), **EN).content.decode()
    assert "Direct debit of 1,234.56 EUR from Kunde Eins GmbH came back: the account is closed (AC04)." in english


def test_a_notification_from_before_keys_shows_its_sentence(company, member, client_for):
    Notification.objects.create(company=company, user=member, kind="info", text="Ein alter Satz.")
    assert "Ein alter Satz." in client_for(member).get(reverse("notification_list")).content.decode()
