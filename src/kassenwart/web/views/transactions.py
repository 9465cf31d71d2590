from django.shortcuts import get_object_or_404, render

from kassenwart.banking import selectors
from kassenwart.banking.models import PendingTransaction, Transaction
from kassenwart.web import selectors as web_selectors
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import TransactionFilterForm
from kassenwart.web.pagination import paginate
from kassenwart.web.views._render import render_list


@company_required()
def transaction_list(request):
    form = TransactionFilterForm(request.GET, company=request.company)
    page = paginate(request, selectors.transaction_search(request.company, **form.filters()))
    pending = []
    if page.number == 1:
        pending = selectors.pending_search(request.company, **form.pending_filters())
    context = {"form": form, "page": page, "pending": pending}
    return render_list(request, "web/transactions/list.html", "web/transactions/_results.html", context)


@company_required()
def transaction_detail(request, pk):
    transaction = get_object_or_404(Transaction, pk=pk, company=request.company)
    context = {"tx": transaction, "pending": False}
    if transaction.amount > 0:  # incoming payments are reconciled with invoices
        context["reconciliation"] = web_selectors.payment_row(request.company, transaction)
        context["matches"] = web_selectors.payment_matches(request.company, transaction)
    return render(request, "web/transactions/detail.html", context)


@company_required()
def pending_detail(request, pk):
    transaction = get_object_or_404(PendingTransaction, pk=pk, company=request.company)
    return render(request, "web/transactions/detail.html", {"tx": transaction, "pending": True})
