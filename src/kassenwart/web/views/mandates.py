"""SEPA mandates: the list, a mandate's page with its amendments, collections and returns;
recording one, amending, revoking, and importing a CSV file (all or nothing, every problem
shown by line and column). Members and up manage mandates; everybody may look."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kassenwart.companies.permissions import MANAGE_MANDATES, MANAGE_SETTINGS, allows
from kassenwart.payments import mandate_selectors as selectors
from kassenwart.payments import mandates
from kassenwart.payments.mandate_csv import MandateFileError
from kassenwart.payments.models import Mandate
from kassenwart.payments.problems import problem_text
from kassenwart.payments.services import NotAllowed, PaymentInvalid, StateChanged
from kassenwart.receivables.models import Customer
from kassenwart.web.decorators import company_required
from kassenwart.web.mandate_forms import AmendForm, MandateFilterForm, MandateForm, MandateImportForm
from kassenwart.web.pagination import paginate
from kassenwart.web.views._render import render_list


def _mandate(request, pk) -> Mandate:
    return get_object_or_404(Mandate.objects.select_related("customer", "created_by"), pk=pk,
                             company=request.company)


def creditor_context(request) -> dict:
    """For the note on pages that record mandates or debits when no creditor id is set."""
    return {"creditor_id": mandates.company_creditor_id(request.company),
            "may_set_creditor_id": allows(request.membership.role, MANAGE_SETTINGS)}


@company_required()
def mandate_list(request):
    form = MandateFilterForm(request.GET)
    page = paginate(request, selectors.mandate_search(request.company, **form.filters()))
    context = {"form": form, "page": page, "may_manage": allows(request.membership.role, MANAGE_MANDATES)}
    return render_list(request, "web/mandates/list.html", "web/mandates/_results.html", context)


@company_required()
def mandate_detail(request, pk):
    mandate = _mandate(request, pk)
    return render(request, "web/mandates/detail.html", {
        "mandate": mandate,
        "amendments": selectors.mandate_amendments(mandate),
        "collections": selectors.mandate_collections(mandate),
        "history": selectors.mandate_history(mandate),
        "may_manage": allows(request.membership.role, MANAGE_MANDATES),
        "open": mandate.state in (Mandate.State.ACTIVE, Mandate.State.BLOCKED),
    })


@company_required(MANAGE_MANDATES)
def mandate_new(request):
    customer = _customer(request, request.GET.get("customer", ""))
    initial = {"customer": customer, "debtor_name": customer.name, "iban": customer.iban} if customer else {}
    form = MandateForm(request.POST or None, company=request.company, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with _refused(request):
                mandate = mandates.mandate_create(
                    request.company, customer=data["customer"], reference=data["reference"],
                    signed_on=data["signed_on"], scheme=data["scheme"], kind=data["kind"],
                    debtor_name=data["debtor_name"], iban=data["iban"], bic=data["bic"],
                    pre_notification_days=data["pre_notification_days"], user=request.user)
        except PaymentInvalid as invalid:
            form.show(invalid.problems)
        else:
            messages.success(request, _("Mandate %(reference)s recorded.") % {"reference": mandate.reference})
            return redirect("mandate_detail", mandate.pk)
    status = 400 if form.is_bound else 200
    return render(request, "web/mandates/new.html", {"form": form, **creditor_context(request)}, status=status)


def _customer(request, value: str) -> Customer | None:
    if not value.isdigit():
        return None
    return Customer.objects.filter(company=request.company, pk=int(value)).first()


@company_required(MANAGE_MANDATES)
def mandate_amend(request, pk):
    mandate = _mandate(request, pk)
    form = AmendForm.for_mandate(mandate, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with _refused(request):
                amendment = mandates.mandate_amend(mandate, reference=data["reference"], iban=data["iban"],
                                                   bic=data["bic"], creditor_id=data["creditor_id"],
                                                   user=request.user)
        except PaymentInvalid as invalid:
            form.show(invalid.problems)
        except StateChanged as changed:
            messages.error(request, str(changed))
            return redirect("mandate_detail", pk)
        else:
            if amendment is None:
                messages.success(request, _("Saved."))
            elif amendment.other_bank:
                messages.success(request, _("Amended. The next collection tells the debtor's bank that the "
                                            "debtor moved to another bank (SMNDA)."))
            else:
                messages.success(request, _("Amended. The next collection carries the original values."))
            return redirect("mandate_detail", pk)
    status = 400 if form.is_bound else 200
    return render(request, "web/mandates/amend.html", {"form": form, "mandate": mandate}, status=status)


@require_POST
@company_required(MANAGE_MANDATES)
def mandate_revoke(request, pk):
    mandate = _mandate(request, pk)
    reason = request.POST.get("reason", "")[:300]
    try:
        with _refused(request):
            mandates.mandate_revoke(mandate, user=request.user, reason=reason)
    except StateChanged as changed:
        messages.error(request, str(changed))
    else:
        messages.success(request, _("Mandate %(reference)s revoked; nothing more is collected under it.")
                         % {"reference": mandate.reference})
    return redirect("mandate_detail", pk)


@company_required(MANAGE_MANDATES)
def mandate_import(request):
    """The upload; a file with problems shows them all by line and column and imports nothing."""
    form = MandateImportForm(request.POST or None, request.FILES or None)
    problems, refused = [], []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with _refused(request):
                result = mandates.mandate_import(request.company, upload.read(), file_name=upload.name,
                                                 user=request.user)
        except MandateFileError as invalid:
            problems = [(error, problem_text(error)) for error in invalid.errors]
        except PaymentInvalid as invalid:
            refused = [problem_text(problem) for problem in invalid.problems]
        except StateChanged as changed:
            refused = [str(changed)]
        else:
            text = ngettext("%(count)d mandate imported.", "%(count)d mandates imported.", result.created) % {
                "count": result.created}
            if result.unchanged:
                text += " " + ngettext("%(count)d was already there.", "%(count)d were already there.",
                                       result.unchanged) % {"count": result.unchanged}
            messages.success(request, text)
            return redirect("mandate_list")
    status = 400 if form.is_bound else 200
    return render(request, "web/mandates/import.html", {
        "form": form, "problems": problems, "refused": refused, "file_name": getattr(request.FILES.get("file"),
                                                                                     "name", ""),
        **creditor_context(request),
    }, status=status)


class _refused:
    """A role that does not allow the step is a 403 (the decorator checks the same table)."""

    def __init__(self, request):
        self.request = request

    def __enter__(self):
        return self

    def __exit__(self, exc_type, error, traceback):
        if exc_type is not None and issubclass(exc_type, NotAllowed):
            raise PermissionDenied(str(error)) from error
        return False
