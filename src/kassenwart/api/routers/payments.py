"""Payment orders (single transfers, runs of transfers, debit runs), SEPA mandates and
collections, over payments' services and selectors.

An order goes draft -> submitted (waiting for approval) -> approved by an approver who drafted
none of its payments (four eyes, held by payments.services and the database) -> sent. Sending
is the web's flow, step by step, for an approve token (made after a fresh second factor, as
the web asks one before sending): `send` (with the online banking PIN unless it is kept),
then what the bank waits for (`step`: the payee check or the TAN's challenge) and the
answers (`payee`, `tan`). The bank's dialog is kept by Kassenwart between the steps, so no
browser is needed; a pain file (accounts without FinTS) is downloaded (`pain`, the exact
bytes validated and exported) and its upload confirmed (`uploaded`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kassenwart.api.auth import token
from kassenwart.api.errors import ApiError, forbidden, invalid, not_found, responses
from kassenwart.api.paging import Paging, page, paged
from kassenwart.api.schemas import Id, IsoDate, Money, choices
from kassenwart.banking.fints import orders as bank
from kassenwart.banking.fints.client import BankError
from kassenwart.banking.selectors import company_account
from kassenwart.companies.api_tokens import token_allows
from kassenwart.companies.permissions import APPROVE_PAYMENT, DRAFT_DEBIT, DRAFT_TRANSFER, MANAGE_MANDATES, VIEW
from kassenwart.core.downloads import attachment
from kassenwart.core.money import quantize
from kassenwart.payments import collection_selectors, mandate_selectors, runs, selectors, services, submission
from kassenwart.payments.collections import collection_create
from kassenwart.payments.mandates import mandate_amend, mandate_create, mandate_revoke
from kassenwart.payments.models import Collection, Mandate, PaymentOrder, Scheme
from kassenwart.payments.problems import problem_text
from kassenwart.receivables import selectors as receivables

orders = Router()
mandates = Router()
collections = Router()

OrderState = choices("OrderState", PaymentOrder.State)
OrderDelivery = choices("OrderDelivery", PaymentOrder.Delivery)
MandateState = choices("MandateState", Mandate.State)
MandateKind = choices("MandateKind", Mandate.Kind)
MandateScheme = choices("MandateScheme", Scheme)
CollectionState = choices("CollectionState", Collection.State)

SENDING = ("Sending (approve tokens): POST .../send, then GET .../step tells what the bank waits for "
           "(`waiting_for`: payee, tan, app), answered by POST .../payee or .../tan. A pain file (delivery `file`) "
           "is GET .../pain; POST .../uploaded confirms its upload.")


# -- errors ----------------------------------------------------------------------------------
# The SEPA rules name the pain message's parts ("transfers[0].creditor.iban"); the API names
# its own input's fields ("transfers.0.iban").
_FIELDS = {"creditor.name": "payee_name", "creditor.iban": "iban", "creditor.bic": "bic", "amount": "amount",
           "currency": "amount", "remittance": "remittance"}
_TOP = {"account": "account_id", "debtor.iban": "account_id", "requested_date": "requested_date",
        "customer": "customer_id", "mandate": "mandate_id", "invoice": "invoice_id", "orders": "order_ids"}


def _field(name: str) -> str | None:
    match = re.fullmatch(r"transfers\[(\d+)\]\.?(.*)", name or "")
    if match:
        part = _FIELDS.get(match[2])
        return f"transfers.{match[1]}.{part}" if part else f"transfers.{match[1]}"
    return _TOP.get(name, name or None)


def refusal(error: Exception) -> ApiError:
    """payments' exceptions in the error shape."""
    if isinstance(error, services.PaymentInvalid):
        first = error.problems[0]
        return invalid(_field(first.field), problem_text(first), first.code)
    if isinstance(error, services.StateChanged):
        return ApiError(409, "state_changed", str(error))
    if isinstance(error, services.FourEyes):
        return ApiError(403, "four_eyes", str(error))
    if isinstance(error, services.NotAllowed):
        return forbidden(str(error))
    if isinstance(error, bank.PinMissing):
        return ApiError(409, "pin_missing", error.message, "pin")
    if isinstance(error, bank.TanWrong):
        return invalid("tan", error.message, "tan_wrong")
    if isinstance(error, bank.ConnectionBusy):
        return ApiError(409, "connection_busy", _("The bank connection is busy right now; try again shortly."))
    if isinstance(error, BankError):
        return ApiError(502, "bank_error", error.message)
    raise error


