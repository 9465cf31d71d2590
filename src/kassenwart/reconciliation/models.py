from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kassenwart.banking.models import BankAccount, Transaction
from kassenwart.companies.models import Company
from kassenwart.receivables.models import Customer, Invoice

MONEY = {"max_digits": 15, "decimal_places": 2}
ALL_CRITERIA = ["invoice_number", "rf_reference", "amount", "payer_iban", "payer_name", "customer_number"]


def _all_criteria():
    return list(ALL_CRITERIA)


class MatchingConfig(models.Model):
    """How a company wants its payments matched ("train it")."""

    class Automation(models.TextChoices):
        AUTOMATIC = "automatic", _("Reconcile what is certain automatically")
        SUGGEST_ONLY = "suggest_only", _("Only suggest; a person decides")

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="matching_config")
    criteria = models.JSONField(_("criteria that count"), default=_all_criteria)
    skonto_percents = models.CharField(_("Skonto percentages"), max_length=40, default="2, 3")
    max_fee = models.DecimalField(_("bank fee a payer may deduct"), default=Decimal("15.00"), **MONEY)
    max_overpayment = models.DecimalField(_("overpayment applied automatically"), default=Decimal("10.00"), **MONEY)
    allow_multiple = models.BooleanField(_("several payments per invoice and invoices per payment"), default=True)
    automation = models.CharField(max_length=16, choices=Automation.choices, default=Automation.AUTOMATIC)
    interval_minutes = models.PositiveIntegerField(_("run every (minutes)"), default=60)
    last_run_at = models.DateTimeField(null=True, blank=True)


class TransactionState(models.Model):
    """The reconciliation state of one incoming transaction (transactions are append-only)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MATCHED = "matched", _("matched")
        PARTIALLY_MATCHED = "partially_matched", _("partially matched")
        IGNORED = "ignored", _("not an invoice payment")

    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, primary_key=True, related_name="state")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)  # see Meta
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # The engine's ranked proposals: [{"allocations": {invoice_id: "12.00"}, "confidence": 0.9,
    # "reasons": [...], "write_off": "0.00", "surplus": "0.00"}]
    suggestions = models.JSONField(default=list)
    note = models.CharField(max_length=300, blank=True)
    # Why it is not an invoice payment, as a stored message (reasons.py): a person's words, or
    # the app's own (a returned direct debit); None while it is not ignored.
    ignore_reason = models.JSONField(_("reason"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["company", "status"])]


class MatchedDay(models.Model):
    """The incoming payments matched (in full or in part) per account, currency and booking
    day: how many and their sum in cents (integer, so that adding and taking away in SQL is
    exact on SQLite too). Kept by matched_days.py in the transaction of every change of a
    payment's state, so the transaction list filtered to matched or not matched sums a few
    thousand days instead of every matched payment (at a million rows: 350,000 of them)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    day = models.DateField()
    count = models.IntegerField(default=0)
    total_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "currency", "day"], name="matched_day_unique")]
        indexes = [models.Index(fields=["company", "day"])]


class Match(models.Model):
    """The payment record: a transaction applied to one or more invoices."""

    class Kind(models.TextChoices):
        AUTO = "auto", _("automatic")
        MANUAL = "manual", _("by hand")

    # Indexes cost every match a run writes (tens of thousands): the company is found by the
    # index below, which leads with it; the people only when one is deleted (rare; a scan then).
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="matches")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    confidence = models.FloatField(null=True)
    reasons = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "undone_at", "-created_at"])]


class Allocation(models.Model):
    """The part of a match's transaction applied to one invoice (and what was written off)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**MONEY)
    write_off = models.DecimalField(default=Decimal("0.00"), **MONEY)


class LearnedPayer(models.Model):
    """A payer IBAN or name that a person's map tied to a customer; `match` is the map that
    taught it, so undoing that map un-learns it (unless another map still backs it)."""

    class Kind(models.TextChoices):
        IBAN = "iban", "IBAN"
        NAME = "name", _("name")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=255)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "kind", "key"], name="learn_once")]


class RejectedSuggestion(models.Model):
    """A pair of transaction and invoices a person turned down. A rejected suggestion is never
    proposed again for that transaction; an undone match (`undone`) is never applied
    automatically again, but may still be suggested, marked as undone before."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="+")
    invoice_ids = models.JSONField()  # sorted list of invoice ids
    undone = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class InternalTransfer(models.Model):
    """Money moved between two of the company's own accounts, seen on both: a payment
    provider's payout (the debit on the provider account) and its arrival on the bank account
    (the credit). One transfer, so neither side is income or an expense, and the credit is not
    an invoice payment (its TransactionState is ignored, with this as the reason)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    outgoing = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="transfer_out")
    incoming = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="transfer_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["company", "created_at"])]
