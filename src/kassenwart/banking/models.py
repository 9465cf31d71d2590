from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kassenwart.companies.models import Company
from kassenwart.core.messages import render, worded

MONEY = {"max_digits": 15, "decimal_places": 2}


class BankConnection(models.Model):
    class Kind(models.TextChoices):
        FINTS = "fints", _("FinTS/HBCI")
        FILE = "file", _("Statement files")
        PROVIDER = "provider", _("Payment provider")

    class State(models.TextChoices):
        NEW = "new", _("not connected yet")
        OK = "ok", _("connected")
        NEEDS_TAN = "needs_tan", _("TAN needed")
        PIN_WRONG = "pin_wrong", _("PIN wrong")
        PIN_BLOCKED = "pin_blocked", _("PIN blocked")
        ERROR = "error", _("error")

    class Provider(models.TextChoices):
        PAYPAL = "paypal", "PayPal"
        QONTO = "qonto", "Qonto"
        STRIPE = "stripe", "Stripe"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # A payment provider (kind "provider"): which one, and its API credentials, sealed like the
    # PIN (banking/providers/sync.py); `server_url` is its API base (its sandbox, a simulator).
    provider = models.CharField(_("payment provider"), max_length=16, choices=Provider.choices, blank=True)
    credentials_sealed = models.BinaryField(null=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    # FinTS: where the bank is and who logs in. Secrets are sealed (core.secrets).
    bank_code = models.CharField(_("bank code"), max_length=20, blank=True)
    server_url = models.URLField(_("FinTS server URL"), max_length=300, blank=True)
    login = models.CharField(_("login"), max_length=100, blank=True)
    customer_id = models.CharField(_("customer id"), max_length=100, blank=True)
    tan_method = models.CharField(_("TAN method"), max_length=8, blank=True)  # security function
    tan_medium = models.CharField(_("TAN medium"), max_length=64, blank=True)
    tan_options = models.JSONField(default=dict, blank=True)  # methods and media the bank offered
    pin_sealed = models.BinaryField(null=True, editable=False)
    pin_kept = models.BooleanField(_("keep the PIN for scheduled syncs"), default=False)
    pin_until = models.DateTimeField(null=True, blank=True)  # a PIN handed to one sync expires
    client_state = models.BinaryField(null=True, editable=False)  # sealed: system id, BPD, UPD
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.NEW)
    # What went wrong last, as a stored message (banking/wordings.py), worded for each reader
    last_error = models.JSONField(_("last error"), null=True, blank=True)
    sync_interval_minutes = models.PositiveIntegerField(_("sync every (minutes)"), default=240)
    sync_enqueued_at = models.DateTimeField(null=True, blank=True)  # claimed by the schedule
    sync_queued = models.BooleanField(default=False)  # a person started a sync not done yet
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    # One worker per bank login: claimed with a conditional UPDATE, released or expired.
    locked_until = models.DateTimeField(null=True, blank=True)
    lock_token = models.CharField(max_length=32, blank=True)
    locked_by = models.CharField(max_length=32, blank=True)  # the process (core.WorkerProcess) at work

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class BankAccount(models.Model):
    class Kind(models.TextChoices):
        CURRENT = "current", _("Current account")
        SAVINGS = "savings", _("Savings account")
        CALL_MONEY = "call_money", _("Call money")
        CREDIT_CARD = "credit_card", _("Credit card")
        SECURITIES = "securities", _("Securities account")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="accounts")
    connection = models.ForeignKey(
        BankConnection, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CURRENT)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    bank_code = models.CharField(_("bank code"), max_length=20, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    subaccount = models.CharField(_("subaccount"), max_length=30, blank=True)
    owner = models.CharField(_("account holder"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    csv_mapping = models.JSONField(null=True, blank=True)
    # What the bank allows for the account over FinTS (its UPD), in the adapter's words
    # ("transfer", "transfer_batch", "debit_core", ...); empty: not known (not FinTS, or not synced).
    fints_operations = models.JSONField(default=list, blank=True)
    # The overdraft the bank grants (FinTS HISAL "Kreditlinie"), as of its last report; None: not reported.
    credit_line = models.DecimalField(_("credit line"), null=True, blank=True, **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "iban"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "iban"],
                condition=~models.Q(iban=""),
                name="one_account_per_iban",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.iban or self.account_number})"


class PausedDialog(models.Model):
    """A FinTS dialog kept open at the bank between two requests: waiting for its TAN, or
    authenticated and waiting for the task that continues it. Sealed (it holds the PIN),
    never sent to the browser, useless after `expires_at` (the bank ends it)."""

    connection = models.OneToOneField(BankConnection, on_delete=models.CASCADE, related_name="paused_dialog")
    purpose = models.CharField(max_length=32, default="sync")  # "sync", or "order:<pk>" for a payment
    sealed = models.BinaryField(editable=False)
    awaiting_tan = models.BooleanField(default=True)
    decoupled = models.BooleanField(default=False)
    polls = models.PositiveIntegerField(default=0)
    lock_token = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class Balance(models.Model):
    """A balance the bank reported for a day (closing booked, or available)."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        AVAILABLE = "available", _("Available")

    account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="balances")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField()
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    statement_import = models.ForeignKey(
        "StatementImport", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "date"], name="one_balance_per_day")
        ]


class StatementImport(models.Model):
    """One imported (or refused) file, with what it did."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("imported")
        DUPLICATE = "duplicate", _("already imported")
        REFUSED = "refused", _("refused")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    source = models.CharField(max_length=16, default="upload")  # upload, cli, fints
    added = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    balance_ok = models.BooleanField(null=True)
    # What the import did or why it was refused, and its warnings (in details): stored
    # messages (kassenwart.core.messages), worded for each reader. `message` holds the
    # finished sentences of imports from before keys; new rows leave it empty.
    messages = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    details = models.JSONField(default=dict)  # per statement: account, balances, difference; warnings
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def wordings(self) -> list[str]:
        """What the import did or why it was refused, in the reader's language."""
        if not self.messages:
            return self.message.splitlines()
        return [render(stored) for stored in self.messages]

    def warning_wordings(self) -> list[str]:
        """The import's warnings in the reader's language (a parser's own words as they are)."""
        return [worded(warning) for warning in self.details.get("warnings", [])]


class TransactionFields(models.Model):
    """What a bank tells about a transaction; shared by booked and pending ones."""

    # (company, booking date) lookups use the composite index below; a single-column index
    # each would only slow the inserts of a large import down.
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", db_index=False)
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="+")
    booking_date = models.DateField(_("booking date"), null=True)
    value_date = models.DateField(_("value date"), null=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3)
    counterparty_name = models.CharField(_("name"), max_length=255, blank=True)
    counterparty_iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    counterparty_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    ultimate_debtor = models.CharField(max_length=255, blank=True)
    ultimate_creditor = models.CharField(max_length=255, blank=True)
    remittance = models.TextField(_("remittance information"), blank=True)
    structured_reference = models.CharField(_("creditor reference"), max_length=64, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=64, blank=True)
    mandate_id = models.CharField(_("mandate id"), max_length=64, blank=True)
    creditor_id = models.CharField(_("creditor id"), max_length=64, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    transaction_code = models.CharField(max_length=40, blank=True)
    dk_code = models.CharField(_("business transaction code"), max_length=8, blank=True)
    purpose_code = models.CharField(max_length=8, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=8, blank=True)
    reversal = models.BooleanField(default=False)
    batch_reference = models.CharField(max_length=64, blank=True)
    batch_size = models.PositiveIntegerField(default=1)
    statement_import = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Transaction(TransactionFields):
    """A booked transaction. Append-only: the database refuses UPDATE and DELETE."""

    # Lookups by account use the index of the unique constraint, which begins with it; an
    # index of its own would only slow the inserts of a large import down.
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="+", db_index=False)
    fingerprint = models.CharField(max_length=40)

    class Meta:
        ordering = ["-booking_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "fingerprint"], name="transaction_once")
        ]
        indexes = [
            # PostgreSQL also has (company, booking_date DESC NULLS LAST, id DESC) for the lists'
            # order, made by migration 0012 outside the model (SQLite refuses NULLS LAST there)
            models.Index(fields=["company", "-booking_date", "-id"]),
            # the lists' amount filter and their order by amount
            models.Index(fields=["company", "amount", "id"], name="transaction_company_amount"),
            models.Index(fields=["company", "bank_reference"]),
            models.Index(fields=["company", "end_to_end_id"]),
        ]


class PendingTransaction(TransactionFields):
    """Reported but not yet booked; replaced by every import for the account."""

    class Meta:
        ordering = ["-booking_date", "-id"]
        indexes = [models.Index(fields=["company", "account"])]
