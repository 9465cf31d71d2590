"""Customers (the debtors of direct debits): the list, and a customer's page with their
mandates, collection plans and open invoices."""

from django.shortcuts import get_object_or_404, render

from kassenwart.companies.permissions import MANAGE_MANDATES, allows
from kassenwart.payments import mandate_selectors as selectors
from kassenwart.receivables.models import Customer
from kassenwart.web.decorators import company_required
from kassenwart.web.mandate_forms import CustomerFilterForm
from kassenwart.web.pagination import paginate
from kassenwart.web.views._render import render_list

SHOWN = 50  # open invoices on the customer's page; the invoice list has them all


@company_required()
def customer_list(request):
    form = CustomerFilterForm(request.GET)
    page = paginate(request, selectors.customer_search(request.company, **form.filters()))
    return render_list(request, "web/customers/list.html", "web/customers/_results.html",
                       {"form": form, "page": page})


@company_required()
def customer_detail(request, pk):
    customer = get_object_or_404(Customer, pk=pk, company=request.company)
    return render(request, "web/customers/detail.html", {
        "customer": customer,
        "mandates": selectors.customer_mandates(request.company, customer),
        "plans": selectors.customer_plans(request.company, customer),
        "invoices": list(selectors.customer_open_invoices(request.company, customer)[:SHOWN + 1]),
        "shown": SHOWN,
        "may_manage": allows(request.membership.role, MANAGE_MANDATES),
    })
