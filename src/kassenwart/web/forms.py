"""Forms that turn query strings and uploads into the arguments of selectors and services."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from kassenwart.banking.selectors import CREDIT, DEBIT, account_choices
from kassenwart.payments.models import PaymentOrder
from kassenwart.receivables.invoice_csv import OPTIONAL, REQUIRED
from kassenwart.receivables.models import Invoice
from kassenwart.web.amounts import amount_range, parse_amount
from kassenwart.web.selectors import MATCHED, UNMATCHED

MAX_FILES = 20
MAX_INVOICE_FILE = 20 * 1024 * 1024


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


NEWEST_FIRST = "-date"
SORTS = [
    (NEWEST_FIRST, _("Newest first")),
    ("date", _("Oldest first")),
    ("-amount", _("Largest amount first")),
    ("amount", _("Smallest amount first")),
]


def _amount_field(label):
    return forms.CharField(label=label, required=False, max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class ListFilterForm(_SearchForm):
    """A list's search with an amount range (both ends included) and a choice of order; the
    first of the `sort` choices is the default."""

    amount_from = _amount_field(_("Amount from"))
    amount_to = _amount_field(_("Amount to"))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def _clean_amount(self, name):
        text = self.cleaned_data[name].strip()
        if not text:
            return None
        amount = parse_amount(text)
        if amount is None:
            raise forms.ValidationError(_("Enter an amount, e.g. 1.234,56 or -50."), code="amount")
        return amount

    def clean_amount_from(self):
        return self._clean_amount("amount_from")

    def clean_amount_to(self):
        return self._clean_amount("amount_to")

    def _list_filters(self) -> dict:
        """The amount range and the order; a bad field is left out, the others still apply."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "amount_from": data.get("amount_from"),
            "amount_to": data.get("amount_to"),
            "order": data.get("sort") or self.fields["sort"].choices[0][0],
        }


class TransactionFilterForm(ListFilterForm):
    field_order = ["q", "account", "direction", "matched", "date_from", "date_to", "amount_from", "amount_to", "sort"]
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
    matched = forms.ChoiceField(
        label=_("Matched"),
        required=False,
        choices=[("", _("Matched or not")), (MATCHED, _("Matched to invoices")), (UNMATCHED, _("Not matched"))],
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
            "matched": self.value("matched"),
            **self._list_filters(),
        }


class TransferFilterForm(ListFilterForm):
    """The transfers list: the state, the amount range and the order; no text search."""

    field_order = ["state", "amount_from", "amount_to", "sort"]
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All")), *PaymentOrder.State.choices])

    def __init__(self, data):
        super().__init__(data)
        del self.fields["q"]

    def filters(self) -> dict:
        return {"state": self.value("state") or "", **self._list_filters()}


OVERDUE = "overdue"


class InvoiceFilterForm(ListFilterForm):
    field_order = ["q", "status", "amount_from", "amount_to", "sort"]
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All")), (OVERDUE, _("Overdue")), *Invoice.Status.choices],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        *SORTS, ("due", _("Due date, earliest first")), ("-due", _("Due date, latest first")),
    ])

    def filters(self, today: date) -> dict:
        status = self.value("status")
        return {
            **self._text(),
            "status": None if status == OVERDUE else status,
            "overdue_on": today if status == OVERDUE else None,
            **self._list_filters(),
        }


