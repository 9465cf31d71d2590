"""Forms of the mandate, customer and direct debit settings pages; the words for the problems
their services report by code are payments.problems' (shared with the API)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kassenwart.payments.mandate_csv import COLUMNS
from kassenwart.payments.models import Mandate, Scheme
from kassenwart.payments.problems import problem_text
from kassenwart.payments.sepa.rules import Problem
from kassenwart.receivables.models import Customer

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_UPLOAD = 5 * 1024 * 1024  # a CSV of some ten thousand mandates


class _Filter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))

    def value(self, name):
        """The cleaned value of a field, or None when it is missing or invalid."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None


class MandateFilterForm(_Filter):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *Mandate.State.choices])

    def filters(self) -> dict:
        return {"text": self.value("q") or "", "state": self.value("state")}


class CustomerFilterForm(_Filter):
    def filters(self) -> dict:
        return {"text": self.value("q") or ""}


class _ShowsProblems:
    def show(self, problems: list[Problem]) -> None:
        """Each problem at its field (the services name fields as the forms do)."""
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem_text(problem))


class MandateForm(_ShowsProblems, forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none(),
                                      empty_label=_("Choose a customer"))
    reference = forms.CharField(label=_("Mandate reference"), max_length=60,
                                help_text=_("As on the signed mandate; at most 35 letters, digits, spaces "
                                            "and / - ? : ( ) . , ' +"))
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE_INPUT)
    debtor_name = forms.CharField(label=_("Account holder"), max_length=140)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=14, required=False,
                          help_text=_("Optional; the bank finds it from the IBAN."))
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices, initial=Scheme.CORE,
                               help_text=_("CORE for consumers and companies; B2B only for companies, "
                                           "whose bank must know the mandate."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Mandate.Kind.choices, initial=Mandate.Kind.RECURRING)
    pre_notification_days = forms.IntegerField(
        label=_("Pre-notification (days before)"), required=False, min_value=1, max_value=60,
        help_text=_("Only when the mandate agrees on fewer days than the company's setting."))

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(company=company).order_by("name", "pk")
        self.fields["signed_on"].initial = timezone.localdate()


class AmendForm(_ShowsProblems, forms.Form):
    reference = forms.CharField(label=_("Mandate reference"), max_length=60)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=14, required=False)
    creditor_id = forms.CharField(label=_("Creditor identifier"), max_length=60,
                                  help_text=_("Change it only when the mandate moves to another creditor id."))

    @classmethod
    def for_mandate(cls, mandate: Mandate, data=None) -> AmendForm:
        return cls(data, initial={"reference": mandate.reference, "iban": mandate.iban, "bic": mandate.bic,
                                  "creditor_id": mandate.creditor_id})


class MandateImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Comma, semicolon or tab separated; dates like 2026-07-21 or 21.07.2026; scheme CORE or B2B; kind "
        "recurring or one-off (wiederkehrend, einmalig); debtor_bic may be left out."))
    columns = COLUMNS  # shown above the form

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class CreditorSettingsForm(_ShowsProblems, forms.Form):
    creditor_id = forms.CharField(
        label=_("Creditor identifier (Gläubiger-ID)"), max_length=60, required=False,
        help_text=_("From the Deutsche Bundesbank (or your national bank), e.g. DE98ZZZ09999999999. "
                    "No debit can be created without one."))
    pre_notification_days = forms.IntegerField(
        label=_("Pre-notification (days before a collection)"), min_value=1, max_value=60,
        help_text=_("The debtor is told at least this many days before; 14 unless your contracts say less."))
    mail_from = forms.EmailField(label=_("Sender of pre-notifications"), required=False)


class AccountDebitForm(_ShowsProblems, forms.Form):
    creditor_id = forms.CharField(label=_("Other creditor identifier"), max_length=60, required=False,
                                  help_text=_("Empty: the company's."))
    first_as_frst = forms.BooleanField(label=_("First collection as FRST"), required=False, help_text=_(
        "EPC allows RCUR from the first collection since November 2016; some banks still want FRST."))
