from django.conf import settings
from django.db import models

from kassenwart.companies.models import Company


class DashboardLayout(models.Model):
    """One person's home page in one company: the widgets shown, in order, and the period of
    the money in and out. No row: the role's default (layouts.py)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    widgets = models.JSONField(default=list)  # widget keys, in the order shown
    months = models.PositiveSmallIntegerField(default=12)  # period of the money in and out
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="one_dashboard_per_user")]


class FlowSummary(models.Model):
    """The company's booked transactions summed per account, currency and month, for one set
    of own IBANs (`own_ibans_key`), counting the statement imports listed in SummedImport.
    Transactions are append-only and each is committed with its import, so a sum once made
    stays true; imports committed since are added on the next read (in whatever order they
    committed), and another set of own IBANs (an account added) sums again from scratch. The
    home page reads a few dozen rows instead of a year of transactions."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    own_ibans_key = models.CharField(max_length=64)
    since = models.DateField()  # the first month summed (the days are summed from the first booking on)


class SummedImport(models.Model):
    """A statement import whose transactions are in the summary."""

    summary = models.ForeignKey(FlowSummary, on_delete=models.CASCADE, related_name="imports")
    statement_import_id = models.BigIntegerField()  # no foreign key: only ever read by the summary

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summary", "statement_import_id"], name="summed_once")]


class MonthlyFlow(models.Model):
    summary = models.ForeignKey(FlowSummary, on_delete=models.CASCADE, related_name="months")
    account_id = models.BigIntegerField()  # a BankAccount; no foreign key: only ever read by the summary
    currency = models.CharField(max_length=3)
    month = models.DateField()
    incoming = models.DecimalField(max_digits=17, decimal_places=2, default=0)  # not from own accounts
    outgoing = models.DecimalField(max_digits=17, decimal_places=2, default=0)  # not to own accounts
    returns = models.PositiveIntegerField(default=0)  # R-transactions booked (return reason set)
    returned = models.DecimalField(max_digits=17, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summary", "account_id", "currency", "month"],
                                               name="one_flow_per_account_currency_month")]


class DailyFlow(models.Model):
    """Every booked day's transactions per account and currency: their number and sum, and
    those of the money in (amount > 0) and out (< 0). The cash forecast's booked line, and
    the transaction list's count and sums when it is filtered by no more than account,
    direction and dates (a few thousand rows instead of every transaction)."""

    summary = models.ForeignKey(FlowSummary, on_delete=models.CASCADE, related_name="days")
    account_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    day = models.DateField()
    total = models.DecimalField(max_digits=17, decimal_places=2, default=0)
    count = models.PositiveIntegerField(default=0)
    credits = models.PositiveIntegerField(default=0)  # how many of them are money in
    credit_total = models.DecimalField(max_digits=17, decimal_places=2, default=0)
    debits = models.PositiveIntegerField(default=0)  # how many are money out; their sum is total - credit_total

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summary", "account_id", "currency", "day"],
                                               name="one_flow_per_account_currency_day")]
