"""How the company's payments are matched, and running the matching now."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kassenwart.companies.permissions import MANAGE_SETTINGS, MAP_TRANSACTION
from kassenwart.reconciliation.schedule import enqueue_after_commit
from kassenwart.reconciliation.services import ReconciliationError, matching_config_update
from kassenwart.web import selectors
from kassenwart.web.decorators import company_required
from kassenwart.web.reconciliation_forms import MatchingConfigForm
from kassenwart.web.views._redirect import redirect_back


@company_required(MANAGE_SETTINGS)
def matching_settings(request):
    config = selectors.matching_config(request.company)
    form = MatchingConfigForm.for_config(config, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            matching_config_update(request.company, user=request.user, **form.cleaned_data)
        except ReconciliationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Matching settings saved."))
            return redirect("reconciliation_settings")
    status = 400 if form.is_bound else 200
    return render(request, "web/reconciliation/settings.html", {"form": form, "config": config}, status=status)


@require_POST
@company_required(MAP_TRANSACTION)
def run_now(request):
    enqueue_after_commit(request.company.pk)
    messages.success(
        request, _("Matching runs in the background now; reload the page in a moment to see what it found.")
    )
    return redirect_back(request, "reconciliation_open")
