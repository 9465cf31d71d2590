"""Reconciliation: open payments with the engine's suggestions, matches, a map by hand,
accepting or rejecting a suggestion, undo, ignore and unignore, and a matching run.

The work is reconciliation's (services, selectors, schedule); this module reads the input,
calls them and turns their answers into the schemas below.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kassenwart.api.auth import token
from kassenwart.api.errors import ApiError, invalid, not_found, responses
from kassenwart.api.paging import Paging, page, paged
from kassenwart.api.schemas import Id, Money, choices
from kassenwart.banking.models import Transaction
from kassenwart.companies.permissions import MAP_TRANSACTION, VIEW
from kassenwart.core.money import quantize
from kassenwart.reconciliation import schedule, selectors
from kassenwart.reconciliation.models import Match, TransactionState
from kassenwart.reconciliation.reasons import is_reason, worded
from kassenwart.reconciliation.services import (
    OtherCustomer,
    ReconciliationError,
    match_create,
    match_undo,
    suggestion_accept,
    suggestion_reject,
    transaction_ignore,
    transaction_unignore,
)

router = Router()
ZERO = Decimal("0.00")
ReconciliationStatus = choices("ReconciliationStatus", TransactionState.Status)
MatchKind = choices("MatchKind", Match.Kind)


class SuggestionLine(Schema):
    invoice_id: Id
    invoice_number: str | None = Field(description="null when the invoice is gone")
    amount: Money


class SuggestionOut(Schema):
    rank: int = Field(description="1 = the engine's best")
    confidence: float
    invoices: list[SuggestionLine]
    write_off: Money
    surplus: Money
    reasons: list[str] = Field(description="why the engine proposes it, in the caller's language")
    other_customer: bool = Field(description="accepting needs confirm_other_customer")


class PaymentOut(Schema):
    id: int = Field(description="the transaction's id")
    account_id: Id
    booking_date: date | None
    amount: Money
    currency: str
    counterparty_name: str
    counterparty_iban: str
    remittance: str
    status: ReconciliationStatus | None = Field(description="null before matching saw the payment")
    left: Money = Field(description="what active matches have not applied yet")
    ignore_reason: str | None
    suggestions: list[SuggestionOut]


class AllocationOut(Schema):
    invoice_id: Id
    invoice_number: str
    amount: Money
    write_off: Money


class MatchOut(Schema):
    id: int
    transaction_id: Id
    kind: MatchKind
    confidence: float | None
    reasons: list[str]
    created_at: datetime
    created_by: str | None = Field(description="the user's name; null for the automatic run")
    undone_at: datetime | None
    allocations: list[AllocationOut]


class OpenFilters(Paging):
    status: Literal["waiting", "ignored"] = Field("waiting", description="waiting for a person (open or partially "
                                                                         "matched), or marked as not an invoice "
                                                                         "payment")


class MatchFilters(Paging):
    transaction_id: Id | None = None
    kind: MatchKind | None = None
    include_undone: bool = False


class AllocationIn(Schema):
    invoice_id: Id
    amount: Decimal = Field(..., max_digits=15, decimal_places=2, description="applied to the invoice")
    write_off: Decimal = Field(ZERO, max_digits=15, decimal_places=2, ge=0,
                               description="closes (part of) the invoice's rest without money")


class MapIn(Schema):
    allocations: list[AllocationIn] = Field(..., min_length=1, max_length=200)
    confirm_other_customer: bool = Field(False, description="the payer is known as another customer and this "
                                                            "payment pays their invoices all the same")


class AcceptIn(Schema):
    invoice_ids: list[Id] = Field(..., min_length=1, max_length=200,
                                   description="the invoices of the suggestion, wherever it ranks now")
    confirm_other_customer: bool = False


class RejectIn(Schema):
    invoice_ids: list[Id] = Field(..., min_length=1, max_length=200)


class IgnoreIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300, description="why it is not an invoice payment")


class RunOut(Schema):
    id: str
    status: str = Field(description="ready, running, successful or failed")
    transactions: int | None = Field(description="payments the run looked at, once successful")
    auto: int | None = Field(description="payments it reconciled")
    open: int | None = Field(description="payments left for a person")
    poll: str | None = Field(None, description="where to ask about the run")


# -- conversions -----------------------------------------------------------------------------
def _suggestions(raw: list[dict], numbers: dict[int, str]) -> list[dict]:
    return [{
        "rank": rank,
        "confidence": proposal["confidence"],
        "invoices": [{"invoice_id": int(pk), "invoice_number": numbers.get(int(pk)), "amount": quantize(Decimal(amount))}
                     for pk, amount in proposal["allocations"].items()],
        "write_off": quantize(Decimal(proposal.get("write_off", "0"))),
        "surplus": quantize(Decimal(proposal.get("surplus", "0"))),
        "reasons": [worded(reason) for reason in proposal["reasons"]],
        "other_customer": any(is_reason(reason, "other_customer") for reason in proposal["reasons"]),
    } for rank, proposal in enumerate(raw, 1)]


def _payments(company, rows: list[tuple[Transaction, TransactionState | None]]) -> list[dict]:
    """The payments with their suggestions and what is left of them (three queries)."""
    ids = {int(pk) for _tx, state in rows if state for s in state.suggestions for pk in s["allocations"]}
    numbers = {pk: invoice.number for pk, invoice in selectors.invoices_by_id(company, ids).items()}
    applied = selectors.applied_amounts(company, [tx.pk for tx, _state in rows])
    return [{
        "id": tx.pk, "account_id": tx.account_id, "booking_date": tx.booking_date, "amount": tx.amount,
        "currency": tx.currency, "counterparty_name": tx.counterparty_name, "counterparty_iban": tx.counterparty_iban,
        "remittance": tx.remittance, "status": state.status if state else None,
        "left": quantize(tx.amount - applied.get(tx.pk, ZERO)),
        "ignore_reason": worded(state.ignore_reason) if state and state.ignore_reason else None,
        "suggestions": _suggestions(state.suggestions, numbers) if state else [],
    } for tx, state in rows]


def _match_out(match: Match) -> dict:
    return {
        "id": match.pk, "transaction_id": match.transaction_id, "kind": match.kind, "confidence": match.confidence,
        "reasons": [worded(reason) for reason in match.reasons], "created_at": match.created_at,
        "created_by": match.created_by.get_username() if match.created_by else None, "undone_at": match.undone_at,
        "allocations": [{"invoice_id": a.invoice_id, "invoice_number": a.invoice.number, "amount": a.amount,
                         "write_off": a.write_off} for a in match.allocations.all()],
    }


def _payment(request, transaction_id: Id) -> Transaction:
    """One incoming payment of the token's company, or 404."""
    tx = (Transaction.objects.filter(company=request.auth.company, pk=transaction_id, amount__gt=0)
          .select_related("account").first())
    if tx is None:
        raise not_found()
    return tx


