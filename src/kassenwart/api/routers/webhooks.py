"""Webhook endpoints (list, create, change, delete, a new secret) and their delivery log with
replay, over the webhooks app's services and selectors. Admins only (MANAGE_SETTINGS), as in
the web. A secret is shown once, to whoever made the endpoint or rotated its secret (a write
token, like making an endpoint); the secret a receiver holds is never revealed through the API
(the web reveals it after a fresh second factor).

Deliveries are signed per the Standard Webhooks specification (headers webhook-id,
webhook-timestamp, webhook-signature) and retried for three days; an endpoint answering 410
is disabled.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from kassenwart.api.auth import token
from kassenwart.api.errors import ApiError, forbidden, invalid, not_found, responses
from kassenwart.api.paging import Paging, page, paged
from kassenwart.api.schemas import Id, choices
from kassenwart.companies.permissions import MANAGE_SETTINGS
from kassenwart.core.messages import sentence
from kassenwart.webhooks import selectors, services
from kassenwart.webhooks.models import Attempt, Delivery, Endpoint
from kassenwart.webhooks.models import EventType as ModelEventType

router = Router()
EventType = choices("EventType", ModelEventType)
DeliveryState = choices("DeliveryState", Delivery.State)
AttemptTrigger = choices("AttemptTrigger", Attempt.Trigger)
DESCRIPTION = ("Signed per the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature "
               "with the endpoint's secret), retried for three days; an endpoint answering 410 is disabled.")


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[EventType]
    enabled: bool
    disabled_reason: str | None = Field(description="why it was disabled, in the caller's language")
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="whsec_…: the signing secret, shown this once")


class EndpointIn(Schema):
    url: str = Field(..., max_length=500, description="https:// to a public address (internal and http:// "
                                                      "addresses only with KASSENWART_WEBHOOKS_ALLOW_PRIVATE)")
    events: list[EventType] = Field(..., min_length=1, max_length=len(EventType.values))
    description: str = Field("", max_length=200)


class EndpointChange(Schema):
    url: str | None = Field(None, max_length=500)
    events: list[EventType] | None = Field(None, min_length=1, max_length=len(EventType.values))
    description: str | None = Field(None, max_length=200)
    enabled: bool | None = Field(None, description="false stops sending (deliveries wait); true sends again")


class SecretOut(Schema):
    secret: str = Field(description="the new signing secret; the previous one signs too for 24 hours")


class AttemptOut(Schema):
    id: int
    trigger: AttemptTrigger
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str
    succeeded: bool


class DeliveryOut(Schema):
    id: int
    endpoint_id: int
    event_id: str = Field(description="the webhook-id header: the same on every attempt and replay")
    event_type: EventType
    occurred_at: datetime
    state: DeliveryState = Field(description="failed: given up")
    attempt_count: int
    next_attempt_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    payload: dict = Field(description="the body's data")


class DeliveryDetail(DeliveryOut):
    attempts: list[AttemptOut]


class DeliveryFilters(Paging):
    endpoint_id: Id | None = None
    state: DeliveryState | None = None
    event_type: EventType | None = None


def _endpoint_out(endpoint: Endpoint) -> dict:
    return {**{name: getattr(endpoint, name) for name in (
        "id", "url", "description", "events", "enabled", "disabled_at", "created_at", "updated_at")},
        "disabled_reason": sentence(endpoint.disabled_reason) if endpoint.disabled_reason else None}


def _endpoint(request, endpoint_id: int) -> Endpoint:
    endpoint = selectors.endpoints(request.auth.company).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise not_found()
    return endpoint


def _delivery(request, delivery_id: int) -> Delivery:
    delivery = selectors.deliveries(request.auth.company).filter(pk=delivery_id).first()
    if delivery is None:
        raise not_found()
    return delivery


def _refused(error: services.WebhookError) -> ApiError:
    if isinstance(error, services.NotAllowed):
        return forbidden(str(error))
    return invalid(error.field, str(error))


@router.get("/endpoints", response=responses({200: paged(EndpointOut)}), auth=token(MANAGE_SETTINGS),
            description=DESCRIPTION)
def endpoint_list(request, paging: Query[Paging]):
    return page(request, selectors.endpoints(request.auth.company), paging, _endpoint_out)


@router.post("/endpoints", response=responses({201: EndpointWithSecret}), auth=token(MANAGE_SETTINGS),
             description=DESCRIPTION)
def endpoint_create(request, body: EndpointIn):
    """A new endpoint for the chosen events, enabled; the answer holds its signing secret,
    shown this once."""
    try:
        endpoint, secret = services.endpoint_create(request.auth.company, url=body.url, events=body.events,
                                                    description=body.description, user=request.auth.user, via="api")
    except services.WebhookError as error:
        raise _refused(error)
    return Status(201, {**_endpoint_out(endpoint), "secret": secret})


@router.get("/endpoints/{endpoint_id}", response=responses({200: EndpointOut}, 404), auth=token(MANAGE_SETTINGS))
def endpoint_get(request, endpoint_id: Id):
    return _endpoint_out(_endpoint(request, endpoint_id))


@router.patch("/endpoints/{endpoint_id}", response=responses({200: EndpointOut}, 404),
              auth=token(MANAGE_SETTINGS))
def endpoint_change(request, endpoint_id: Id, body: EndpointChange):
    """Change what is given: URL, events, description; `enabled` stops or resumes sending
    (deliveries that waited and are younger than three days go out again)."""
    company, user = request.auth.company, request.auth.user
    endpoint = _endpoint(request, endpoint_id)
    try:
        if body.url is not None or body.events is not None or body.description is not None:
            endpoint = services.endpoint_update(company, endpoint, url=body.url, events=body.events,
                                                description=body.description, user=user, via="api")
        if body.enabled is True:
            endpoint = services.endpoint_enable(company, endpoint, user=user, via="api")
        elif body.enabled is False:
            endpoint = services.endpoint_disable(company, endpoint, user=user, via="api")
    except services.WebhookError as error:
        raise _refused(error)
    return _endpoint_out(_endpoint(request, endpoint_id))


@router.delete("/endpoints/{endpoint_id}", response=responses({204: None}, 404), auth=token(MANAGE_SETTINGS))
def endpoint_delete(request, endpoint_id: Id):
    """Remove the endpoint with its delivery log."""
    try:
        services.endpoint_delete(request.auth.company, _endpoint(request, endpoint_id), user=request.auth.user,
                                 via="api")
    except services.WebhookError as error:
        raise _refused(error)
    return Status(204, None)


@router.post("/endpoints/{endpoint_id}/secret", response=responses({200: SecretOut}, 404),
             auth=token(MANAGE_SETTINGS))
def endpoint_secret_rotate(request, endpoint_id: Id):
    """A new signing secret, shown this once; the previous one signs beside it for 24 hours.
    The current secret is never revealed through the API: rotate for one you can read."""
    try:
        _endpoint_row, secret = services.endpoint_secret_rotate(request.auth.company, _endpoint(request, endpoint_id),
                                                                user=request.auth.user, via="api")
    except services.WebhookError as error:
        raise _refused(error)
    return {"secret": secret}


@router.get("/deliveries", response=responses({200: paged(DeliveryOut)}), auth=token(MANAGE_SETTINGS))
def delivery_list(request, filters: Query[DeliveryFilters]):
    """The delivery log, oldest first (page on for newer ones)."""
    found = selectors.deliveries(request.auth.company, state=filters.state, event_type=filters.event_type)
    if filters.endpoint_id is not None:  # an endpoint not (or no longer) there: an empty list
        found = found.filter(endpoint_id=filters.endpoint_id)
    return page(request, found, filters)


@router.get("/deliveries/{delivery_id}", response=responses({200: DeliveryDetail}, 404),
            auth=token(MANAGE_SETTINGS))
def delivery_get(request, delivery_id: Id):
    """One delivery with each of its attempts (status, time taken, the error without a reply)."""
    delivery = _delivery(request, delivery_id)
    delivery.attempt_rows = list(selectors.attempts(delivery))
    return DeliveryDetail.model_validate({**DeliveryOut.model_validate(delivery).model_dump(),
                                          "attempts": [AttemptOut.model_validate(a) for a in delivery.attempt_rows]})


@router.post("/deliveries/{delivery_id}/replay", response=responses({202: DeliveryOut}, 404, 409),
             auth=token(MANAGE_SETTINGS))
def delivery_replay(request, delivery_id: Id):
    """Send the delivery again now, with the same webhook-id (the worker posts it); 409 while
    its endpoint is disabled."""
    delivery = _delivery(request, delivery_id)
    try:
        delivery = services.delivery_replay(request.auth.company, delivery, user=request.auth.user, via="api")
    except services.NotAllowed as error:
        raise forbidden(str(error))
    except services.WebhookError as error:
        raise ApiError(409, "endpoint_disabled", str(error))
    return Status(202, delivery)

