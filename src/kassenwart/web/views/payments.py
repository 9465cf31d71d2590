"""Transfers: any member drafts, another person (approver) releases and sends; the payee
check and the TAN are answered on the order's page (the one bank call a request makes)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.companies.permissions import APPROVE_PAYMENT, DRAFT_TRANSFER, allows
from kassenwart.payments import selectors, services, submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.payments.sepa.rules import Problem
from kassenwart.web.amounts import parse_amount
from kassenwart.web.decorators import company_required
from kassenwart.web.pagination import paginate
from kassenwart.web.views._bank_steps import PinForm, TanForm, challenge_context, htmx_go

State = PaymentOrder.State

# What the bank's payee check found, in the person's words (EPC VoP result codes).
PAYEE_RESULTS = {
    "RCVC": gettext_lazy("The name matches the account holder."),
    "RVMC": gettext_lazy("The name is close to, but not the same as, the name of the account holder."),
    "RVNM": gettext_lazy("The name does not match the account holder."),
    "RVNA": gettext_lazy("The payee's bank could not check the name."),
}
# Field of a rule problem -> form field it belongs to.
_FIELD_OF = {"creditor.name": "payee_name", "creditor.iban": "iban", "creditor.bic": "bic", "amount": "amount",
             "remittance": "remittance", "requested_date": "requested_date", "account": "account",
             "debtor.iban": "account", "currency": "amount"}


class TransferForm(forms.Form):
    account = forms.ModelChoiceField(label=gettext_lazy("From account"), queryset=BankAccount.objects.none(),
                                     empty_label=None)
    payee_name = forms.CharField(label=gettext_lazy("Payee"), max_length=70)
    iban = forms.CharField(label=gettext_lazy("IBAN"), max_length=42)
    bic = forms.CharField(label=gettext_lazy("BIC"), max_length=14, required=False,
                          help_text=gettext_lazy("Only needed for some payees outside Germany."))
    amount = forms.CharField(label=gettext_lazy("Amount (EUR)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    remittance = forms.CharField(label=gettext_lazy("Remittance information"), max_length=140, required=False,
                                 help_text=gettext_lazy("What the payee sees, e.g. the invoice number."))
    requested_date = forms.DateField(label=gettext_lazy("Execution date"),
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    instant = forms.BooleanField(label=gettext_lazy("Instant transfer"), required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = BankAccount.objects.filter(company=company).exclude(iban="")
        self.fields["requested_date"].initial = timezone.localdate()

    def clean_amount(self):
        amount = parse_amount(self.cleaned_data["amount"])
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("Enter an amount above zero, e.g. 1.234,56."))
        return amount

    def show(self, problems: list[Problem]) -> None:
        for problem in problems:
            name = _FIELD_OF.get(problem.field.split("]")[-1].lstrip("."), None)
            self.add_error(name if name in self.fields else None, _problem_text(problem))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)


class PayeeConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=gettext_lazy("I have checked the payee and want to send the transfer anyway."))


def _order(request, pk) -> PaymentOrder:
    return get_object_or_404(PaymentOrder.objects.select_related("account__connection", "created_by", "approved_by"),
                             pk=pk, company=request.company)


@company_required()
def payment_list(request):
    state = request.GET.get("state", "")
    orders = selectors.orders(request.company, state=state if state in State.values else "")
    return render(request, "web/payments/list.html", {
        "page": paginate(request, orders), "state": state, "states": State.choices,
        "can_draft": allows(request.membership.role, DRAFT_TRANSFER),
    })


@company_required(DRAFT_TRANSFER)
def payment_new(request):
    form = TransferForm(request.POST or None, company=request.company)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        transfer = services.TransferInput(payee_name=data["payee_name"], iban=data["iban"], amount=data["amount"],
                                          remittance=data["remittance"], bic=data["bic"])
        try:
            order = services.order_create(request.company, user=request.user, account=data["account"],
                                          requested_date=data["requested_date"], instant=data["instant"],
                                          transfers=[transfer])
        except services.PaymentInvalid as invalid:
            form.show(invalid.problems)
        else:
            messages.success(request, _("Draft saved. Submit it for approval when it is complete."))
            return redirect("payment_detail", order.pk)
    return render(request, "web/payments/new.html", {"form": form})


@company_required()
def payment_detail(request, pk):
    order = _order(request, pk)
    step = submission.order_step(order)
    if step is None and order.state in submission.WAITING and submission.order_lapse(order):
        order.refresh_from_db()
    if request.htmx and request.GET.get("poll"):
        # The status box polls while the worker talks to the bank; then the page moves on.
        if order.state in (State.QUEUED, State.SENDING):
            return render(request, "web/payments/_sending.html", {"order": order})
        return _htmx_refresh()
    return render(request, "web/payments/detail.html", _detail_context(request, order, step))


def _detail_context(request, order: PaymentOrder, step, **forms_) -> dict:
    role = request.membership.role
    may_approve = allows(role, APPROVE_PAYMENT)
    connection = services.bank_connection(order)
    challenge = step.challenge if step else None
    return {
        "order": order,
        "transfers": order.transfers.all(),
        "total": services.order_total(order),
        "may_submit": order.state == State.DRAFT and (order.created_by_id == request.user.pk or may_approve),
        "may_approve": order.state == State.PENDING_APPROVAL and may_approve and order.created_by_id != request.user.pk,
        "own_order": order.created_by_id == request.user.pk,
        "may_cancel": order.state in (State.DRAFT, State.PENDING_APPROVAL, State.APPROVED, State.QUEUED) and (
            may_approve or order.created_by_id == request.user.pk),
        "may_send": order.state == State.APPROVED and may_approve and connection is not None,
        "no_connection": connection is None,
        "may_answer": may_approve,
        "may_confirm_payee": may_approve and order.created_by_id != request.user.pk,
        "pin_needed": connection is not None and not fints.pin_available(connection),
        "send_form": forms_.get("send_form") or PinForm(),
        "payee_form": forms_.get("payee_form") or PayeeConfirmForm(),
        "tan_form": forms_.get("tan_form") or TanForm(),
        "payee": order.payee_check if order.state == State.VOP_PENDING else None,
        "payee_text": PAYEE_RESULTS.get((order.payee_check or {}).get("result", ""), ""),
        **challenge_context(challenge),
        "history": [(event, _step_name(event.action)) for event in selectors.history(order)],
    }


@require_POST
@company_required(DRAFT_TRANSFER)
def payment_submit(request, pk):
    return _step(request, pk, services.order_submit, _("Submitted. An approver has been told."))


@require_POST
@company_required(APPROVE_PAYMENT)
def payment_approve(request, pk):
    return _step(request, pk, services.order_approve, _("Approved. It can be sent to the bank now."))


def _step(request, pk, service, done: str, **options):
    """One step of the order's state machine, then back to its page with what happened."""
    order = _order(request, pk)
    with _flash(request):
        service(order, user=request.user, **options)
        messages.success(request, done)
    return redirect("payment_detail", pk)