REFUSED = (services.PaymentInvalid, services.StateChanged, services.FourEyes, services.NotAllowed)
BANK = (*REFUSED, BankError, bank.ConnectionBusy)


# -- orders ----------------------------------------------------------------------------------
class TransferOut(Schema):
    id: int
    position: int
    payee_name: str
    iban: str
    bic: str
    amount: Money
    currency: str
    remittance: str
    end_to_end_id: str


class OrderOut(Schema):
    id: int
    kind: str = Field(description="transfer, run (several transfers) or debit_run")
    state: OrderState
    waiting_for: str = Field(description="what the bank waits for while sending (payee, tan, app ...), else empty")
    delivery: OrderDelivery = Field(description="fints (sent by Kassenwart) or file (a pain file for the bank's portal)")
    account_id: Id
    requested_date: IsoDate
    instant: bool
    total: Money
    payment_count: int
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    finished_at: datetime | None
    booked_at: datetime | None
    transfers: list[TransferOut]


class OrderFilters(Paging):
    state: OrderState | None = None


class TransferIn(Schema):
    payee_name: str = Field(..., max_length=70)
    iban: str = Field(..., max_length=42)
    amount: Decimal = Field(..., max_digits=15, decimal_places=2, gt=0)
    remittance: str = Field("", max_length=140)
    bic: str = Field("", max_length=11)


class OrderIn(Schema):
    account_id: Id
    requested_date: IsoDate
    instant: bool = False
    transfers: list[TransferIn] = Field(..., min_length=1, max_length=1000,
                                        description="one transfer, or several for a run")


class RunIn(Schema):
    order_ids: list[Id] = Field(..., min_length=1, max_length=1000,
                                 description="drafts or orders waiting for approval, of one account")
    approve: bool = Field(False, description="release the run at once (an approve token whose user drafted "
                                             "none of its transfers)")


class CancelIn(Schema):
    reason: str = Field("", max_length=300)


def _user(user) -> str | None:
    return user.get_username() if user else None


def _order_out(order: PaymentOrder) -> dict:
    transfers = list(order.transfers.all())
    total = getattr(order, "total", None)
    count = getattr(order, "payment_count", None)
    if total is None:
        total = services.order_total(order)
    if count is None:
        count = len(transfers) or order.collections.count()
    return {
        "id": order.pk, "kind": selectors.kind_label_code(order), "state": order.state,
        "waiting_for": order.waiting_for, "delivery": order.delivery, "account_id": order.account_id,
        "requested_date": order.requested_date, "instant": order.instant, "total": quantize(total),
        "payment_count": count, "created_by": _user(order.created_by), "created_at": order.created_at,
        "approved_by": _user(order.approved_by), "approved_at": order.approved_at,
        "finished_at": order.finished_at, "booked_at": order.booked_at, "transfers": transfers,
    }


def _orders(request):
    return selectors.orders(request.auth.company).select_related("approved_by").prefetch_related("transfers")


def _order(request, order_id: Id) -> PaymentOrder:
    order = _orders(request).filter(pk=order_id).first()
    if order is None:
        raise not_found()
    return order


@orders.get("", response=responses({200: paged(OrderOut)}), auth=token(VIEW), description=SENDING)
def order_list(request, filters: Query[OrderFilters]):
    """Payment orders in the order they were made; those whose transfers moved into a run are
    left out (the run lists them)."""
    found = selectors.orders(request.auth.company, state=filters.state or "")
    return page(request, found.select_related("approved_by").prefetch_related("transfers"), filters, _order_out)


