"""Exports for the accountant: the page (period, account, format) that streams the download,
and the export settings (admins): DATEV numbers and each bank account's G/L account."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kassenwart.accounting import datev
from kassenwart.accounting.selectors import (
    ExportRefused,
    booked_lines,
    datev_bookings,
    datev_header,
    export_settings,
    ledger_accounts,
    ledger_accounts_by_id,
)
from kassenwart.accounting.services import NotAllowed, SettingsInvalid, export_settings_update
from kassenwart.banking.models import BankAccount
from kassenwart.companies.permissions import MANAGE_SETTINGS
from kassenwart.web import booking_csv
from kassenwart.web.decorators import company_required
from kassenwart.web.export_forms import DATEV, ExportForm, ExportSettingsForm, last_month
from kassenwart.web.lists import csv_format, csv_lines, download

REFUSED_TEXTS = {
    "consultant_number": gettext_lazy("The consultant number (Beraternummer) is not set."),
    "client_number": gettext_lazy("The client number (Mandantennummer) is not set."),
    "debtor_account": gettext_lazy("The debtor account is not set."),
    "ledger_account": gettext_lazy("The account %(account)s has no G/L account number."),
    "period_reversed": gettext_lazy("The period ends before it starts."),
    "period_across_years": gettext_lazy(
        "A DATEV batch holds one fiscal year; this one runs from %(start)s to the day before %(end)s."),
}


def refused_text(code: str, params: dict) -> str:
    values = {key: value.strftime("%d.%m.%Y") if hasattr(value, "strftime") else value
              for key, value in params.items()}
    return str(REFUSED_TEXTS.get(code, code)) % values


def _page(request, form, *, refused=(), status=200):
    settings = export_settings(request.company)
    try:
        datev_header(request.company, *last_month(timezone.localdate()), settings=settings)
        datev_missing = []
    except ExportRefused as refusal:
        datev_missing = [refused_text(code, params) for code, params in refusal.problems]
    context = {"form": form, "settings": settings, "datev_missing": datev_missing, "refused": list(refused)}
    return render(request, "web/exports/page.html", context, status=status)


@require_GET
@company_required()
def export_page(request):
    date_from, date_to = last_month(timezone.localdate())
    return _page(request, ExportForm(company=request.company, initial={"date_from": date_from, "date_to": date_to}))


@require_GET
@company_required()
def export_download(request):
    """The file for the period: CSV in the reader's format, or a DATEV batch in Windows-1252."""
    form = ExportForm(request.GET, company=request.company)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    account = BankAccount.objects.get(pk=data["account"], company=request.company) if data["account"] else None
    date_from, date_to = data["date_from"], data["date_to"]
    lines = booked_lines(request.company, date_from, date_to, account)
    if data["format"] != DATEV:
        name = f"bookings-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"
        return download(csv_lines(booking_csv.columns(), booking_csv.rows(lines), csv_format(get_language())), name)
    settings = export_settings(request.company)
    try:
        header = datev_header(request.company, date_from, date_to, exported_by=request.user.get_username(),
                              settings=settings, accounts=[account] if account else None)
    except ExportRefused as refusal:
        return _page(request, form, refused=[refused_text(code, params) for code, params in refusal.problems],
                     status=400)
    bookings = datev_bookings(lines, settings, ledger_accounts_by_id(request.company))
    return download(datev.encode(datev.lines(header, bookings)), datev.file_name(header),
                    content_type=f"text/csv; charset={datev.ENCODING}")


@company_required(MANAGE_SETTINGS)
def export_settings_page(request):
    settings = export_settings(request.company)
    accounts = ledger_accounts(request.company)
    if request.method != "POST":
        form = ExportSettingsForm(accounts=accounts, initial={
            "consultant_number": settings.consultant_number, "client_number": settings.client_number,
            "fiscal_year_start_month": settings.fiscal_year_start_month, "account_length": settings.account_length,
            "debtor_account": settings.debtor_account,
            "customer_number_is_debtor": settings.customer_number_is_debtor,
            "suspense_account": settings.suspense_account})
        return render(request, "web/exports/settings.html", {"form": form})
    form = ExportSettingsForm(request.POST, accounts=accounts)
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in (
            "consultant_number", "client_number", "fiscal_year_start_month", "account_length", "debtor_account",
            "customer_number_is_debtor", "suspense_account")}
        try:
            export_settings_update(request.company, **values, ledger_accounts=form.ledger_accounts(),
                                   user=request.user)
        except SettingsInvalid as invalid:
            form.show(invalid.problems)
        except NotAllowed:
            form.add_error(None, _("Your role does not allow this."))
        else:
            messages.success(request, _("Export settings saved."))
            return redirect("export_settings")
    return render(request, "web/exports/settings.html", {"form": form}, status=400)