def _match(request, match_id: Id) -> Match:
    match = selectors.company_matches(request.auth.company).filter(pk=match_id).first()
    if match is None:
        raise not_found()
    return match


def _refused(error: ReconciliationError) -> ApiError:
    if isinstance(error, OtherCustomer):
        return ApiError(409, "other_customer", str(error), "confirm_other_customer")
    return ApiError(409, "refused", str(error))


def _payment_out(request, tx: Transaction) -> dict:
    return _payments(request.auth.company, [(tx, selectors.payment_state(request.auth.company, tx.pk))])[0]


# -- payments --------------------------------------------------------------------------------
@router.get("/payments", response=responses({200: paged(PaymentOut)}), auth=token(VIEW))
def payment_list(request, filters: Query[OpenFilters]):
    """Incoming payments waiting for a person (open or partially matched) with the engine's
    ranked suggestions, as the web's Open list shows them; or the ignored ones."""
    company = request.auth.company
    states = selectors.ignored_payments(company) if filters.status == "ignored" else selectors.open_payments(company)
    found = page(request, states, filters)
    found["items"] = _payments(company, [(state.transaction, state) for state in found["items"]])
    return found


@router.get("/payments/{transaction_id}", response=responses({200: PaymentOut}, 404), auth=token(VIEW))
def payment_get(request, transaction_id: Id):
    """One incoming payment (whatever its state) with all its suggestions."""
    return _payment_out(request, _payment(request, transaction_id))


@router.post("/payments/{transaction_id}/map", response=responses({201: MatchOut}, 404, 409),
             auth=token(MAP_TRANSACTION))
def payment_map(request, transaction_id: Id, body: MapIn):
    """Map the payment to invoices by hand: the amount applied to each (and what is written
    off). 409 `other_customer` when the payer is known as another customer than the invoices'
    and `confirm_other_customer` was not set; 409 `refused` when the map does not fit (the
    payment is reconciled already, the amounts exceed it, an invoice is paid ...)."""
    company = request.auth.company
    tx = _payment(request, transaction_id)
    invoices = selectors.invoices_by_id(company, [a.invoice_id for a in body.allocations])
    for index, allocation in enumerate(body.allocations):
        if allocation.invoice_id not in invoices:
            raise invalid(f"allocations.{index}.invoice_id", _("There is no such invoice."), "not_found")
    try:
        match = match_create(company, tx, [(invoices[a.invoice_id], a.amount, a.write_off) for a in body.allocations],
                             user=request.auth.user, via="api", confirm_other_customer=body.confirm_other_customer)
    except ReconciliationError as error:
        raise _refused(error)
    return Status(201, _match_out(_match(request, match.pk)))


@router.post("/payments/{transaction_id}/accept", response=responses({201: MatchOut}, 404, 409),
             auth=token(MAP_TRANSACTION))
