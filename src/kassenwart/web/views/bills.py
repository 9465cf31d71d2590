"""Bills to pay: uploading received e-invoices and GiroCodes (several at once), the list of
what is to pay (due soon, Skonto deadlines), a bill's page with the readable e-invoice and its
flags, and the button that drafts the transfer (flows.bills). Views only translate."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.banking.models import BankAccount
from kassenwart.companies.permissions import DRAFT_TRANSFER, allows
from kassenwart.core.messages import render as worded
from kassenwart.flows.bills import bill_draft_transfer, bill_import, transfer_plan
from kassenwart.payables import selectors
from kassenwart.payables.models import Bill
from kassenwart.payables.services import BillError
from kassenwart.payments.state import FourEyes, NotAllowed, PaymentInvalid
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import _MultipleFileField
from kassenwart.web.views.payments import _problem_text

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


def _list(request, form, status=200):
    today = timezone.localdate()
    context = {
        "form": form,
        "to_pay": selectors.bills_to_pay(request.company),
        "credits": selectors.open_credit_notes(request.company),
        "recent": selectors.bills_drafted(request.company)[:20],
        "today": today,
        "soon": today + timedelta(days=DUE_SOON_DAYS),
        "may_upload": allows(request.membership.role, DRAFT_TRANSFER),
    }
    return render(request, "web/bills/list.html", context, status=status)


@company_required()
def bill_list(request):
    return _list(request, BillUploadForm())


@require_POST
@company_required(DRAFT_TRANSFER)
def bill_upload(request):
    form = BillUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list(request, form, status=400)
    for upload in form.cleaned_data["files"]:
        result = bill_import(request.company, upload.read(), file_name=upload.name, user=request.user, via="upload")
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
            messages.error(request, _problem_text(problem))
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
    stored = bill.file
    response = HttpResponse(bytes(stored.content), content_type="application/octet-stream")
    name = stored.file_name.replace("\\", "/").rsplit("/", 1)[-1].replace('"', "") or f"bill-{bill.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
