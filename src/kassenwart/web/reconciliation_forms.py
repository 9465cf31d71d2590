"""Forms of the reconciliation screens: filters, the reasons people give, the settings."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kassenwart.reconciliation.models import ALL_CRITERIA, Match, MatchingConfig
from kassenwart.web.forms import SORTS, TransactionFilterForm
from kassenwart.web.selectors import IGNORED, WAITING

CRITERIA_LABELS = {
    "invoice_number": _("Invoice number in the remittance"),
    "rf_reference": _("Structured creditor reference (RF)"),
    "amount": _("Amount"),
    "payer_iban": _("Payer's IBAN"),
    "payer_name": _("Payer's name"),
    "customer_number": _("Customer number in the remittance"),
}


class _PaymentFilterForm(TransactionFilterForm):
    """The transactions list's search, account and dates; no direction (all are credits)."""

    def __init__(self, data, *, company):
        super().__init__(data, company=company)
        del self.fields["direction"], self.fields["statement"], self.fields["matched"]

    def _payment_filters(self) -> dict:
        return {
            **self._text(),
            "account_id": self.value("account"),
            "date_from": self.value("date_from"),
            "date_to": self.value("date_to"),
            **self._list_filters(),
        }


class OpenFilterForm(_PaymentFilterForm):
    field_order = ["q", "account", "status", "date_from", "date_to", "amount_from", "amount_to", "sort"]
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[SORTS[1], SORTS[0], *SORTS[2:]])
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(WAITING, _("Waiting for a person")), (IGNORED, _("Not invoice payments"))],
    )

    def filters(self) -> dict:
        return {**self._payment_filters(), "status": self.value("status") or WAITING}


NEWEST_MATCH = "-made"


class MatchFilterForm(_PaymentFilterForm):
    field_order = ["q", "account", "kind", "date_from", "date_to", "amount_from", "amount_to", "sort"]
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        (NEWEST_MATCH, _("Newest match first")),
        ("-date", _("Newest payment first")),
        ("date", _("Oldest payment first")),
        *SORTS[2:],
    ])
    kind = forms.ChoiceField(label=_("Made"), required=False, choices=[("", _("All")), *Match.Kind.choices])

    def filters(self) -> dict:
        return {**self._payment_filters(), "kind": self.value("kind")}


class SuggestionForm(forms.Form):
    """Accept or reject a suggestion, named by its invoices (ranks change between runs)."""

    invoices = forms.RegexField(regex=r"^\d+(,\d+)*$", max_length=500)


class IgnoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this not an invoice payment?"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. refund from a supplier, loan, grant"), "autocomplete": "off"}
        ),
    )


_PERCENTS = re.compile(r"[,;\s]+")


class MatchingConfigForm(forms.Form):
    criteria = forms.MultipleChoiceField(
        label=_("What counts as evidence"),
        choices=[(c, CRITERIA_LABELS[c]) for c in ALL_CRITERIA],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one criterion.")},
    )
    skonto_percents = forms.CharField(
        label=_("Skonto percentages"),
        required=False,
        max_length=40,
        help_text=_("Separated by commas, decimals with a point: 2, 3, 1.5. Empty: no Skonto."),
    )
    max_fee = forms.DecimalField(
        label=_("Bank fee a payer may deduct"), min_value=0, max_value=1000, decimal_places=2, localize=True
    )
    max_overpayment = forms.DecimalField(
        label=_("Overpayment applied automatically"), min_value=0, max_value=1000, decimal_places=2, localize=True
    )
    allow_multiple = forms.BooleanField(
        label=_("Several payments per invoice and several invoices per payment (installments, collective payments)"),
        required=False,
    )
    automation = forms.ChoiceField(
        label=_("Automation"), choices=MatchingConfig.Automation.choices, widget=forms.RadioSelect
    )
    interval_minutes = forms.IntegerField(
        label=_("Run every (minutes)"),
        min_value=0,
        max_value=7 * 24 * 60,
        help_text=_("0: only after imports and when started by hand."),
    )

    @classmethod
    def for_config(cls, config: MatchingConfig, data=None):
        initial = {name: getattr(config, name) for name in cls.base_fields}
        return cls(data, initial=initial)

    def clean_skonto_percents(self) -> str:
        parts = [p for p in _PERCENTS.split(self.cleaned_data["skonto_percents"]) if p]
        try:
            percents = [Decimal(p) for p in parts]
        except ArithmeticError:
            percents = None
        if percents is None or any(not p.is_finite() or not 0 < p < 100 for p in percents):
            raise forms.ValidationError(_("Enter percentages between 0 and 100, e.g. 2, 3."), code="percent")
        return ", ".join(f"{p.normalize():f}" for p in dict.fromkeys(percents))
