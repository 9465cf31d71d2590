"""Bills to pay: uploading received e-invoices and GiroCodes (several at once), the list of
what is to pay (due soon, Skonto deadlines), a bill's page with the readable e-invoice and its
flags, and the button that drafts the transfer (flows.bills). Views only translate."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.banking.models import BankAccount
from kassenwart.companies.permissions import DRAFT_TRANSFER, allows
from kassenwart.core.downloads import attachment
from kassenwart.core.messages import render as worded
from kassenwart.flows.bills import bill_draft_transfer, bills_import, transfer_plan
from kassenwart.payables import selectors
from kassenwart.payables.models import Bill
from kassenwart.payables.services import BillError
from kassenwart.payments.problems import problem_text
from kassenwart.payments.state import FourEyes, NotAllowed, PaymentInvalid
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import _MultipleFileField, _SearchForm
from kassenwart.web.pagination import paginate
from kassenwart.web.views._render import render_list

DUE_SOON_DAYS = 7


class BillUploadForm(forms.Form):
    files = _MultipleFileField(allow_empty_file=True, label=gettext_lazy("Bills"),
                               help_text=gettext_lazy("XRechnung (UBL or CII), ZUGFeRD / Factur-X PDF, or a GiroCode "
                                                      "as a picture or on a PDF page; several files at once are fine."))


class DraftForm(forms.Form):
    account = forms.ModelChoiceField(label=gettext_lazy("From account"), queryset=BankAccount.objects.none(),
                                     empty_label=None)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = BankAccount.objects.filter(company=company, currency="EUR").exclude(iban="")


ALL = "all"


class BillFilterForm(_SearchForm):
    """The bills list: the supplier's name (the search box), the status (to pay when not
    chosen, or all), the kind, and how soon it is due."""

    field_order = ["q", "status", "kind", "due"]
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        ("", Bill.Status.OPEN.label), (ALL, gettext_lazy("All")),
        *[choice for choice in Bill.Status.choices if choice[0] != Bill.Status.OPEN]])
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All kinds")), *Bill.Kind.choices])
    due = forms.TypedChoiceField(label=gettext_lazy("Due within"), required=False, coerce=int, empty_value=None,
                                 choices=[("", pgettext_lazy("due within", "any time")),
                                          (7, pgettext_lazy("due within", "7 days")),
                                          (14, pgettext_lazy("due within", "14 days")),
                                          (30, pgettext_lazy("due within", "30 days"))])

    def filters(self, today) -> dict:
        status = self.value("status")
        days = self.value("due")
        return {"status": None if status == ALL else status or Bill.Status.OPEN, "supplier": self.value("q") or "",
                "kind": self.value("kind"), "due_by": today + timedelta(days=days) if days else None}


def _list(request, upload_form, status=200):
    today = timezone.localdate()
    form = BillFilterForm(request.GET)
    context = {
        "form": form,
        "upload_form": upload_form,
        "page": paginate(request, selectors.bills_of(request.company, **form.filters(today))),
        "today": today,
        "soon": today + timedelta(days=DUE_SOON_DAYS),
        "may_upload": allows(request.membership.role, DRAFT_TRANSFER),
    }
    if status != 200:
        return render(request, "web/bills/list.html", context, status=status)
    return render_list(request, "web/bills/list.html", "web/bills/_results.html", context)


@company_required()
def bill_list(request):
    return _list(request, BillUploadForm())


@require_POST
@company_required(DRAFT_TRANSFER)
def bill_upload(request):
    form = BillUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list(request, form, status=400)
    uploads = form.cleaned_data["files"]
    results = bills_import(request.company, [(upload.name, upload.read()) for upload in uploads], user=request.user,
                           via="upload")
    for upload, result in zip(uploads, results, strict=True):
        said = "; ".join(worded(stored) for stored in result.messages)
        if result.status == "imported":
            text = _("%(file)s: imported as bill of %(supplier)s") % {"file": upload.name,
                                                                      "supplier": result.bill.supplier_name}
            (messages.warning if result.bill.flags else messages.success)(request, f"{text}. {said}".strip(" ."))
        elif result.status == "duplicate":
            messages.warning(request, f"{upload.name}: {said}")
        else:
            messages.error(request, f"{upload.name}: {said}")
    return redirect("bill_list")


def _bill(request, pk) -> Bill:
    return get_object_or_404(Bill, pk=pk, company=request.company)


@company_required()
def bill_detail(request, pk):
    bill = _bill(request, pk)
    today = timezone.localdate()
    may_draft = (bill.kind == Bill.Kind.INVOICE and bool(bill.iban) and allows(request.membership.role, DRAFT_TRANSFER)
                 and bill.status == Bill.Status.OPEN)
    plan = transfer_plan(bill, today, selectors.credits_for(bill)) if may_draft else None
    return render(request, "web/bills/detail.html", {
        "bill": bill, "details": bill.details, "flags": [worded({"key": f"payables.flag.{flag['code']}",
                                                                 "params": flag["params"]}) for flag in bill.flags],
        "plan": plan, "form": DraftForm(company=request.company) if may_draft else None,
        "credits_used": bill.credits_used.filter(status=Bill.Status.OFFSET), "today": today,
    })


@require_POST
@company_required(DRAFT_TRANSFER)
def bill_draft(request, pk):
    bill = _bill(request, pk)
    form = DraftForm(request.POST, company=request.company)
    if not form.is_valid():
        messages.error(request, _("Choose one of your accounts."))
        return redirect("bill_detail", pk=bill.pk)
    try:
        order = bill_draft_transfer(bill, user=request.user, account=form.cleaned_data["account"], via="web")
    except PaymentInvalid as invalid:
        for problem in invalid.problems:
            messages.error(request, problem_text(problem))
    except (BillError, NotAllowed, FourEyes) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Transfer drafted. Submit it for approval when it is complete."))
        return redirect("payment_detail", pk=order.pk)
    return redirect("bill_detail", pk=bill.pk)


@company_required()
def bill_file(request, pk):
    """The original file, byte for byte as it came."""
    bill = _bill(request, pk)
    return attachment(bytes(bill.file.content), bill.file.file_name, "application/octet-stream",
                      fallback=f"bill-{bill.pk}")
