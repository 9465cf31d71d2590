"""The forms of the exports page and of the export settings (admins)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext_lazy as _

from kassenwart.accounting.services import Problem
from kassenwart.banking.selectors import account_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CSV, DATEV = "csv", "datev"
MONTHS = sorted(MONTH_NAMES.items())


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


class ExportForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), widget=DATE_INPUT)
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int, empty_value=None)
    format = forms.ChoiceField(label=_("Format"), widget=forms.RadioSelect, initial=CSV, choices=[
        (CSV, _("CSV (spreadsheet)")), (DATEV, _("DATEV booking batch (EXTF)"))])

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", _("All accounts")), *account_choices(company)]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The period ends before it starts."))
        return data


PROBLEM_TEXTS = {
    "required": _("This field is required."),
    "out_of_range": _("Enter a number from %(low)s to %(high)s."),
    "gl_account_invalid": _("%(value)s is not a G/L account: digits only, at most %(length)s of them."),
    "personal_account_invalid": _("%(value)s is not a personal account: it has %(length)s digits."),
}


class ExportSettingsForm(forms.Form):
    consultant_number = forms.IntegerField(
        label=_("Consultant number (Beraternummer)"), required=False,
        help_text=_("Your tax advisor's DATEV number, 1001 to 9999999."))
    client_number = forms.IntegerField(
        label=_("Client number (Mandantennummer)"), required=False,
        help_text=_("The company's number at your tax advisor, 1 to 99999."))
    fiscal_year_start_month = forms.TypedChoiceField(label=_("Fiscal year starts in"), coerce=int, choices=MONTHS)
    account_length = forms.IntegerField(
        label=_("Length of G/L account numbers"), min_value=4, max_value=8,
        help_text=_("4 for SKR03 and SKR04 unless your tax advisor uses longer numbers; debtor accounts "
                    "have one digit more."))
    debtor_account = forms.CharField(
        label=_("Debtor account"), max_length=9,
        help_text=_("The personal account payments of invoices are booked against, e.g. 10000."))
    customer_number_is_debtor = forms.BooleanField(
        label=_("Customer numbers are debtor accounts"), required=False,
        help_text=_("A customer whose number is a personal account number (one digit more than the G/L "
                    "accounts) is booked on it; the others on the debtor account above."))
    suspense_account = forms.CharField(
        label=_("Suspense account"), max_length=9, required=False,
        help_text=_("Where payments without a matched invoice are booked (e.g. 1590). Empty: they are left "
                    "out of the DATEV batch."))

    def __init__(self, *args, accounts, **kwargs):
        """`accounts`: (BankAccount, its G/L account number) each; a field per account."""
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        for account, number in accounts:
            self.fields[f"ledger_{account.pk}"] = forms.CharField(
                label=_("G/L account of %(account)s") % {"account": account.name}, max_length=9, required=False,
                initial=number, help_text=account.iban or account.account_number)

    def ledger_accounts(self) -> dict[int, str]:
        return {account.pk: self.cleaned_data.get(f"ledger_{account.pk}") or "" for account, _n in self.accounts}

    def show(self, problems: list[Problem]) -> None:
        for problem in problems:
            text = PROBLEM_TEXTS.get(problem.code, problem.code)
            self.add_error(problem.field if problem.field in self.fields else None, str(text) % problem.params)
