"""Transfers: any member drafts, another person (approver) releases and sends; the payee
check and the TAN are answered on the order's page (the one bank call a request makes).
Several transfers are bundled on the list into a run (one approval, one TAN); an order from
an account without FinTS becomes a pain file to download and upload at the bank."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.companies.permissions import APPROVE_PAYMENT, DRAFT_TRANSFER, allows
from kassenwart.core.downloads import attachment
from kassenwart.core.messages import render as render_message
from kassenwart.flows.bills import GATHER_DAYS, SKIP_DRAFTED, SKIP_NO_IBAN, SKIP_NOT_EURO, bills_gather_run
from kassenwart.payables import selectors as bill_selectors
from kassenwart.payables.models import Bill
from kassenwart.payments import runs, selectors, services, submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.payments.problems import problem_text
from kassenwart.payments.sepa.rules import Problem
from kassenwart.web.amounts import parse_amount
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import TransferFilterForm
from kassenwart.web.lists import AMOUNT, CHUNK, DATE, NUMBER, Column, csv_response, currency_sums, row_count
from kassenwart.web.pagination import paginate
from kassenwart.web.step_up import second_factor_recent, step_up_redirect, step_up_required
from kassenwart.web.views._bank_steps import PinForm, TanForm, challenge_context, htmx_go

State = PaymentOrder.State
Delivery = PaymentOrder.Delivery
KINDS = {"transfer": gettext_lazy("Transfer"), "run": gettext_lazy("Run of transfers"),
         "debit_run": gettext_lazy("Debit run")}

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
            self.add_error(name if name in self.fields else None, problem_text(problem))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)


class PayeeConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=gettext_lazy("I have checked the payee and want to send the transfer anyway."))


def _order(request, pk) -> PaymentOrder:
    return get_object_or_404(PaymentOrder.objects.select_related("account__connection", "created_by", "approved_by"),
                             pk=pk, company=request.company)


def _found_orders(request):
    form = TransferFilterForm(request.GET)
    return form, selectors.orders(request.company, **form.filters())


@company_required()
def payment_list(request):
    form, orders = _found_orders(request)
    state = form.value("state") or ""
    sums = currency_sums(orders, amount="total", currency="account__currency")
    page = paginate(request, orders, count=row_count(sums))
    role = request.membership.role
    may_approve = allows(role, APPROVE_PAYMENT)
    for order in page.object_list:
        order.kind_code = selectors.kind_label_code(order)
        order.kind_name = KINDS[order.kind_code]
        # A member bundles their own transfers; an approver anyone's.
        order.selectable = (order.kind == PaymentOrder.Kind.TRANSFER and order.state in selectors.OPEN_FOR_RUNS
                            and (may_approve or order.created_by_id == request.user.pk))
    may_draft = allows(role, DRAFT_TRANSFER)
    return render(request, "web/payments/list.html", {
        "page": page, "state": state, "form": form, "sums": sums,
        "can_draft": may_draft, "may_approve": may_approve,
        "bills_form": DueBillsForm(company=request.company) if may_draft else None,
        "due_bills": due_bills_count(request.company) if may_draft else 0,
        "any_selectable": any(order.selectable for order in page.object_list),
    })


@company_required()
def payment_export(request):
    """The filtered transfers, runs and debit runs as CSV, in the list's order."""
    _form, orders = _found_orders(request)
    columns = [
        Column(_("Number"), NUMBER), Column(_("Kind")), Column(_("Payee")), Column(_("Payments"), NUMBER),
        Column(_("From account")), Column(_("Execution date"), DATE), Column(_("Drafted by")),
        Column(_("Amount"), AMOUNT), Column(_("Currency")), Column(_("State")),
    ]
    states = dict(State.choices)
    rows = (
        (order.pk, KINDS[selectors.kind_label_code(order)], order.payee, order.payment_count, order.account.name,
         order.requested_date, order.created_by.get_username() if order.created_by else "", order.total,
         order.account.currency, states.get(order.state, order.state))
        for order in orders.iterator(chunk_size=CHUNK)
    )
    return csv_response("transfers", columns, rows)


@require_POST
@company_required(DRAFT_TRANSFER)
def payment_run_create(request):
    """The list's selection becomes one run: waiting for approval ("Make a run"), or released
    at once by an approver who drafted none of it ("Approve as run"), and then sent (or the
    pain file made) when nothing more is needed from the person: the TAN follows."""
    approve = "approve" in request.POST
    if approve and not allows(request.membership.role, APPROVE_PAYMENT):
        raise PermissionDenied
    if approve and not second_factor_recent(request):
        return step_up_redirect(request)
    chosen = [int(pk) for pk in request.POST.getlist("orders") if pk.isdigit()]
    back = redirect(f"{reverse('payment_list')}?{request.GET.urlencode()}" if request.GET else "payment_list")
    if not chosen:
        messages.error(request, _("Select the transfers for the run first."))
        return back
    with _flash(request):
        try:
            run = runs.run_create(request.company, user=request.user, orders=chosen, approve=approve)
        except services.PaymentInvalid as invalid:
            for problem in invalid.problems:
                messages.error(request, problem_text(problem))
            return back
        count = run.transfers.count()
        if not approve:
            messages.success(request, _("Run #%(order)s of %(count)s transfers made; an approver has been told.")
                             % {"order": run.pk, "count": count})
            return redirect("payment_detail", run.pk)
        messages.success(request, _("Run #%(order)s of %(count)s transfers approved.") % {"order": run.pk,
                                                                                          "count": count})
        _send_if_ready(request, run)
        return redirect("payment_detail", run.pk)
    return back


