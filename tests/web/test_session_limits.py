"""A login ends after 30 minutes without a request and 12 hours after it began (settings), checked
on the next request whatever the cookie says. The clock is not waited for: the session's own
time stamps are set back, as if the time had passed."""

from __future__ import annotations

import time

from django.conf import settings
from django.urls import reverse

from kassenwart.web.session_limits import SEEN, STARTED


def shift(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"started": STARTED, "seen": SEEN}[key]] = now - ago
    session.save()


def test_the_defaults_are_30_minutes_idle_12_hours_at_most_and_the_end_of_the_browser():
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_MAX_SECONDS == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_an_active_session_goes_on(member, client_for):
    client = client_for(member)
    assert client.get(reverse("home")).status_code == 200
    shift(client, started=3600, seen=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SEEN] >= int(time.time()) - 5  # the request counted as activity


def test_after_30_idle_minutes_the_next_request_asks_for_the_login(member, client_for):
    client = client_for(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.get(reverse("home"))
    shift(client, started=31 * 60, seen=31 * 60)
    answer = client.get(reverse("transaction_list"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(answer["Location"])
    assert b"session ended" in page.content


def test_after_12_hours_the_session_ends_however_active_it_was(member, client_for):
    client = client_for(member)
    client.get(reverse("home"))
    shift(client, started=12 * 3600 + 1, seen=10)
    assert client.get(reverse("home")).status_code == 302
