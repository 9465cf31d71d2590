"""Open payments: the list with suggestions, the map page, and what people decide."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kassenwart.banking.models import Transaction
from kassenwart.companies.permissions import MAP_TRANSACTION
from kassenwart.reconciliation.convert import engine_config
from kassenwart.reconciliation.services import (
    OtherCustomer,
    ReconciliationError,
    match_create,
    suggestion_accept,
    suggestion_reject,
    transaction_ignore,
    transaction_unignore,
)
from kassenwart.web import mapping, selectors
from kassenwart.web.amounts import amount_range
from kassenwart.web.decorators import company_required
from kassenwart.web.lists import AMOUNT, CHUNK, DATE, Column, csv_response, currency_sums, row_count
from kassenwart.web.pagination import paginate
from kassenwart.web.reconciliation_forms import IgnoreForm, OpenFilterForm, SuggestionForm
from kassenwart.web.suggestions import rank_of
from kassenwart.web.views._redirect import redirect_back
from kassenwart.web.views._render import render_list

MAP_PAGE = "web/reconciliation/map.html"
# what the map page's live parts (htmx) ask for, by the id of the element they replace
MAP_PARTS = {
    "invoice-results": "web/reconciliation/_invoice_results.html",
    "mapping": "web/reconciliation/_mapping.html",
    "difference": "web/reconciliation/_difference_figures.html",
}


def _map_template(request) -> str:
    """The part of the map page htmx asked for (HX-Target is "tag#id"), else the page."""
    target = (request.htmx.target or "").rpartition("#")[2] if request.htmx else ""
    return MAP_PARTS.get(target, MAP_PAGE)


def _open_found(request):
    form = OpenFilterForm(request.GET, company=request.company)
    filters = form.filters()
    return form, filters, selectors.payment_search(request.company, **filters)


@company_required()
def open_list(request):
    form, filters, found = _open_found(request)
    sums = currency_sums(found, amount="transaction__amount", currency="transaction__currency")
    page = paginate(request, found, count=row_count(sums))
    context = {
        "form": form,
        "page": page,
        "sums": sums,
        "payments": selectors.payment_rows(request.company, page.object_list),
        "ignored": filters["status"] == selectors.IGNORED,
    }
    return render_list(request, "web/reconciliation/open.html", "web/reconciliation/_open_results.html", context)


@company_required()
def open_export(request):
    """The filtered open (or ignored) payments as CSV, in the list's order."""
    _form, _filters, found = _open_found(request)
    columns = [
        Column(_("Booking date"), DATE), Column(_("Account")), Column(_("Name")), Column(_("IBAN")),
        Column(_("Remittance information")), Column(_("Amount"), AMOUNT), Column(_("Currency")),
    ]
    rows = found.values_list(
        "transaction__booking_date", "transaction__account__name", "transaction__counterparty_name",
        "transaction__counterparty_iban", "transaction__remittance", "transaction__amount", "transaction__currency",
    ).iterator(chunk_size=CHUNK)
    return csv_response("open-payments", columns, rows)


def _payment(request, pk) -> Transaction:
    """One incoming payment of the company, or 404."""
    incoming = Transaction.objects.select_related("account").filter(amount__gt=0)
    return get_object_or_404(incoming, pk=pk, company=request.company)


def _map_context(request, payment, *, rows=(), q="", ignore_form=None, errors=(), other_customer=False) -> dict:
    company = request.company
    text = q.strip()
    config = engine_config(selectors.matching_config(company))
    return {
        "payment": payment,
        "tx": payment.tx,
        "matches": selectors.payment_matches(company, payment.tx),
        "rows": rows,
        "assigned": mapping.assigned(rows),
        "notes": mapping.notes(payment.left, rows, config, payment.tx.currency),
        "chosen": {row.invoice.pk for row in rows},
        "q": q,
        "invoices": selectors.open_invoice_search(company, text=text, amount=amount_range(text)) if text else [],
        "ignore_form": ignore_form or IgnoreForm(),
        "errors": errors,
        "other_customer": other_customer,  # the map needs the person's confirmation
    }