@orders.post("/runs", response=responses({201: OrderOut}), auth=token(DRAFT_TRANSFER))
def order_run_create(request, body: RunIn):
    """One run of several drafts or waiting transfers of one account (one approval, one TAN),
    waiting for approval; with `approve`, released at once."""
    if body.approve and not token_allows(request.auth, APPROVE_PAYMENT):
        raise forbidden()
    try:
        run = runs.run_create(request.auth.company, user=request.auth.user, orders=body.order_ids,
                              approve=body.approve, via="api")
    except REFUSED as error:
        raise refusal(error)
    return Status(201, _order_out(_order(request, run.pk)))


@orders.get("/{order_id}", response=responses({200: OrderOut}, 404), auth=token(VIEW), description=SENDING)
def order_get(request, order_id: Id):
    return _order_out(_order(request, order_id))


@orders.post("", response=responses({201: OrderOut}), auth=token(DRAFT_TRANSFER))
def order_draft(request, body: OrderIn):
    """A draft of one transfer, or of several (a run), checked as a bank would check it:
    422 with the field at fault (`transfers.0.iban` ...) when it could not go out as it is."""
    account = company_account(request.auth.company, body.account_id)
    if account is None:
        raise invalid("account_id", _("Choose one of your accounts."), "not_found")
    transfers = [services.TransferInput(payee_name=t.payee_name, iban=t.iban, amount=t.amount,
                                        remittance=t.remittance, bic=t.bic) for t in body.transfers]
    try:
        order = services.order_create(request.auth.company, user=request.auth.user, account=account,
                                      requested_date=body.requested_date, instant=body.instant, transfers=transfers,
                                      via="api")
    except REFUSED as error:
        raise refusal(error)
    return Status(201, _order_out(_order(request, order.pk)))


def _step(request, order_id: Id, service, **options) -> dict:
    order = _order(request, order_id)
    try:
        service(order, user=request.auth.user, via="api", **options)
    except REFUSED as error:
        raise refusal(error)
    return _order_out(_order(request, order_id))


@orders.post("/{order_id}/submit", response=responses({200: OrderOut}, 404, 409), auth=token(DRAFT_TRANSFER))
def order_submit(request, order_id: Id):
    """Draft -> waiting for approval; its content is frozen from here. 409 when it is no
    draft (any more)."""
    return _step(request, order_id, services.order_submit)


@orders.post("/{order_id}/approve", response=responses({200: OrderOut}, 404, 409),
             auth=token(APPROVE_PAYMENT), description=SENDING)
def order_approve(request, order_id: Id):
    """Release an order waiting for approval (an approve token). 403 `four_eyes` when the
    token's user drafted a payment of it; 409 when it is not waiting for approval or its
    content changed since it was submitted."""
    return _step(request, order_id, services.order_approve)


@orders.post("/{order_id}/cancel", response=responses({200: OrderOut}, 404, 409), auth=token(DRAFT_TRANSFER))
def order_cancel(request, order_id: Id, body: CancelIn):
    """Withdraw (its creator) or decline (an approver) an order before it went to the bank."""
    return _step(request, order_id, services.order_cancel, reason=body.reason)


# -- sending ---------------------------------------------------------------------------------
class SendIn(Schema):
    pin: str = Field("", max_length=128, description="the online banking PIN, unless Kassenwart keeps it")
    keep_pin: bool = Field(False, description="keep the PIN (sealed) for the next orders")


class ChallengeOut(Schema):
    text: str = Field(description="the bank's words: what to confirm or which TAN to give")
    decoupled: bool = Field(description="confirmed in the banking app: POST .../tan without a TAN asks again")


class PayeeCheckOut(Schema):
    result: str = Field(description="RVMC close match, RVNM no match, RVNA not possible, RCVC match to confirm")
    registered_name: str
    reason: str
    notice: str


class StepOut(Schema):
    state: OrderState
    waiting_for: str
    challenge: ChallengeOut | None
    payee_check: PayeeCheckOut | None


class TanIn(Schema):
    tan: str = Field("", max_length=64, description="empty for an app confirmation (decoupled)")