def suggestion_accept_call(request, transaction_id: Id, body: AcceptIn):
    """Accept the engine's suggestion for these invoices as it stands. 404 when the payment
    has no such suggestion (any more)."""
    company = request.auth.company
    tx = _payment(request, transaction_id)
    rank = selectors.suggestion_rank(selectors.payment_state(company, tx.pk), body.invoice_ids)
    if rank is None:
        raise ApiError(404, "not_found", _("That suggestion is no longer there."), "invoice_ids")
    try:
        match = suggestion_accept(company, tx, rank, user=request.auth.user, via="api",
                                  confirm_other_customer=body.confirm_other_customer)
    except ReconciliationError as error:
        raise _refused(error)
    return Status(201, _match_out(_match(request, match.pk)))


@router.post("/payments/{transaction_id}/reject", response=responses({200: PaymentOut}, 404),
             auth=token(MAP_TRANSACTION))
def suggestion_reject_call(request, transaction_id: Id, body: RejectIn):
    """Turn the suggestion for these invoices down: it is not proposed again for this payment."""
    company = request.auth.company
    tx = _payment(request, transaction_id)
    rank = selectors.suggestion_rank(selectors.payment_state(company, tx.pk), body.invoice_ids)
    if rank is None:
        raise ApiError(404, "not_found", _("That suggestion is no longer there."), "invoice_ids")
    suggestion_reject(company, tx, rank, user=request.auth.user, via="api")
    return _payment_out(request, tx)


@router.post("/payments/{transaction_id}/ignore", response=responses({200: PaymentOut}, 404, 409),
             auth=token(MAP_TRANSACTION))
def payment_ignore(request, transaction_id: Id, body: IgnoreIn):
    """Mark an open payment as not an invoice payment (a refund, a loan ...), with the reason."""
    tx = _payment(request, transaction_id)
    try:
        transaction_ignore(request.auth.company, tx, body.reason, user=request.auth.user, via="api")
    except ReconciliationError as error:
        raise _refused(error)
    return _payment_out(request, tx)


@router.post("/payments/{transaction_id}/unignore", response=responses({200: PaymentOut}, 404, 409),
             auth=token(MAP_TRANSACTION))
def payment_unignore(request, transaction_id: Id):
    """The payment waits for a person again."""
    tx = _payment(request, transaction_id)
    try:
        transaction_unignore(request.auth.company, tx, user=request.auth.user, via="api")
    except ReconciliationError as error:
        raise _refused(error)
    return _payment_out(request, tx)


# -- matches ---------------------------------------------------------------------------------
@router.get("/matches", response=responses({200: paged(MatchOut)}), auth=token(VIEW))
def match_list(request, filters: Query[MatchFilters]):
    """Matches in the order they were made (active ones unless `include_undone`)."""
    found = selectors.company_matches(request.auth.company)
    if not filters.include_undone:
        found = found.filter(undone_at__isnull=True)
    if filters.transaction_id is not None:
        found = found.filter(transaction_id=filters.transaction_id)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    return page(request, found, filters, _match_out)


@router.get("/matches/{match_id}", response=responses({200: MatchOut}, 404), auth=token(VIEW))
def match_get(request, match_id: Id):
    return _match_out(_match(request, match_id))


@router.post("/matches/{match_id}/undo", response=responses({200: MatchOut}, 404, 409),
             auth=token(MAP_TRANSACTION))
def match_undo_call(request, match_id: Id):
    """Take the match back: its invoices and its payment are open again. 409 when it was
    undone already."""
    match = _match(request, match_id)
    try:
        match_undo(request.auth.company, match, user=request.auth.user, via="api")
    except ReconciliationError as error:
        raise _refused(error)
    return _match_out(_match(request, match_id))


# -- runs ------------------------------------------------------------------------------------
@router.post("/runs", response=responses({202: RunOut}), auth=token(MAP_TRANSACTION))
def run_start(request):
    """Run the matching now, as the web's "Run now" does: in the background (the task
    worker). Answers 202 with the run's id; GET /reconciliation/runs/{id} tells how it went."""
    run_id = schedule.matching_run_request(request.auth.company, user=request.auth.user, via="api")
    status = schedule.matching_run_status(request.auth.company, run_id) or {}
    poll = request.build_absolute_uri(f"{request.path.rstrip('/')}/{run_id}")
    return Status(202, {"id": run_id, "status": "ready", "transactions": None, "auto": None, "open": None, **status,
                 "poll": poll})


@router.get("/runs/{run_id}", response=responses({200: RunOut}, 404), auth=token(VIEW))
def run_get(request, run_id: str):
    if len(run_id) > 64:
        raise not_found()
    status = schedule.matching_run_status(request.auth.company, run_id)
    if status is None:
        raise not_found()
    return {"id": run_id, **status}