class InvoiceUploadForm(forms.Form):
    columns = (*REQUIRED, *OPTIONAL)  # shown above the form
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Comma, semicolon or tab separated; amounts like 1234.56 or 1.234,56; dates like 2026-07-21 or "
        "21.07.2026. Invoices already there are updated by their number."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_INVOICE_FILE:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="too_large")
        return upload


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
        # An empty file is the import's to refuse, with its line on the result page; the
        # form's refusal would send back the whole batch (issue 12).
        allow_empty_file=True,
        label=_("Statement files"),
        help_text=_("camt.052/053/054, MT940/MT942 or bank CSV; several files at once are fine."),
    )
    account = forms.TypedChoiceField(
        label=_("Account"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For bank CSV files: the account they are for, even when the file names it in another form."),
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", _("As the file says")), *account_choices(company)]


class CompanySwitchForm(forms.Form):
    company = forms.IntegerField()


class CsvMapStartForm(forms.Form):
    """The first step of mapping a CSV layout by hand: the account and the file."""

    account = forms.TypedChoiceField(label=_("Account"), coerce=int)
    file = forms.FileField(label=_("CSV file"), help_text=_("A bank CSV export whose layout is not known yet."))

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = account_choices(company)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_MAPPED_CSV:
            raise forms.ValidationError(_("The file is larger than 2 MB; map a shorter export of the same layout."))
        return upload.read()


MAX_MAPPED_CSV = 2 * 1024 * 1024
DATE_FORMATS = [
    ("%d.%m.%Y|%d.%m.%y", "31.12.2026"),
    ("%Y-%m-%d", "2026-12-31"),
    ("%d/%m/%Y|%d/%m/%y", "31/12/2026"),
    ("%m/%d/%Y|%m/%d/%y", "12/31/2026"),
    ("%d-%m-%Y", "31-12-2026"),
]
DELIMITERS = [(";", ";"), (",", ","), ("\t", _("Tab"))]
# The fields a person maps, in the order the page shows them: (name, label, required).
MAPPED_COLUMNS = [
    ("booking_date", _("Booking date"), True),
    ("value_date", _("Value date"), False),
    ("amount", _("Amount"), False),
    ("indicator", _("Debit/credit mark (S/H)"), False),
    ("debit", _("Debit (money out)"), False),
    ("credit", _("Credit (money in)"), False),
    ("currency", _("Currency"), False),
    ("counterparty_name", _("Counterparty name"), False),
    ("counterparty_iban", _("Counterparty IBAN"), False),
    ("counterparty_bic", _("Counterparty BIC"), False),
    ("remittance_1", _("Purpose"), False),
    ("remittance_2", _("Purpose, continued"), False),
    ("remittance_3", _("Purpose, continued"), False),
    ("bank_reference", _("Bank reference"), False),
    ("end_to_end_id", _("End-to-end ID"), False),
    ("mandate_id", _("Mandate reference"), False),
]


class CsvMappingForm(forms.Form):
    """Which column holds what, and how the file writes dates and numbers. The file itself
    travels with the form (base64), so preview and import read the same bytes."""

    data = forms.CharField(widget=forms.HiddenInput)
    file_name = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)
    account = forms.TypedChoiceField(widget=forms.HiddenInput, coerce=int)
    has_header = forms.BooleanField(label=_("The first row names the columns"), required=False)
    delimiter = forms.ChoiceField(label=_("Separator"), choices=DELIMITERS)
    date_format = forms.ChoiceField(label=_("Dates are written as"), choices=DATE_FORMATS)
    decimal_comma = forms.TypedChoiceField(
        label=_("Amounts are written as"), coerce=lambda value: value == "comma",
        choices=[("comma", "1.234,56"), ("point", "1,234.56")])
    debit_values = forms.CharField(
        label=_("Marks of a debit"), required=False, help_text=_("Separated by commas; empty: S, Soll, D, DR, Debit, -"))
    credit_values = forms.CharField(
        label=_("Marks of a credit"), required=False, help_text=_("Separated by commas; empty: H, Haben, C, CR, Credit, +"))

    def __init__(self, *args, company, columns: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = account_choices(company)
        choices = [("", "—"), *columns]
        for name, label, required in MAPPED_COLUMNS:
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=required)

    def column_fields(self):
        return [self[name] for name, _label, _required in MAPPED_COLUMNS]

    def setting_fields(self):
        return [self[name] for name in ("has_header", "delimiter", "date_format", "decimal_comma")]

    def mark_fields(self):
        return [self["debit_values"], self["credit_values"]]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not cleaned.get("amount") and not (cleaned.get("debit") and cleaned.get("credit")):
            raise forms.ValidationError(_("Choose the amount column, or the debit and the credit column."))
        if cleaned.get("indicator") and not cleaned.get("amount"):
            raise forms.ValidationError(_("A debit/credit mark goes with an amount column."))
        return cleaned

    def mapping_values(self) -> dict:
        """The mapping as CsvMapping.from_dict takes it; columns as the page's choices name them."""
        cleaned = self.cleaned_data
        values = {name: cleaned[name] for name, _label, _required in MAPPED_COLUMNS if not name.startswith("remittance")}
        values["remittance"] = [cleaned[f"remittance_{n}"] for n in (1, 2, 3) if cleaned[f"remittance_{n}"]]
        comma = cleaned["decimal_comma"]
        values |= {
            "has_header": cleaned["has_header"],
            "delimiter": cleaned["delimiter"],
            "date_format": cleaned["date_format"],
            "decimal_comma": comma,
            "thousands_separator": "." if comma else ",",
            "debit_values": _marks(cleaned["debit_values"]),
            "credit_values": _marks(cleaned["credit_values"]),
        }
        return values


def _marks(text: str) -> list[str]:
    return [mark.strip() for mark in text.split(",") if mark.strip()]
