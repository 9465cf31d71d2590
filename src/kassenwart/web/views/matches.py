"""Matched payments: the list, and taking a match back."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kassenwart.companies.permissions import MAP_TRANSACTION
from kassenwart.reconciliation.models import Match
from kassenwart.reconciliation.services import ReconciliationError, match_undo
from kassenwart.web import selectors
from kassenwart.web.decorators import company_required
from kassenwart.web.lists import AMOUNT, CHUNK, DATE, Column, csv_response, currency_sums, row_count
from kassenwart.web.pagination import paginate
from kassenwart.web.reconciliation_forms import MatchFilterForm
from kassenwart.web.views._redirect import redirect_back
from kassenwart.web.views._render import render_list


def _found(request):
    form = MatchFilterForm(request.GET, company=request.company)
    return form, selectors.match_search(request.company, **form.filters())


def _sums(found):
    return currency_sums(found, amount="transaction__amount", currency="transaction__currency")


@company_required()
def matched_list(request):
    form, found = _found(request)
    sums = _sums(found)
    page = paginate(request, found, count=row_count(sums))
    context = {"form": form, "page": page, "sums": sums}
    return render_list(request, "web/reconciliation/matched.html", "web/reconciliation/_matched_results.html", context)


KINDS = dict(Match.Kind.choices)


def _match_lines(found):
    """One line for each invoice a match paid, the matches in the list's order."""
    matches = found.prefetch_related("allocations__invoice__customer").iterator(chunk_size=CHUNK)
    for match in matches:
        tx = match.transaction
        for allocation in match.allocations.all():
            yield (tx.booking_date, tx.counterparty_name, tx.remittance, tx.amount, tx.currency,
                   allocation.invoice.number, allocation.invoice.customer.name, allocation.amount,
                   KINDS.get(match.kind, match.kind), timezone.localdate(match.created_at))


@company_required()
def matched_export(request):
    """The filtered matches as CSV, in the list's order."""
    _form, found = _found(request)
    columns = [
        Column(_("Booking date"), DATE), Column(_("Name")), Column(_("Remittance information")),
        Column(_("Payment"), AMOUNT), Column(_("Currency")), Column(_("Invoice")), Column(_("Customer")),
        Column(_("Applied"), AMOUNT), Column(_("Made")), Column(_("Matched on"), DATE),
    ]
    return csv_response("matched", columns, _match_lines(found))


@require_POST
@company_required(MAP_TRANSACTION)
def undo(request, pk):
    match = get_object_or_404(Match, pk=pk, company=request.company)
    try:
        match_undo(request.company, match, user=request.user)
    except ReconciliationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Match undone: the invoices are open again and the payment waits in the open list.")
        )
    return redirect_back(request, "reconciliation_matched")