@require_POST
@company_required(DRAFT_TRANSFER)
def payment_cancel(request, pk):
    """By its creator, or declined by an approver (services.order_cancel checks which)."""
    return _step(request, pk, services.order_cancel, _("Cancelled."), reason=_reason(request))


@require_POST
@company_required(APPROVE_PAYMENT)
def payment_send(request, pk):
    order = _order(request, pk)
    form = PinForm(request.POST)
    form.is_valid()
    with _flash(request):
        try:
            services.order_queue(order, user=request.user, pin=form.cleaned_data.get("pin", ""),
                                 keep_pin=form.cleaned_data.get("keep_pin", False))
        except services.PaymentInvalid as invalid:
            for problem in invalid.problems:
                messages.error(request, _problem_text(problem))
        else:
            messages.success(request, _("Sending to the bank…"))
    return redirect("payment_detail", pk)


@require_POST
@company_required(APPROVE_PAYMENT)
def payment_resolve(request, pk):
    """An unknown outcome settled by a person who checked with the bank."""
    return _step(request, pk, services.order_resolve, _("Saved."), executed="executed" in request.POST,
                 note=_reason(request))


@require_POST
@company_required(APPROVE_PAYMENT)
def payment_payee(request, pk):
    """The payee check: confirm and go on to the TAN, or stop the transfer."""
    order = _order(request, pk)
    if "refuse" in request.POST:
        with _flash(request):
            submission.order_refuse_payee(order, user=request.user)
            messages.success(request, _("The transfer was stopped; the bank will not execute it."))
        return redirect("payment_detail", pk)
    form = PayeeConfirmForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, order, submission.order_step(order), payee_form=form)
        return render(request, "web/payments/detail.html", context, status=400)
    with _flash(request):
        submission.order_confirm_payee(order, user=request.user)
    return redirect("payment_detail", pk)


