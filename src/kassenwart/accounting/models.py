"""The company's numbers for its accountant: where its bank accounts, debtors and unmatched
payments are booked, and who the batch is for (consultant and client number)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company

SUSPENSE_DEFAULT = "1590"  # SKR03's transit account, a common choice for what is not yet clear


class ExportSettings(models.Model):
    """One row per company, made with the defaults when first saved."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    consultant_number = models.PositiveIntegerField(_("consultant number (Beraternummer)"), null=True, blank=True)
    client_number = models.PositiveIntegerField(_("client number (Mandantennummer)"), null=True, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(_("fiscal year starts in month"), default=1)
    account_length = models.PositiveSmallIntegerField(_("length of G/L account numbers"), default=4)
    debtor_account = models.CharField(_("debtor account"), max_length=9, blank=True)
    customer_number_is_debtor = models.BooleanField(_("customer numbers are debtor accounts"), default=False)
    suspense_account = models.CharField(_("suspense account"), max_length=9, blank=True, default=SUSPENSE_DEFAULT)
    updated_at = models.DateTimeField(auto_now=True)


class LedgerAccount(models.Model):
    """The G/L account (e.g. 1200) a bank account is booked on."""

    account = models.OneToOneField(BankAccount, on_delete=models.CASCADE, primary_key=True, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("G/L account"), max_length=9)