class PayeeIn(Schema):
    confirm: bool = Field(..., description="true: release the order to the payee the bank named; false: stop it")
    reason: str = Field("", max_length=300)


def _bank_step(request, order_id, call) -> dict:
    order = _order(request, order_id)
    try:
        call(order)
    except BANK as error:
        raise refusal(error)
    return _order_out(_order(request, order_id))


@orders.post("/{order_id}/send", response=responses({200: OrderOut}, 404, 409, 502), auth=token(APPROVE_PAYMENT))
def order_send(request, order_id: Id, body: SendIn):
    """An approved order off to the bank: queued for the worker (FinTS), which sends it and
    parks it where the bank waits for a person (`waiting_for`); or written as a pain file
    (`exported`). 409 `pin_missing` when the PIN is neither kept nor given."""
    return _bank_step(request, order_id, lambda order: services.order_queue(
        order, user=request.auth.user, pin=body.pin, keep_pin=body.keep_pin, via="api"))


@orders.get("/{order_id}/step", response=responses({200: StepOut}, 404), auth=token(VIEW))
def order_bank_step(request, order_id: Id):
    """What the bank waits for from a person now: the payee check to confirm, or the TAN's
    challenge; both null when it waits for nothing."""
    order = _order(request, order_id)
    step = submission.order_step(order)
    challenge = step.challenge if step else None
    payee = step.payee if step else None
    return {"state": order.state, "waiting_for": order.waiting_for,
            "challenge": {"text": challenge.text, "decoupled": challenge.decoupled} if challenge else None,
            "payee_check": {"result": payee.result, "registered_name": payee.registered_name, "reason": payee.reason,
                            "notice": payee.notice} if payee else None}


@orders.post("/{order_id}/tan", response=responses({200: OrderOut}, 404, 409, 502), auth=token(APPROVE_PAYMENT))
def order_tan(request, order_id: Id, body: TanIn):
    """The TAN for the bank (or, empty, the question whether the app confirmed). 422 `tan_wrong`
    leaves the dialog open for another try."""
    return _bank_step(request, order_id, lambda order: submission.order_give_tan(
        order, tan=body.tan, user=request.auth.user, via="api"))


@orders.post("/{order_id}/payee", response=responses({200: OrderOut}, 404, 409, 502),
             auth=token(APPROVE_PAYMENT))
def order_payee(request, order_id: Id, body: PayeeIn):
    """Answer the bank's payee check: confirm (not by who drafted a payment of the order:
    403 `four_eyes`) and go on to the TAN, or stop the order."""
    if body.confirm:
        return _bank_step(request, order_id, lambda order: submission.order_confirm_payee(
            order, user=request.auth.user, via="api"))
    return _bank_step(request, order_id, lambda order: submission.order_refuse_payee(
        order, user=request.auth.user, reason=body.reason, via="api"))


@orders.post("/{order_id}/uploaded", response=responses({200: OrderOut}, 404, 409), auth=token(APPROVE_PAYMENT))
def order_uploaded(request, order_id: Id):
    """The exported pain file was uploaded to the bank's portal: accepted (the statement books it)."""
    return _step(request, order_id, services.order_confirm_upload)


