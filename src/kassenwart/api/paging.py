"""Cursor paging for lists: `?limit=` (1..500, default 50) and `?cursor=` from the last page.

Lists run in id order, so a page never overlaps the next and rows added meanwhile are found at
the end (what an incremental sync wants). The cursor is opaque to callers (today the last id,
base64-encoded); `next` is the address of the next page, `next_cursor` its cursor, both null on
the last page.

    @router.get("/things", response=responses({200: paged(ThingOut)}), auth=token(VIEW))
    def thing_list(request, paging: Query[Paging]):
        return page(request, things_of(request.auth.company), paging)
"""

from __future__ import annotations

import base64
import binascii
from functools import cache
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from kassenwart.api.errors import invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page")
    cursor: str | None = Field(None, max_length=64, description="`next_cursor` of the page before")


@cache
def paged(item: type[Schema]) -> type[Schema]:
    """The schema of a page of `item`s (one class per item schema, named after it)."""
    return type(f"{item.__name__}Page", (Schema,), {
        "__annotations__": {"items": list[item], "next_cursor": str | None, "next": str | None},
        "__module__": __name__,
    })


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _sep, last = text.partition(":")
        if version != "v1" or not last.isdigit() or len(last) > 18:
            raise ValueError
        return int(last)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("cursor", _("This cursor is not one of ours; start again without it."))


def page(request, queryset: QuerySet, paging: Paging, convert=None) -> dict:
    """One page of `queryset` (already scoped to the company) in id order. `convert` turns a
    row into what the item schema reads (default: the row itself)."""
    if paging.cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(paging.cursor))
    rows = list(queryset.order_by("pk")[: paging.limit + 1])
    more = len(rows) > paging.limit
    rows = rows[: paging.limit]
    next_cursor = encode_cursor(rows[-1].pk) if more else None
    next_url = None
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(list(query.lists()), doseq=True)}")
    return {"items": [convert(r) for r in rows] if convert else rows, "next_cursor": next_cursor, "next": next_url}