@require_POST
@company_required(APPROVE_PAYMENT)
def payment_tan(request, pk):
    order = _order(request, pk)
    form = TanForm(request.POST)
    polling = "poll" in request.POST
    if not polling and not form.is_valid():
        return render(request, "web/payments/detail.html",
                      _detail_context(request, order, submission.order_step(order), tan_form=form), status=400)
    try:
        with _flash(request):
            submission.order_give_tan(order, tan="" if polling else form.cleaned_data["tan"], user=request.user)
    except fints.TanWrong as wrong:
        form.add_error("tan", wrong.message)
        return render(request, "web/payments/detail.html",
                      _detail_context(request, order, submission.order_step(order), tan_form=form), status=400)
    order.refresh_from_db()
    if polling and order.state == State.TAN_PENDING:
        return render(request, "web/payments/_tan_poll.html", {"order": order})
    return _htmx_refresh() if request.htmx else redirect("payment_detail", pk)


def _reason(request) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


class _flash:
    """Errors a person can act on become messages on the page (the order's state shows the rest)."""

    def __init__(self, request):
        self.request = request

    def __enter__(self):
        return self

    def __exit__(self, exc_type, error, traceback):
        if exc_type is None or exc_type is fints.TanWrong:
            return False
        known = (services.StateChanged, services.FourEyes, services.NotAllowed, fints.ConnectionBusy,
                 fints.BankError)
        if issubclass(exc_type, known):
            messages.error(self.request, getattr(error, "message", None) or str(error))
            return True
        return False


def _step_name(action: str) -> str:
    """"payment.approved" -> the state's name; "payment.created" -> "Drafted"."""
    step = action.removeprefix("payment.")
    if step == "created":
        return _("Drafted")
    return str(State(step).label) if step in State.values else action


def _htmx_refresh():
    return htmx_go("HX-Refresh", "true")


def _problem_text(problem: Problem) -> str:
    """The rule's problem in the person's language (the pure rules speak English)."""
    text = PROBLEM_TEXTS.get(problem.code)
    if text is None:
        return problem.message
    try:
        return str(text) % problem.params
    except (KeyError, TypeError, ValueError):
        return problem.message


# The rules' messages are English (a pure module); here they are translated by code.
PROBLEM_TEXTS = {
    "iban_missing": gettext_lazy("Enter the IBAN."),
    "iban_invalid": gettext_lazy("%(value)s is not a valid IBAN (check the digits)."),
    "iban_not_sepa": gettext_lazy("%(value)s is from %(country)s, which is not in the SEPA area."),
    "bic_invalid": gettext_lazy("%(value)s is not a valid BIC."),
    "name_missing": gettext_lazy("Enter the name."),
    "name_too_long": gettext_lazy("The name has %(length)s characters; banks take at most %(limit)s."),
    "name_charset": gettext_lazy("The name contains characters banks cannot send: %(characters)s."),
    "remittance_too_long": gettext_lazy("%(length)s characters; banks take at most %(limit)s."),
    "remittance_charset": gettext_lazy("Contains characters banks cannot send: %(characters)s."),
    "amount_range": gettext_lazy("The amount must be between %(low)s and %(high)s."),
    "amount_decimals": gettext_lazy("The amount has more than two decimal places."),
    "date_past": gettext_lazy("The execution date is in the past; choose today or later."),
    "same_account": gettext_lazy("This is the account the money would come from."),
    "currency_not_eur": gettext_lazy("SEPA transfers are in EUR only."),
}
