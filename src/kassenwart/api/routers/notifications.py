"""Notifications: the bell of the token's user in the token's company, and marking them read."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from kassenwart.api.auth import token
from kassenwart.api.errors import responses
from kassenwart.api.paging import Paging, page, paged
from kassenwart.api.schemas import choices
from kassenwart.companies.permissions import VIEW
from kassenwart.notifications import selectors
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notifications_mark_read

router = Router()
NotificationKind = choices("NotificationKind", Notification.Kind)


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    text: str = Field(description="in the caller's language")
    key: str = Field(description="the message's key, stable for programs (empty for old ones)")
    params: dict
    created_at: datetime
    read_at: datetime | None


class NotificationFilters(Paging):
    unread: bool | None = Field(None, description="true: only unread ones; false: only read ones")


class ReadIn(Schema):
    ids: list[int] | None = Field(None, max_length=500, description="these notifications; all unread when left out")


class ReadOut(Schema):
    marked: int


def _out(notification: Notification) -> dict:
    return {"id": notification.pk, "kind": notification.kind, "text": notification.wording(),
            "key": notification.key, "params": notification.params, "created_at": notification.created_at,
            "read_at": notification.read_at}


@router.get("", response=responses({200: paged(NotificationOut)}), auth=token(VIEW))
def notification_list(request, filters: Query[NotificationFilters]):
    """The token's user's notifications in this company, oldest first (page on for newer)."""
    found = selectors.notifications_of(request.auth.company, request.auth.user, unread=filters.unread)
    return page(request, found, filters, _out)


@router.post("/read", response=responses({200: ReadOut}), auth=token(VIEW))
def notification_mark_read(request, body: ReadIn):
    """Mark the user's notifications read (the given ones, or all)."""
    return {"marked": notifications_mark_read(request.auth.company, request.auth.user, body.ids)}
