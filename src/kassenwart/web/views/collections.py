"""Direct debits the company collects: what is due, what waits for a person (held, with the
reason), the next debit runs and the history; a debit for an open invoice; collection plans
for licence fees. The rules are in payments/collections.py; these pages only ask and show."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.companies.permissions import DRAFT_DEBIT, allows
from kassenwart.core.models import AuditEvent
from kassenwart.payments import collection_selectors, collections, services
from kassenwart.payments.debits import return_reason_text
from kassenwart.payments.models import Collection, CollectionPlan, Mandate
from kassenwart.payments.sepa.rules import Problem
from kassenwart.receivables.models import Invoice
from kassenwart.web.amounts import parse_amount
from kassenwart.web.decorators import company_required
from kassenwart.web.pagination import paginate

Hold = collections.Hold

# Why a collection waits for a person (the hold reason codes of payments/collections.py).
HOLD_TEXTS = {
    Hold.NO_EMAIL: gettext_lazy(
        "The customer has no e-mail address, so the debtor was not told of the collection. Confirm they were "
        "told otherwise, or add the address to the customer and move the date."),
    Hold.PRENOTIFICATION_LATE: gettext_lazy(
        "The debtor could not be told of the collection early enough (pre-notification). Move the date, or "
        "confirm they were told otherwise."),
    Hold.LEAD_TIME_MISSED: gettext_lazy("The bank can no longer collect on this date. Choose a later date."),
    Hold.MANDATE_INACTIVE: gettext_lazy("The mandate is no longer active (revoked, expired or blocked)."),
    Hold.INVOICE_PAID: gettext_lazy("The invoice has been paid meanwhile, in full or in part: cancel the collection."),
    Hold.CREDITOR_ID: gettext_lazy(
        "The account collects under another creditor identifier than the one the mandate was given to, or "
        "under none."),
    Hold.ORDER_REJECTED: gettext_lazy(
        "The bank rejected its debit run. Check on the statement that nothing was collected, then release it "
        "for a new run, or cancel it."),
    Hold.ORDER_CANCELLED: gettext_lazy("Its debit run was cancelled. Release it for a new run, or cancel it."),
    Hold.RUN_REFUSED: gettext_lazy(
        "Its debit run could not be written: the mandate's data breaks a SEPA rule. Correct the mandate, then "
        "release it."),
}
# The R-transaction codes a returned debit carries (EPC / ISO 20022 ExternalReturnReason).
EVENT_TEXTS = {
    "collection.created": gettext_lazy("Drafted"),
    "collection.prenotified": gettext_lazy("Debtor told by e-mail"),
    "collection.held": gettext_lazy("Held back"),
    "collection.released": gettext_lazy("Released"),
    "collection.cancelled": gettext_lazy("Cancelled"),
}
PLAN_BLOCKED_TEXTS = {
    "invoice_number_taken": gettext_lazy(
        "Not written: invoice number %(number)s exists already. Change the plan's invoice number prefix."),
}
_FIELD_OF = {"amount": "amount", "due_date": "due_date", "mandate": "mandate", "account": "account",
             "told_otherwise": "told_otherwise", "interval": "interval", "day": "day", "starts_on": "starts_on",
             "ends_on": "ends_on", "remittance": "remittance", "invoice_prefix": "invoice_prefix"}


def _amount_text(amount) -> str:
    """An amount as the reader writes it (1.234,50 or 1,234.50), for a form field."""
    return formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _ProblemForm(forms.Form):
    def show(self, problems: list[Problem]) -> None:
        for problem in problems:
            name = _FIELD_OF.get(problem.field)
            self.add_error(name if name in self.fields else None, problem.message)

    def clean_amount(self):
        amount = parse_amount(self.cleaned_data["amount"])
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("Enter an amount above zero, e.g. 1.234,56."))
        return amount


class _MandateChoice(forms.ModelChoiceField):
    def label_from_instance(self, mandate: Mandate) -> str:
        return f"{mandate.customer.name} · {mandate.reference} · {mandate.scheme}"


class _InvoiceMandateChoice(forms.ModelChoiceField):
    def label_from_instance(self, mandate: Mandate) -> str:
        return f"{mandate.reference} · {mandate.scheme} · {mandate.iban}"


class _AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, account) -> str:
        return f"{account.name} · {account.iban}"


class CollectionForm(_ProblemForm):
    mandate = _InvoiceMandateChoice(label=gettext_lazy("Mandate"), queryset=Mandate.objects.none(), empty_label=None)
    account = _AccountChoice(label=gettext_lazy("Collect to account"), queryset=None, empty_label=None)
    amount = forms.CharField(label=gettext_lazy("Amount (EUR)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    due_date = forms.DateField(label=gettext_lazy("Collection date"), widget=_date_widget())

    def __init__(self, *args, company, invoice: Invoice, today, **kwargs):
        super().__init__(*args, **kwargs)
        mandates = collection_selectors.active_mandates(company, invoice.customer_id).select_related("customer")
        self.fields["mandate"].queryset = mandates
        self.fields["account"].queryset = collection_selectors.collecting_accounts(company)
        self.fields["amount"].initial = _amount_text(invoice.open_amount)
        first, account = mandates.first(), self.fields["account"].queryset.first()
        if first is not None and account is not None:
            self.fields["due_date"].initial = collections.earliest_due_date(first, account, today)


class ReleaseForm(_ProblemForm):
    due_date = forms.DateField(label=gettext_lazy("New collection date"), required=False, widget=_date_widget(),
                               help_text=gettext_lazy("Leave empty to keep the date."))
    told_otherwise = forms.BooleanField(label=gettext_lazy(
        "The debtor was told of this collection in another way (e.g. on the invoice)."), required=False)


class PlanForm(_ProblemForm):
    mandate = _MandateChoice(label=gettext_lazy("Mandate"), queryset=Mandate.objects.none(), empty_label=None)
    account = _AccountChoice(label=gettext_lazy("Collect to account"), queryset=None, empty_label=None)
    amount = forms.CharField(label=gettext_lazy("Amount per collection (EUR)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    interval = forms.ChoiceField(label=gettext_lazy("Interval"), choices=CollectionPlan.Interval.choices)
    day = forms.IntegerField(label=gettext_lazy("Day of the month"), min_value=1, max_value=31, help_text=gettext_lazy(
        "In shorter months the last day; on a weekend or holiday the next business day."))
    starts_on = forms.DateField(label=gettext_lazy("First collection on or after"), widget=_date_widget())
    ends_on = forms.DateField(label=gettext_lazy("Last collection on or before"), required=False,
                              widget=_date_widget(), help_text=gettext_lazy("Leave empty for no end."))
    remittance = forms.CharField(label=gettext_lazy("Remittance information"), max_length=100, help_text=gettext_lazy(
        "What the debtor sees on the statement; the invoice number is added."))
    invoice_prefix = forms.CharField(label=gettext_lazy("Invoice number prefix"), max_length=40, help_text=gettext_lazy(
        "Each collection gets an invoice numbered with this prefix and its date, e.g. LIC-2026-08-03."))

    EDITABLE = ("amount", "day", "ends_on", "remittance", "invoice_prefix")

    def __init__(self, *args, company, plan: CollectionPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mandate"].queryset = Mandate.objects.filter(
            company=company, state=Mandate.State.ACTIVE, kind=Mandate.Kind.RECURRING).select_related("customer")
        self.fields["account"].queryset = collection_selectors.collecting_accounts(company)
        self.fields["starts_on"].initial = timezone.localdate()
        if plan is not None:  # editing: only the terms that may change
            for name in list(self.fields):
                if name not in self.EDITABLE:
                    del self.fields[name]
            self.initial.update({"amount": _amount_text(plan.amount), "day": plan.day,
                                 "ends_on": plan.ends_on, "remittance": plan.remittance,
                                 "invoice_prefix": plan.invoice_prefix})


# -- collections ----------------------------------------------------------------------------------
@company_required()
def collection_list(request):
    company = request.company
    today = timezone.localdate()
    page = paginate(request, collection_selectors.history(company))
    return render(request, "web/collections/list.html", {
        "held": _worded(collection_selectors.held(company)),
        "due": _worded(collection_selectors.due_soon(company, today=today)),
        "next_runs": collection_selectors.next_runs(company, today=today),
        "runs": collection_selectors.debit_runs(company),
        "page": page,
        "history": _worded(page.object_list),
        "plan_count": CollectionPlan.objects.filter(company=company, active=True).count(),
    })


def _worded(rows) -> list[Collection]:
    """The rows with their hold and return reasons in the reader's words."""
    rows = list(rows)
    for row in rows:
        row.hold_text = HOLD_TEXTS.get(row.hold_reason, row.hold_reason) if row.state == Collection.State.HELD else ""
        row.return_text = return_reason_text(row.return_reason) if row.return_reason else ""
    return rows


