"""Forms that turn query strings and uploads into the arguments of selectors and services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kassenwart.banking.selectors import CREDIT, DEBIT, account_choices
from kassenwart.receivables.models import Invoice
from kassenwart.web.amounts import amount_range

MAX_FILES = 20


class _SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def value(self, name):
        """The cleaned value of a field, or None when it is missing or invalid."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None

    def _text(self) -> dict:
        text = self.value("q") or ""
        return {"text": text, "amount": amount_range(text)}


class TransactionFilterForm(_SearchForm):
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int, empty_value=None)
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("In and out")), (CREDIT, _("Money in")), (DEBIT, _("Money out"))],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    statement = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, company):
        super().__init__(data)
        self.fields["account"].choices = [("", _("All accounts")), *account_choices(company)]

    def pending_filters(self) -> dict:
        return {**self._text(), "account_id": self.value("account"), "direction": self.value("direction")}

    def filters(self) -> dict:
        return {
            **self.pending_filters(),
            "date_from": self.value("date_from"),
            "date_to": self.value("date_to"),
            "statement_import_id": self.value("statement"),
        }


class InvoiceFilterForm(_SearchForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Invoice.Status.choices]
    )

    def filters(self) -> dict:
        return {**self._text(), "status": self.value("status")}


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    widget = _MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Upload at most %(count)d files at once.") % {"count": MAX_FILES}, code="too_many"
            )
        return [super(_MultipleFileField, self).clean(f, initial) for f in files]


class StatementUploadForm(forms.Form):
    files = _MultipleFileField(
        label=_("Statement files"),
        help_text=_("camt.052/053/054, MT940/MT942 or bank CSV; several files at once are fine."),
    )


class CompanySwitchForm(forms.Form):
    company = forms.IntegerField()