def _send_if_ready(request, order: PaymentOrder, pin: str = "", keep_pin: bool = False) -> None:
    """Right after the approval: off to the bank (or into a pain file) when no PIN is missing."""
    connection = services.bank_connection(order)
    if order.delivery == Delivery.FINTS and (connection is None or not (pin or fints.pin_available(connection))):
        return  # the page asks for the PIN (or says why it cannot be sent)
    with _flash(request):
        try:
            services.order_queue(order, user=request.user, pin=pin, keep_pin=keep_pin)
        except services.PaymentInvalid as invalid:
            for problem in invalid.problems:
                messages.error(request, problem_text(problem))
        else:
            messages.success(request, _("Sending to the bank…") if order.delivery == Delivery.FINTS
                             else _("The pain file is ready to download."))


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
    transfers = list(order.transfers.select_related("drafted_by"))
    collections = list(order.collections.select_related("mandate", "drafted_by")) if order.is_debit else []
    payments = collections or transfers
    drafted_here = any(p.drafted_by_id == request.user.pk for p in payments)
    as_file = order.delivery == Delivery.FILE
    kind = "debit_run" if order.is_debit else "run" if len(transfers) > 1 else "transfer"
    moved = selectors.moved_into(order) if order.state == State.CANCELLED and not payments else None
    payee = order.payee_check if order.state == State.VOP_PENDING else None
    from_bills = _with_bills(request, order, transfers)
    return {
        "order": order,
        "kind": kind,
        "kind_name": KINDS[kind],
        "transfers": transfers,
        "collections": collections,
        "count": len(payments),
        "total": sum((p.amount for p in payments), Decimal("0.00")),
        "moved_into": moved,
        "as_file": as_file,
        "pain": selectors.latest_pain(order) if as_file and may_approve else None,
        "may_submit": order.state == State.DRAFT and (order.created_by_id == request.user.pk or may_approve),
        "may_approve": order.state == State.PENDING_APPROVAL and may_approve and not drafted_here,
        "drafted_here": drafted_here,
        "own_order": order.created_by_id == request.user.pk,
        "may_cancel": order.state in (State.DRAFT, State.PENDING_APPROVAL, State.APPROVED, State.QUEUED) and (
            may_approve or order.created_by_id == request.user.pk),
        "may_send": order.state == State.APPROVED and may_approve and (connection is not None or as_file),
        "may_confirm_upload": order.state == State.EXPORTED and may_approve,
        "no_connection": connection is None and not as_file,
        "may_answer": may_approve,
        "may_confirm_payee": may_approve and order.created_by_id != request.user.pk,
        "pin_needed": connection is not None and not fints.pin_available(connection),
        "send_form": forms_.get("send_form") or PinForm(),
        "payee_form": forms_.get("payee_form") or PayeeConfirmForm(),
        "tan_form": forms_.get("tan_form") or TanForm(),
        "payee": payee,
        # what the bills say, next to the bank's payee check: the bill of the checked IBAN
        "from_bills": from_bills,
        "payee_bills": [t for t in from_bills if payee and (not payee.get("iban") or t.iban == payee["iban"])]
        or from_bills,
        "payee_text": PAYEE_RESULTS.get((order.payee_check or {}).get("result", ""), ""),
        **challenge_context(challenge),
        "history": [(event, *_step_words(event)) for event in selectors.history(order)],
    }


def _with_bills(request, order: PaymentOrder, transfers: list) -> list:
    """The transfers drafted from a bill, each with `bill` and its flags worded (above all an
    IBAN other than the one the supplier was paid to before), for the approver."""
    bills = bill_selectors.bills_of_order(request.company, order.pk) if transfers else {}
    for transfer in transfers:
        transfer.bill = bills.get(transfer.pk)
        transfer.bill_flags = [render_message({"key": f"payables.flag.{flag['code']}", "params": flag["params"]})
                               for flag in transfer.bill.flags] if transfer.bill else []
    return [transfer for transfer in transfers if transfer.bill]


@require_POST
@company_required(DRAFT_TRANSFER)
def payment_submit(request, pk):
    return _step(request, pk, services.order_submit, _("Submitted. An approver has been told."))


