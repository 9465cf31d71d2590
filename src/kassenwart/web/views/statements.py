"""Uploading statement files and looking at past imports."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kassenwart import flows
from kassenwart.banking import selectors
from kassenwart.banking.models import StatementImport
from kassenwart.banking.services import statement_import
from kassenwart.companies.permissions import IMPORT_STATEMENT
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import StatementUploadForm
from kassenwart.web.pagination import paginate


def _list(request, form, status=200):
    page = paginate(request, selectors.statement_imports(request.company))
    return render(request, "web/statements/list.html", {"form": form, "page": page}, status=status)


@company_required(IMPORT_STATEMENT)
def statement_list(request):
    return _list(request, StatementUploadForm(company=request.company))


@require_POST
@company_required(IMPORT_STATEMENT)
def statement_upload(request):
    form = StatementUploadForm(request.POST, request.FILES, company=request.company)
    if not form.is_valid():
        return _list(request, form, status=400)
    account = selectors.company_account(request.company, form.cleaned_data["account"])
    results = [statement_import(request.company, upload, file_name=upload.name, user=request.user, via="upload",
                                account=account)
               for upload in form.cleaned_data["files"]]
    if any(result.added for result in results):
        flows.after_import(request.company.pk)
    ids = [result.import_id for result in results]
    return redirect(f"{reverse('statement_result')}?ids={','.join(str(i) for i in ids)}")


@company_required(IMPORT_STATEMENT)
def statement_result(request):
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()][:100]
    imports = selectors.statement_imports_by_id(request.company, ids)
    return render(request, "web/statements/result.html", {"imports": imports})


@company_required()
def statement_detail(request, pk):
    record = get_object_or_404(StatementImport, pk=pk, company=request.company)
    return render(request, "web/statements/detail.html", {"record": record})
