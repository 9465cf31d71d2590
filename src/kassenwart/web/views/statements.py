"""Uploading statement files, mapping a CSV layout by hand, and looking at past imports."""

import io

from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kassenwart import flows
from kassenwart.banking import selectors
from kassenwart.banking.formats.bank_csv import guess_settings, preview
from kassenwart.banking.formats.statement import StatementFormatError
from kassenwart.banking.models import StatementImport
from kassenwart.banking.services import statement_import
from kassenwart.companies.permissions import IMPORT_STATEMENT
from kassenwart.web import csv_mapping
from kassenwart.web.decorators import company_required
from kassenwart.web.forms import CsvMappingForm, CsvMapStartForm, StatementUploadForm
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
def statement_map(request):
    """Map the columns of a CSV layout no profile knows: the account and the file, then the
    columns with the file's first rows beside them, a preview of the rows as they would be
    stored (with their signs), and the import, which keeps the mapping for the account."""
    company = request.company
    if request.method != "POST":
        return _start(request, CsvMapStartForm(company=company))
    if "data" not in request.POST:
        start = CsvMapStartForm(request.POST, request.FILES, company=company)
        if not start.is_valid():
            return _start(request, start, status=400)
        data = start.cleaned_data["file"]
        initial = {**guess_settings(data), "data": csv_mapping.encoded(data),
                   "file_name": request.FILES["file"].name, "account": start.cleaned_data["account"]}
        initial["decimal_comma"] = "comma" if initial["decimal_comma"] else "point"
        form = CsvMappingForm(initial=initial, company=company,
                              columns=csv_mapping.column_choices(data, initial["delimiter"]))
        return _mapping_page(request, form, data)
    data = csv_mapping.decoded(request.POST.get("data"))
    if data is None:
        return HttpResponseBadRequest()
    delimiter = request.POST.get("delimiter") or ";"
    form = CsvMappingForm(request.POST, company=company,
                          columns=csv_mapping.column_choices(data, delimiter))
    if not form.is_valid():
        return _mapping_page(request, form, data, status=400)
    try:
        mapping = csv_mapping.mapping_from(form.mapping_values(), data)
        entries = preview(data, mapping)
    except StatementFormatError as error:
        return _mapping_page(request, form, data, error=str(error))
    if request.POST.get("action") != "import":
        return _mapping_page(request, form, data, entries=entries)
    account = selectors.company_account(company, form.cleaned_data["account"])
    result = statement_import(company, io.BytesIO(data), file_name=form.cleaned_data["file_name"], user=request.user,
                              via="upload", account=account, csv_mapping=mapping)
    if result.added:
        flows.after_import(company.pk)
    return redirect(f"{reverse('statement_result')}?ids={result.import_id}")


def _start(request, form, status=200):
    return render(request, "web/statements/map.html", {"start": form}, status=status)


def _mapping_page(request, form, data: bytes, status=200, **context):
    delimiter = form["delimiter"].value() or ";"
    rows = csv_mapping.sample(data, delimiter)
    return render(request, "web/statements/map.html", {"form": form, "rows": rows, **context}, status=status)


@company_required(IMPORT_STATEMENT)
def statement_result(request):
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()][:100]
    imports = selectors.statement_imports_by_id(request.company, ids)
    return render(request, "web/statements/result.html", {"imports": imports})


@company_required()
def statement_detail(request, pk):
    record = get_object_or_404(StatementImport, pk=pk, company=request.company)
    return render(request, "web/statements/detail.html", {"record": record})