@require_POST
@company_required(APPROVE_PAYMENT)
@step_up_required
def payment_approve(request, pk):
    """Approve; with "send", off to the bank (or into the pain file) in the same click."""
    if "send" not in request.POST:
        return _step(request, pk, services.order_approve, _("Approved. It can be sent to the bank now."))
    order = _order(request, pk)
    form = PinForm(request.POST)
    form.is_valid()
    with _flash(request):
        services.order_approve(order, user=request.user)
        messages.success(request, _("Approved."))
        _send_if_ready(request, order, pin=form.cleaned_data.get("pin", ""),
                       keep_pin=form.cleaned_data.get("keep_pin", False))
    return redirect("payment_detail", pk)


@company_required(APPROVE_PAYMENT)
def payment_pain(request, pk):
    """The pain message of the order's latest attempt, byte for byte: the file to upload in
    the bank's portal (or what went to the bank, for its support)."""
    order = _order(request, pk)
    pain = selectors.latest_pain(order)
    if pain is None:
        raise Http404
    return attachment(pain.data, pain.name, "application/xml")


@require_POST
@company_required(APPROVE_PAYMENT)
def payment_uploaded(request, pk):
    """The person uploaded the pain file at the bank; the statement then books it."""
    return _step(request, pk, services.order_confirm_upload,
                 _("Upload confirmed. The order is booked when the account statement shows it."))


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
@step_up_required
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
                messages.error(request, problem_text(problem))
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
@step_up_required
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


# -- "add due bills": a run of the bills due (flows.bills.bills_gather_run) ----------------------
MAX_DAYS = 90
SKIP_TEXTS = {
    SKIP_NO_IBAN: gettext_lazy("%(bill)s: not in the run, the bill names no IBAN to pay to."),
    SKIP_NOT_EURO: gettext_lazy("%(bill)s: not in the run, it is in %(currency)s and SEPA transfers are in euros."),
    SKIP_DRAFTED: gettext_lazy("%(bill)s: not in the run, transfer #%(order)s was drafted for it already."),
}


class DueBillsForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("Due within (days)"), min_value=0, max_value=MAX_DAYS,
                              initial=GATHER_DAYS, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    account = forms.ModelChoiceField(label=gettext_lazy("From account"), queryset=BankAccount.objects.none(),
                                     empty_label=None)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = BankAccount.objects.filter(company=company, currency="EUR").exclude(iban="")
        self.fields["account"].widget.attrs["id"] = "id_due_account"


def due_bills_count(company) -> int:
    """How many bills to pay fall due within the form's default days (for its heading)."""
    return bill_selectors.bills_due(company, today=timezone.localdate(), days=GATHER_DAYS).filter(
        status=Bill.Status.OPEN).count()


@require_POST
@company_required(DRAFT_TRANSFER)
def payment_run_bills(request):
    form = DueBillsForm(request.POST, company=request.company)
    if not form.is_valid():
        messages.error(request, _("Choose one of your accounts and a number of days from 0 to %(max)s.")
                       % {"max": MAX_DAYS})
        return redirect("payment_list")
    days = form.cleaned_data["days"]
    try:
        gathered = bills_gather_run(request.company, user=request.user, account=form.cleaned_data["account"],
                                    days=days, via="web")
    except services.PaymentInvalid as invalid:
        for problem in invalid.problems:
            messages.error(request, problem_text(problem))
        return redirect("payment_list")
    except (services.NotAllowed, services.StateChanged) as error:
        messages.error(request, str(error))
        return redirect("payment_list")
    for bill, code, params in gathered.skipped:
        named = f"{bill.supplier_name} {bill.invoice_number}".strip()
        messages.warning(request, SKIP_TEXTS[code] % {"bill": named, **params})
    if gathered.order is None:
        messages.info(request, _("No bill to pay falls due within %(days)s days.") % {"days": days})
        return redirect("payment_list")
    count = len(gathered.drafted)
    messages.success(request, ngettext("Run #%(order)s of %(count)s bill made; an approver has been told.",
                                       "Run #%(order)s of %(count)s bills made; an approver has been told.", count)
                     % {"order": gathered.order.pk, "count": count})
    return redirect("payment_detail", gathered.order.pk)


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


def _step_words(event) -> tuple[str, str]:
    """A history line's step and note, in the reader's language where Kassenwart wrote them."""
    after = event.after if isinstance(event.after, dict) else {}
    if after.get("run_of"):
        return _("Run made of %(orders)s") % {"orders": ", ".join(f"#{pk}" for pk in after["run_of"])}, ""
    if after.get("moved_into"):
        return _step_name(event.action), _("moved into run #%(number)s") % {"number": after["moved_into"]}
    return _step_name(event.action), after.get("note", "")


def _step_name(action: str) -> str:
    """"payment.approved" -> the state's name; "payment.created" -> "Drafted"."""
    step = action.removeprefix("payment.")
    if step == "created":
        return _("Drafted")
    return str(State(step).label) if step in State.values else action


def _htmx_refresh():
    return htmx_go("HX-Refresh", "true")
