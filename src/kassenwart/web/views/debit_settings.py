"""The direct debit settings (admins): the company's creditor id and pre-notification, and
per collecting account another creditor id and the "first collection as FRST" switch."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kassenwart.banking.models import BankAccount
from kassenwart.companies.permissions import MANAGE_SETTINGS
from kassenwart.payments import mandate_selectors as selectors
from kassenwart.payments.mandates import account_debit_settings_update, creditor_settings_update
from kassenwart.payments.services import PaymentInvalid
from kassenwart.web.decorators import company_required
from kassenwart.web.mandate_forms import AccountDebitForm, CreditorSettingsForm


def _page(request, *, form=None, account_forms=None, status=200):
    settings = selectors.creditor_settings(request.company)
    form = form or CreditorSettingsForm(initial={"creditor_id": settings.creditor_id, "mail_from": settings.mail_from,
                                                 "pre_notification_days": settings.pre_notification_days})
    account_forms = account_forms or {}
    accounts = [
        (account, account_forms.get(account.pk) or AccountDebitForm(
            prefix=f"account-{account.pk}",
            initial={"creditor_id": debit.creditor_id, "first_as_frst": debit.first_as_frst}))
        for account, debit in selectors.collecting_accounts(request.company)
    ]
    return render(request, "web/mandates/settings.html", {"form": form, "settings": settings, "accounts": accounts},
                  status=status)


@company_required(MANAGE_SETTINGS)
def debit_settings(request):
    if request.method != "POST":
        return _page(request)
    form = CreditorSettingsForm(request.POST)
    if form.is_valid():
        try:
            creditor_settings_update(request.company, user=request.user, **form.cleaned_data)
        except PaymentInvalid as invalid:
            form.show(invalid.problems)
        else:
            messages.success(request, _("Direct debit settings saved."))
            return redirect("debit_settings")
    return _page(request, form=form, status=400)


@require_POST
@company_required(MANAGE_SETTINGS)
def debit_settings_account(request, pk):
    account = get_object_or_404(BankAccount, pk=pk, company=request.company)
    form = AccountDebitForm(request.POST, prefix=f"account-{account.pk}")
    if form.is_valid():
        try:
            account_debit_settings_update(account, user=request.user, **form.cleaned_data)
        except PaymentInvalid as invalid:
            form.show(invalid.problems)
        else:
            messages.success(request, _("Settings of %(account)s saved.") % {"account": account.name})
            return redirect("debit_settings")
    return _page(request, account_forms={account.pk: form}, status=400)
