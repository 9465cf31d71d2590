from django.shortcuts import get_object_or_404, render

from kassenwart.companies.permissions import DRAFT_DEBIT, allows
from kassenwart.payments.collection_selectors import active_mandates
from kassenwart.receivables import selectors
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.selectors import invoice_payments
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import InvoiceFilterForm
from kassenwart.web.pagination import paginate
from kassenwart.web.views._render import render_list


@company_required()
def invoice_list(request):
    form = InvoiceFilterForm(request.GET)
    page = paginate(request, selectors.invoice_search(request.company, **form.filters()))
    context = {"form": form, "page": page}
    return render_list(request, "web/invoices/list.html", "web/invoices/_results.html", context)


@company_required()
def invoice_detail(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk, company=request.company)
    payments = invoice_payments(request.company, invoice)
    may_collect = (invoice.open_amount > 0 and allows(request.membership.role, DRAFT_DEBIT)
                   and active_mandates(request.company, invoice.customer_id).exists())
    return render(request, "web/invoices/detail.html", {"invoice": invoice, "payments": payments,
                                                        "may_collect": may_collect})
