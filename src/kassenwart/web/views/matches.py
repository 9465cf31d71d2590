"""Matched payments: the list, and taking a match back."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kassenwart.companies.permissions import MAP_TRANSACTION
from kassenwart.reconciliation.models import Match
from kassenwart.reconciliation.services import ReconciliationError, match_undo
from kassenwart.web import selectors
from kassenwart.web.decorators import company_required
from kassenwart.web.pagination import paginate
from kassenwart.web.reconciliation_forms import MatchFilterForm
from kassenwart.web.views._redirect import redirect_back
from kassenwart.web.views._render import render_list


@company_required()
def matched_list(request):
    form = MatchFilterForm(request.GET, company=request.company)
    page = paginate(request, selectors.match_search(request.company, **form.filters()))
    context = {"form": form, "page": page}
    return render_list(request, "web/reconciliation/matched.html", "web/reconciliation/_matched_results.html", context)


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
