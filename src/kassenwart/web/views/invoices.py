from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.companies.permissions import DRAFT_DEBIT, IMPORT_INVOICES, allows
from kassenwart.payments.collection_selectors import active_mandates
from kassenwart.receivables import selectors
from kassenwart.receivables.invoice_csv import InvoiceFileError
from kassenwart.receivables.models import Invoice
from kassenwart.receivables.services import invoice_import
from kassenwart.reconciliation.selectors import invoice_payments
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import InvoiceFilterForm, InvoiceUploadForm
from kassenwart.web.invoice_problems import problem_text
from kassenwart.web.lists import AMOUNT, CHUNK, DATE, Column, csv_response, currency_sums, row_count
from kassenwart.web.pagination import paginate
from kassenwart.web.views._render import render_list


def _found(request):
    form = InvoiceFilterForm(request.GET)
    today = timezone.localdate()
    return form, today, selectors.invoice_search(request.company, **form.filters(today))


@company_required()
def invoice_list(request):
    form, today, found = _found(request)
    sums = currency_sums(found, open_amount="open_amount")
    page = paginate(request, found, count=row_count(sums))
    for invoice in page.object_list:
        invoice.overdue = invoice.is_overdue(today)
    context = {"form": form, "page": page, "sums": sums}
    return render_list(request, "web/invoices/list.html", "web/invoices/_results.html", context)


@company_required()
def invoice_export(request):
    """The filtered list (every page, in its order) as a CSV download."""
    _form, _today, found = _found(request)
    columns = [
        Column(_("Invoice")), Column(_("Customer number")), Column(_("Customer")), Column(_("Issued"), DATE),
        Column(_("Due"), DATE), Column(_("Amount"), AMOUNT), Column(_("Open"), AMOUNT), Column(_("Currency")),
        Column(_("Payment reference")), Column(_("Status")),
    ]
    statuses = dict(Invoice.Status.choices)
    rows = (
        (*row[:-1], statuses.get(row[-1], row[-1]))
        for row in found.values_list(
            "number", "customer__number", "customer__name", "issue_date", "due_date", "amount", "open_amount",
            "currency", "payment_reference", "status",
        ).iterator(chunk_size=CHUNK)
    )
    return csv_response("invoices", columns, rows)


@company_required(IMPORT_INVOICES)
def invoice_upload(request):
    """The CRM/ERP export, through the same import as `kassenwart import-invoices`: all or
    nothing; a file with problems shows every one by line and column."""
    form = InvoiceUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = invoice_import(request.company, upload.read(), file_name=upload.name, user=request.user,
                                    via="upload")
        except InvoiceFileError as invalid:
            problems = [(error, problem_text(error)) for error in invalid.errors]
        else:
            messages.success(request, _(
                "%(file)s: %(created)d invoices created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(customers)d new customers") % {
                "file": upload.name, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged, "customers": result.customers_created})
            return redirect("invoice_list")
    status = 400 if form.is_bound else 200
    return render(request, "web/invoices/upload.html", {
        "form": form, "problems": problems, "file_name": getattr(request.FILES.get("file"), "name", ""),
    }, status=status)


@company_required()
def invoice_detail(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk, company=request.company)
    payments = invoice_payments(request.company, invoice)
    may_collect = (invoice.open_amount > 0 and allows(request.membership.role, DRAFT_DEBIT)
                   and active_mandates(request.company, invoice.customer_id).exists())
    return render(request, "web/invoices/detail.html", {"invoice": invoice, "payments": payments,
                                                        "may_collect": may_collect,
                                                        "overdue": invoice.is_overdue(timezone.localdate())})