def _collection(request, pk) -> Collection:
    return get_object_or_404(Collection.objects.select_related("mandate__customer", "account", "invoice", "plan",
                                                               "order", "company"), pk=pk, company=request.company)


@company_required()
def collection_detail(request, pk, release_form=None):
    collection = _collection(request, pk)
    events = AuditEvent.objects.filter(company=request.company, object_type="payments.collection",
                                       object_id=str(collection.pk)).order_by("created_at", "pk")
    may_draft = allows(request.membership.role, DRAFT_DEBIT)
    _worded([collection])
    return render(request, "web/collections/detail.html", {
        "collection": collection,
        "may_release": may_draft and collection.state == Collection.State.HELD,
        "may_cancel": may_draft and collection.state in (Collection.State.PLANNED, Collection.State.HELD),
        "release_form": release_form or ReleaseForm(),
        "earliest": collections.earliest_due_date(collection.mandate, collection.account, timezone.localdate()),
        "events": [(event, EVENT_TEXTS.get(event.action, event.action)) for event in events],
    }, status=400 if release_form is not None else 200)


@require_POST
@company_required(DRAFT_DEBIT)
def collection_release(request, pk):
    collection = _collection(request, pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            collections.collection_release(collection, user=request.user, due_date=form.cleaned_data["due_date"],
                                           told_otherwise=form.cleaned_data["told_otherwise"])
        except services.PaymentInvalid as invalid:
            form.show(invalid.problems)
        except services.StateChanged as changed:
            messages.error(request, str(changed))
            return redirect("collection_detail", pk)
        else:
            messages.success(request, _("Released. The next debit run takes it."))
            return redirect("collection_detail", pk)
    return collection_detail(request, pk, release_form=form)


@require_POST
@company_required(DRAFT_DEBIT)
def collection_cancel(request, pk):
    collection = _collection(request, pk)
    try:
        collections.collection_cancel(collection, user=request.user, note=request.POST.get("reason", "")[:300])
    except services.StateChanged as changed:
        messages.error(request, str(changed))
    else:
        messages.success(request, _("Cancelled. It will not be collected."))
    return redirect("collection_detail", pk)


@company_required(DRAFT_DEBIT)
def collection_for_invoice(request, pk):
    """"Collect by direct debit" on an open invoice: under an active mandate of its customer."""
    invoice = get_object_or_404(Invoice.objects.select_related("customer"), pk=pk, company=request.company)
    today = timezone.localdate()
    form = CollectionForm(request.POST or None, company=request.company, invoice=invoice, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            collection = collections.collection_create(
                request.company, invoice=invoice, mandate=data["mandate"], account=data["account"],
                due_date=data["due_date"], amount=data["amount"], user=request.user)
        except services.PaymentInvalid as invalid:
            form.show(invalid.problems)
        else:
            if collection.state == Collection.State.HELD:
                messages.warning(request, _("Saved, but held back: see why below."))
            elif collection.pre_notified_at is None:
                messages.warning(request, _("Saved. The e-mail to the debtor could not be sent yet; Kassenwart "
                                            "tries again in a minute."))
            else:
                messages.success(request, _("Saved. The debtor has been told by e-mail; the debit run follows."))
            return redirect("collection_detail", collection.pk)
    return render(request, "web/collections/new.html", {
        "invoice": invoice, "form": form, "has_mandate": form.fields["mandate"].queryset.exists(),
    }, status=400 if form.errors else 200)


# -- plans ------------------------------------------------------------------------------------------
def _plan(request, pk) -> CollectionPlan:
    return get_object_or_404(CollectionPlan.objects.select_related("mandate__customer", "account", "company"),
                             pk=pk, company=request.company)


@company_required()
def plan_list(request):
    plans = (CollectionPlan.objects.filter(company=request.company).select_related("mandate__customer", "account")
             .order_by("-active", "mandate__customer__name", "pk"))
    return render(request, "web/collections/plans.html", {
        "page": paginate(request, plans), "may_draft": allows(request.membership.role, DRAFT_DEBIT),
    })


@company_required(DRAFT_DEBIT)
def plan_new(request):
    form = PlanForm(request.POST or None, company=request.company)
    if request.method == "GET" and request.GET.get("mandate"):
        form.initial["mandate"] = request.GET["mandate"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = collections.plan_create(
                request.company, mandate=data["mandate"], account=data["account"], amount=data["amount"],
                interval=data["interval"], day=data["day"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                remittance=data["remittance"], invoice_prefix=data["invoice_prefix"], user=request.user)
        except services.PaymentInvalid as invalid:
            form.show(invalid.problems)
        else:
            messages.success(request, _("Plan saved. Its collections are written in time for the pre-notification."))
            return redirect("plan_detail", plan.pk)
    return render(request, "web/collections/plan_form.html", {"form": form, "plan": None},
                  status=400 if form.errors else 200)


@company_required()
def plan_detail(request, pk):
    plan = _plan(request, pk)
    schedule = collections.plan_schedule(plan)
    for row in schedule:
        text = PLAN_BLOCKED_TEXTS.get(row.blocked)
        row.blocked_text = str(text) % {"number": row.invoice_number} if text else ""
    _worded(row.collection for row in schedule if row.collection is not None)
    return render(request, "web/collections/plan_detail.html", {
        "plan": plan, "schedule": schedule,
        "may_draft": allows(request.membership.role, DRAFT_DEBIT),
    })


@company_required(DRAFT_DEBIT)
def plan_edit(request, pk):
    plan = _plan(request, pk)
    if not plan.active:
        messages.error(request, _("This plan has been stopped."))
        return redirect("plan_detail", pk)
    form = PlanForm(request.POST or None, company=request.company, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            collections.plan_update(plan, user=request.user, amount=data["amount"], day=data["day"],
                                    ends_on=data["ends_on"], remittance=data["remittance"],
                                    invoice_prefix=data["invoice_prefix"])
        except services.PaymentInvalid as invalid:
            form.show(invalid.problems)
        except services.StateChanged as changed:
            messages.error(request, str(changed))
            return redirect("plan_detail", pk)
        else:
            messages.success(request, _("Saved. The new terms apply to collections not yet written."))
            return redirect("plan_detail", pk)
    return render(request, "web/collections/plan_form.html", {"form": form, "plan": plan},
                  status=400 if form.errors else 200)


@require_POST
@company_required(DRAFT_DEBIT)
def plan_stop(request, pk):
    plan = _plan(request, pk)
    try:
        collections.plan_stop(plan, user=request.user)
    except services.StateChanged as changed:
        messages.error(request, str(changed))
    else:
        messages.success(request, _("Stopped. Collections already written stay; cancel them one by one if needed."))
    return redirect("plan_detail", pk)