@company_required()
def map_page(request, pk):
    payment = selectors.payment_row(request.company, _payment(request, pk))
    return render(request, MAP_PAGE, _map_context(request, payment))


def _posted_rows(request, payment) -> list[mapping.Row]:
    data = request.POST
    invoices = selectors.invoices_by_id(request.company, [*data.getlist("invoice"), data.get("add", "")])
    return mapping.rows_from_post(data, invoices, payment.suggestions, payment.left)


@require_POST
@company_required(MAP_TRANSACTION)
def map_rows(request, pk):
    """The map form changed (search, add, remove, an amount): the page or, for htmx, the
    part that asked."""
    payment = selectors.payment_row(request.company, _payment(request, pk))
    context = _map_context(request, payment, rows=_posted_rows(request, payment), q=request.POST.get("q", ""))
    return render(request, _map_template(request), context)


@require_POST
@company_required(MAP_TRANSACTION)
def map_save(request, pk):
    payment = selectors.payment_row(request.company, _payment(request, pk))
    rows = _posted_rows(request, payment)
    errors = mapping.problems(rows)
    other_customer = False
    if not errors:
        try:
            match_create(request.company, payment.tx, mapping.allocations(rows), user=request.user,
                         confirm_other_customer=_confirmed(request))
        except OtherCustomer as error:
            errors, other_customer = [str(error)], True
        except ReconciliationError as error:
            errors = [str(error)]
        else:
            messages.success(request, _("Payment from %(payer)s mapped to %(invoices)s.") % {
                "payer": payment.tx.counterparty_name or payment.tx.counterparty_iban,
                "invoices": ", ".join(row.invoice.number for row in rows),
            })
            return redirect("reconciliation_open")
    context = _map_context(request, payment, rows=rows, q=request.POST.get("q", ""), errors=errors,
                           other_customer=other_customer)
    return render(request, MAP_PAGE, context, status=400)


def _confirmed(request) -> bool:
    """Did the person tick that the payment pays another customer's invoices?"""
    return request.POST.get("confirm_other_customer") == "1"


def _decide(request, tx, service, success: str, **options):
    """Accept or reject the suggestion the form names, wherever it ranks now."""
    form = SuggestionForm(request.POST)
    state = selectors.payment_state(request.company, tx)
    rank = rank_of(state.suggestions, form.cleaned_data["invoices"]) if form.is_valid() and state else None
    if rank is None:
        messages.error(request, _("That suggestion is no longer there."))
        return redirect_back(request, "reconciliation_open")
    try:
        service(request.company, tx, rank, user=request.user, **options)
    except ReconciliationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect_back(request, "reconciliation_open")


@require_POST
@company_required(MAP_TRANSACTION)
def accept(request, pk):
    tx = _payment(request, pk)
    payer = tx.counterparty_name or tx.counterparty_iban
    success = _("Suggestion accepted: the payment from %(payer)s is reconciled.") % {"payer": payer}
    return _decide(request, tx, suggestion_accept, success, confirm_other_customer=_confirmed(request))


@require_POST
@company_required(MAP_TRANSACTION)
def reject(request, pk):
    success = _("Suggestion rejected; it will not be proposed again for this payment.")
    return _decide(request, _payment(request, pk), suggestion_reject, success)


@require_POST
@company_required(MAP_TRANSACTION)
def ignore(request, pk):
    tx = _payment(request, pk)
    form = IgnoreForm(request.POST)
    if form.is_valid():
        try:
            transaction_ignore(request.company, tx, form.cleaned_data["reason"], user=request.user)
        except ReconciliationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Marked as not an invoice payment."))
            return redirect("reconciliation_map", pk=tx.pk)
    payment = selectors.payment_row(request.company, tx)
    return render(request, MAP_PAGE, _map_context(request, payment, ignore_form=form), status=400)


@require_POST
@company_required(MAP_TRANSACTION)
def unignore(request, pk):
    tx = _payment(request, pk)
    try:
        transaction_unignore(request.company, tx, user=request.user)
    except ReconciliationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The payment waits for a person again."))
    return redirect_back(request, "reconciliation_map", tx.pk)
