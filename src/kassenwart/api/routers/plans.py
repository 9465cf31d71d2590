"""Collection plans (recurring direct debits, e.g. licence fees) as the web's plan pages offer
them: list, one plan with its schedule, create, change the terms, end. Everybody with a read
token sees them; drafting debits (members and up, a write token) makes and changes them, as in
the web. The clock writes each period's collection with an invoice of its own in time for the
debtor's pre-notification (payments/collections.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kassenwart.api.auth import token
from kassenwart.api.errors import invalid, not_found, responses
from kassenwart.api.paging import Paging, page, paged
from kassenwart.api.routers.payments import REFUSED, refusal
from kassenwart.api.schemas import Id, IsoDate, Money, choices
from kassenwart.banking.selectors import company_account
from kassenwart.companies.permissions import DRAFT_DEBIT, VIEW
from kassenwart.payments import collection_selectors, collections, mandate_selectors
from kassenwart.payments.models import CollectionPlan

router = Router()

PlanInterval = choices("PlanInterval", CollectionPlan.Interval)


class PlanOut(Schema):
    id: int
    mandate_id: int
    customer_id: int
    account_id: int
    amount: Money
    currency: str
    interval: PlanInterval
    day: int = Field(description="day of the month; the last day in shorter months, the next business day "
                                 "on a weekend or holiday")
    starts_on: date
    ends_on: date | None
    remittance: str
    invoice_prefix: str = Field(description="each collection's invoice is numbered prefix + date (LIC-2026-08-03)")
    active: bool = Field(description="false once ended (or its mandate ended)")
    created_at: datetime


class PlanDateOut(Schema):
    period: date
    due_date: date
    collection_id: int | None = Field(description="the collection written for it; null: still to come")
    invoice_number: str
    blocked: str = Field(description="why a due collection is not written (invoice_number_taken), else empty")


class PlanDetail(PlanOut):
    schedule: list[PlanDateOut] = Field(description="the collections written so far and the next three to come")


class PlanFilters(Paging):
    active: bool | None = None
    mandate_id: Id | None = None


class PlanIn(Schema):
    mandate_id: Id = Field(..., description="an active recurring mandate")
    account_id: Id = Field(..., description="the account the money is collected to")
    amount: Decimal = Field(..., max_digits=15, decimal_places=2, gt=0, description="per collection")
    interval: PlanInterval
    day: int = Field(..., ge=1, le=31)
    starts_on: IsoDate = Field(..., description="the first collection on or after")
    ends_on: IsoDate | None = Field(None, description="the last collection on or before; null: no end")
    remittance: str = Field(..., max_length=100, description="what the debtor reads; the invoice number is added")
    invoice_prefix: str = Field(..., max_length=40)


class PlanChange(Schema):
    amount: Decimal | None = Field(None, max_digits=15, decimal_places=2, gt=0)
    day: int | None = Field(None, ge=1, le=31)
    ends_on: IsoDate | None = Field(None, description="null or left out: kept; see `no_end`")
    no_end: bool = Field(False, description="true: the plan runs without an end date")
    remittance: str | None = Field(None, max_length=100)
    invoice_prefix: str | None = Field(None, max_length=40)


def _plan_out(plan: CollectionPlan) -> dict:
    return {**{name: getattr(plan, name) for name in (
        "id", "mandate_id", "account_id", "amount", "currency", "interval", "day", "starts_on", "ends_on",
        "remittance", "invoice_prefix", "active", "created_at")}, "customer_id": plan.mandate.customer_id}


def _plan_detail(plan: CollectionPlan) -> dict:
    schedule = [{"period": row.period, "due_date": row.due_date, "blocked": row.blocked,
                 "collection_id": row.collection.pk if row.collection else None,
                 "invoice_number": row.collection.invoice.number if row.collection and row.collection.invoice
                 else row.invoice_number} for row in collections.plan_schedule(plan)]
    return {**_plan_out(plan), "schedule": schedule}


def _plan(request, plan_id: Id) -> CollectionPlan:
    plan = collection_selectors.plans_of(request.auth.company).filter(pk=plan_id).first()
    if plan is None:
        raise not_found()
    return plan


@router.get("", response=responses({200: paged(PlanOut)}), auth=token(VIEW))
def plan_list(request, filters: Query[PlanFilters]):
    found = collection_selectors.plans_of(request.auth.company, active=filters.active, mandate_id=filters.mandate_id)
    return page(request, found, filters, _plan_out)


@router.get("/{plan_id}", response=responses({200: PlanDetail}, 404), auth=token(VIEW))
def plan_get(request, plan_id: Id):
    return _plan_detail(_plan(request, plan_id))


@router.post("", response=responses({201: PlanDetail}), auth=token(DRAFT_DEBIT))
def plan_create(request, body: PlanIn):
    """A plan under an active recurring mandate of the company (422 with the field at fault
    otherwise: `mandate_id`, `day`, `starts_on` in the past, an `invoice_prefix` in use ...)."""
    company = request.auth.company
    mandate = mandate_selectors.mandate_search(company).filter(pk=body.mandate_id).first()
    account = company_account(company, body.account_id)
    for field, found in (("mandate_id", mandate), ("account_id", account)):
        if found is None:
            raise invalid(field, _("There is no such object."), "not_found")
    try:
        plan = collections.plan_create(
            company, mandate=mandate, account=account, amount=body.amount, interval=body.interval, day=body.day,
            starts_on=body.starts_on, ends_on=body.ends_on, remittance=body.remittance,
            invoice_prefix=body.invoice_prefix, user=request.auth.user, via="api")
    except REFUSED as error:
        raise refusal(error)
    return Status(201, _plan_detail(_plan(request, plan.pk)))


@router.patch("/{plan_id}", response=responses({200: PlanDetail}, 404, 409), auth=token(DRAFT_DEBIT))
def plan_update(request, plan_id: Id, body: PlanChange):
    """New terms for the collections not yet written (those written stay as they are); what
    is left out is kept. 409 when the plan has ended."""
    plan = _plan(request, plan_id)
    ends_on = {"ends_on": None} if body.no_end else {"ends_on": body.ends_on} if body.ends_on else {}
    try:
        collections.plan_update(plan, user=request.auth.user, via="api", amount=body.amount, day=body.day,
                                remittance=body.remittance, invoice_prefix=body.invoice_prefix, **ends_on)
    except REFUSED as error:
        raise refusal(error)
    return _plan_detail(_plan(request, plan_id))


@router.post("/{plan_id}/end", response=responses({200: PlanDetail}, 404, 409), auth=token(DRAFT_DEBIT))
def plan_end(request, plan_id: Id):
    """No further collections; those already written stay (the debtor was told of them) and
    can be cancelled one by one. 409 when it has ended already."""
    plan = _plan(request, plan_id)
    try:
        collections.plan_stop(plan, user=request.auth.user, via="api")
    except REFUSED as error:
        raise refusal(error)
    return _plan_detail(_plan(request, plan_id))
