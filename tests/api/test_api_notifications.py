"""Notifications through the API: the token's user's own, paged, in the caller's language,
and marked read."""

import pytest

from kassenwart.core.messages import message
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_the_user_reads_their_notifications_page_by_page_and_marks_them_read(company, admin, member, make_token,
                                                                               api_client):
    for count in (1, 2, 3):
        notify(company, Notification.Kind.NEEDS_PERSON, message("reconciliation.needs_person", count=count))
    client = api_client(make_token(company, admin, "read").secret)
    first = client.get("/notifications", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get("/notifications", {"limit": 2, "cursor": first["next_cursor"]}).json()
    listed = first["items"] + rest["items"]
    assert len(listed) == 3 and rest["next_cursor"] is None
    assert all(item["read_at"] is None and item["kind"] == "needs_person" for item in listed)

    marked = client.post("/notifications/read", {"ids": [listed[0]["id"]]})
    assert marked.status_code == 200 and marked.json() == {"marked": 1}
    assert [n["id"] for n in client.get("/notifications", {"unread": True}).json()["items"]] == [
        listed[1]["id"], listed[2]["id"]]
    assert client.post("/notifications/read", {}).json() == {"marked": 2}
    assert client.get("/notifications", {"unread": True}).json()["items"] == []
    # the member's own are untouched by the admin's call
    theirs = api_client(make_token(company, member, "read").secret)
    assert [n["read_at"] for n in theirs.get("/notifications").json()["items"]] == [None] * 3


def test_the_text_is_in_the_callers_language(company, admin, make_token, api_client):
    notify(company, Notification.Kind.INFO, message("reconciliation.needs_person", count=2))
    secret = make_token(company, admin, "read").secret
    english = api_client(secret).get("/notifications").json()["items"][0]
    german = api_client(secret, language="de").get("/notifications").json()["items"][0]
    assert english["key"] == "reconciliation.needs_person" and english["text"] and german["text"]
    assert english["text"] != german["text"]