PAIN_DOCUMENT = {"responses": {200: {
    "description": "the pain.001 (transfers) or pain.008 (debits) message, byte for byte as it was validated "
                   "against the XSD and exported or sent",
    "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                        "description": 'attachment; filename="<message id>.xml"'}},
    "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}}}}}


@orders.get("/{order_id}/pain", response=responses({200: None}, 404), auth=token(APPROVE_PAYMENT),
            openapi_extra=PAIN_DOCUMENT)
def order_pain(request, order_id: Id):
    """The pain file of the order's latest attempt (a transfer, a run or a debit run): the file
    to upload in the bank's portal for an exported order, or what went to the bank over FinTS.
    An approve token, as in the web (whoever may send the order). 404 before the order was
    written as a message."""
    pain = selectors.latest_pain(_order(request, order_id))
    if pain is None:
        raise not_found()
    return attachment(pain.data, pain.name, "application/xml")


# -- mandates --------------------------------------------------------------------------------
class MandateOut(Schema):
    id: int
    customer_id: Id
    customer_number: str
    reference: str
    creditor_id: str
    signed_on: IsoDate
    scheme: MandateScheme
    kind: MandateKind
    debtor_name: str
    iban: str
    bic: str
    state: MandateState
    pre_notification_days: int | None
    last_collected_on: date | None
    created_at: datetime


class MandateFilters(Paging):
    state: MandateState | None = None
    customer_id: Id | None = None


class MandateIn(Schema):
    customer_id: Id
    reference: str = Field(..., max_length=35)
    signed_on: IsoDate
    scheme: MandateScheme = MandateScheme.CORE
    kind: MandateKind = MandateKind.RECURRING
    debtor_name: str = Field(..., max_length=70, description="the account holder")
    iban: str = Field(..., max_length=42)
    bic: str = Field("", max_length=11)
    pre_notification_days: int | None = Field(None, ge=0, le=60)


def _mandate_out(mandate: Mandate) -> dict:
    return {**{name: getattr(mandate, name) for name in (
        "id", "customer_id", "reference", "creditor_id", "signed_on", "scheme", "kind", "debtor_name", "iban", "bic",
        "state", "pre_notification_days", "last_collected_on", "created_at")},
        "customer_number": mandate.customer.number}


def _mandate(request, mandate_id: Id) -> Mandate:
    mandate = mandate_selectors.mandate_search(request.auth.company).filter(pk=mandate_id).first()
    if mandate is None:
        raise not_found()
    return mandate


@mandates.get("", response=responses({200: paged(MandateOut)}), auth=token(VIEW))
def mandate_list(request, filters: Query[MandateFilters]):
    found = mandate_selectors.mandate_search(request.auth.company, state=filters.state)
    if filters.customer_id is not None:
        found = found.filter(customer_id=filters.customer_id)
    return page(request, found, filters, _mandate_out)


@mandates.get("/{mandate_id}", response=responses({200: MandateOut}, 404), auth=token(VIEW))
def mandate_get(request, mandate_id: Id):
    return _mandate_out(_mandate(request, mandate_id))


@mandates.post("", response=responses({201: MandateOut}), auth=token(MANAGE_MANDATES))
def mandate_record(request, body: MandateIn):
    """Record a mandate a customer signed, under the company's creditor id (422 `creditor_id`
    while the company has none, and for a reference used already)."""
    customer = receivables.customers_of(request.auth.company).filter(pk=body.customer_id).first()
    if customer is None:
        raise invalid("customer_id", _("There is no such customer."), "not_found")
    try:
        mandate = mandate_create(request.auth.company, customer=customer, reference=body.reference,
                                 signed_on=body.signed_on, scheme=body.scheme, kind=body.kind,
                                 debtor_name=body.debtor_name, iban=body.iban, bic=body.bic,
                                 pre_notification_days=body.pre_notification_days, user=request.auth.user, via="api")
    except REFUSED as error:
        raise refusal(error)
    return Status(201, _mandate_out(_mandate(request, mandate.pk)))


class MandateAmendIn(Schema):
    reference: str | None = Field(None, max_length=35)
    iban: str | None = Field(None, max_length=42)
    bic: str | None = Field(None, max_length=11)
    creditor_id: str | None = Field(None, max_length=35, description="only when the mandate moves to another "
                                                                      "creditor id")


class MandateAmendOut(MandateOut):
    amendment: str = Field(description="what the next collection tells the debtor's bank: amended (the original "
                                       "values go with it), other_bank (SMNDA: the debtor moved to another bank) "
                                       "or none (only the BIC changed)")


class RevokeIn(Schema):
    reason: str = Field("", max_length=300)


@mandates.post("/{mandate_id}/amend", response=responses({200: MandateAmendOut}, 404, 409),
               auth=token(MANAGE_MANDATES))
def mandate_change(request, mandate_id: Id, body: MandateAmendIn):
    """A new reference, debtor IBAN (and BIC) or creditor id, as the web's Amend: what is left
    out is kept; the original values go with the next collection. A mandate blocked by a
    return is active again. 422 `nothing_changed`; 409 when it was revoked or expired."""
    mandate = _mandate(request, mandate_id)
    try:
        amendment = mandate_amend(mandate, reference=body.reference, iban=body.iban, bic=body.bic,
                                  creditor_id=body.creditor_id, user=request.auth.user, via="api")
    except REFUSED as error:
        raise refusal(error)
    kind = "none" if amendment is None else "other_bank" if amendment.other_bank else "amended"
    return {**_mandate_out(_mandate(request, mandate_id)), "amendment": kind}


@mandates.post("/{mandate_id}/revoke", response=responses({200: MandateOut}, 404, 409),
               auth=token(MANAGE_MANDATES))
def mandate_end(request, mandate_id: Id, body: RevokeIn):
    """The debtor (or the company) ended the mandate: nothing more is collected under it, its
    plans end and its collections not yet at a bank are cancelled. 409 when it has ended already."""
    mandate = _mandate(request, mandate_id)
    try:
        mandate_revoke(mandate, user=request.auth.user, reason=body.reason, via="api")
    except REFUSED as error:
        raise refusal(error)
    return _mandate_out(_mandate(request, mandate_id))


# -- collections -----------------------------------------------------------------------------
class CollectionOut(Schema):
    id: int
    mandate_id: Id
    invoice_id: Id | None
    plan_id: int | None
    account_id: Id
    amount: Money
    currency: str
    due_date: IsoDate
    remittance: str
    state: CollectionState
    hold_reason: str
    pre_notified_at: datetime | None
    order_id: int | None
    end_to_end_id: str
    return_reason: str
    created_at: datetime


class CollectionFilters(Paging):
    state: CollectionState | None = None
    mandate_id: Id | None = None
    invoice_id: Id | None = None


class CollectionIn(Schema):
    invoice_id: Id
    mandate_id: Id
    account_id: Id = Field(..., description="the account the money is collected to")
    due_date: IsoDate = Field(..., description="the collection date")
    amount: Decimal | None = Field(None, max_digits=15, decimal_places=2, gt=0,
                                   description="the invoice's open amount when left out")


def _collection(request, collection_id: Id) -> Collection:
    found = collection_selectors.collections_of(request.auth.company).filter(pk=collection_id).first()
    if found is None:
        raise not_found()
    return found


@collections.get("", response=responses({200: paged(CollectionOut)}), auth=token(VIEW))
def collection_list(request, filters: Query[CollectionFilters]):
    found = collection_selectors.collections_of(request.auth.company, state=filters.state,
                                                mandate_id=filters.mandate_id, invoice_id=filters.invoice_id)
    return page(request, found, filters)


@collections.get("/{collection_id}", response=responses({200: CollectionOut}, 404), auth=token(VIEW))
def collection_get(request, collection_id: Id):
    return _collection(request, collection_id)


@collections.post("", response=responses({201: CollectionOut}), auth=token(DRAFT_DEBIT))
def collection_plan(request, body: CollectionIn):
    """A one-off debit of an invoice's open amount (or less) under an active mandate of its
    customer, as the web's "Collect" does: the debtor is pre-notified, and the debit run of
    its date takes it to the bank for approval."""
    company = request.auth.company
    invoice = receivables.invoices_of(company).filter(pk=body.invoice_id).first()
    mandate = mandate_selectors.mandate_search(company).filter(pk=body.mandate_id).first()
    account = company_account(company, body.account_id)
    for field, found in (("invoice_id", invoice), ("mandate_id", mandate), ("account_id", account)):
        if found is None:
            raise invalid(field, _("There is no such object."), "not_found")
    try:
        made = collection_create(company, invoice=invoice, mandate=mandate, account=account, due_date=body.due_date,
                                 amount=body.amount, user=request.auth.user, via="api")
    except REFUSED as error:
        raise refusal(error)
    return Status(201, _collection(request, made.pk))
