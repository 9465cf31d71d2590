from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from kassenwart.banking import selectors
from kassenwart.banking.models import PendingTransaction, Transaction
from kassenwart.banking.selectors import DEBIT
from kassenwart.dashboards.monthly import booked_sums
from kassenwart.reconciliation.matched_days import matched_sums
from kassenwart.web import selectors as web_selectors
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import TransactionFilterForm
from kassenwart.web.lists import AMOUNT, CHUNK, DATE, Column, CurrencySum, csv_response, currency_sums, row_count
from kassenwart.web.pagination import paginate
from kassenwart.web.views._render import render_list


def _found(request):
    form = TransactionFilterForm(request.GET, company=request.company)
    return form, web_selectors.transaction_list_search(request.company, **form.filters())


# Filters the kept daily sums answer (dashboards.monthly.booked_sums); any other needs the rows.
KEPT_FILTERS = {"account_id", "direction", "date_from", "date_to", "order"}


def _sums(request, form, found) -> list[CurrencySum]:
    """The count and sums of the filtered list: from the kept daily sums when only account,
    direction and dates filter it (the list of every transaction would otherwise sum a
    million rows), else from the rows the other filters leave, found by an index. Matched
    or not: the matched payments are kept summed per day too (reconciliation.matched_days;
    summing the 350,000 matched of a million transactions took 0.3 s), the others are the
    kept sums less those."""
    filters = form.filters()
    matched = filters["matched"]
    if not all(name in KEPT_FILTERS or name == "matched" or value in (None, "") for name, value in filters.items()):
        return currency_sums(found)
    kept_filters = {"account_id": filters["account_id"], "direction": filters["direction"],
                    "date_from": filters["date_from"], "date_to": filters["date_to"]}
    kept = [CurrencySum(s.currency, s.count, s.total) for s in booked_sums(request.company, **kept_filters)]
    if matched not in (web_selectors.MATCHED, web_selectors.UNMATCHED):
        return kept
    if filters["direction"] == DEBIT:  # only money in is matched
        taken = []
    else:
        dates = {"account_id": filters["account_id"], "date_from": filters["date_from"], "date_to": filters["date_to"]}
        taken = [CurrencySum(s.currency, s.count, s.total) for s in matched_sums(request.company, **dates)]
    return taken if matched == web_selectors.MATCHED else _less(kept, taken)


def _less(sums: list[CurrencySum], taken: list[CurrencySum]) -> list[CurrencySum]:
    """`sums` less `taken` (a part of the same rows), per currency; currencies left empty go."""
    left = {s.currency: s for s in taken}
    rest = [CurrencySum(s.currency, s.count - left[s.currency].count, s.total - left[s.currency].total)
            if s.currency in left else s for s in sums]
    return [s for s in rest if s.count]


@company_required()
def transaction_list(request):
    form, found = _found(request)
    sums = _sums(request, form, found)
    page = paginate(request, found, count=row_count(sums))
    pending = []
    if page.number == 1:
        pending = selectors.pending_search(request.company, **form.pending_filters())
    context = {"form": form, "page": page, "pending": pending, "sums": sums}
    return render_list(request, "web/transactions/list.html", "web/transactions/_results.html", context)


@company_required()
def transaction_export(request):
    """The filtered list (every page, in its order) as a CSV download."""
    _form, found = _found(request)
    columns = [
        Column(_("Booking date"), DATE), Column(_("Value date"), DATE), Column(_("Account")),
        Column(_("Name")), Column(_("IBAN")), Column(_("Remittance information")),
        Column(_("End-to-end id")), Column(_("Amount"), AMOUNT), Column(_("Currency")),
    ]
    rows = found.values_list(
        "booking_date", "value_date", "account__name", "counterparty_name", "counterparty_iban", "remittance",
        "end_to_end_id", "amount", "currency",
    ).iterator(chunk_size=CHUNK)
    return csv_response("transactions", columns, rows)


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
