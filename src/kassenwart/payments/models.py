"""Payment orders: transfers any member drafts and direct debits under the company's mandates,
released by an approver who drafted none of their payments, sent over FinTS or exported as a
pain file. The state machine is in services.py (ARCHITECTURE.md, Payments).

An order is one pain message: a single transfer, a run of transfers, or a run of debits of
one account, scheme, sequence type and collection date (banks refuse mixed batches).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
from kassenwart.receivables.models import Customer, Invoice

MONEY = {"max_digits": 15, "decimal_places": 2}


class Scheme(models.TextChoices):
    CORE = "CORE", _("SEPA Core direct debit")
    B2B = "B2B", _("SEPA business-to-business direct debit")


class SequenceType(models.TextChoices):
    FIRST = "FRST", _("first of a series")
    RECURRING = "RCUR", _("recurring")
    ONE_OFF = "OOFF", _("one-off")
    FINAL = "FNAL", _("final")


class PaymentOrder(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        VOP_PENDING = "vop_pending", _("Payee check to confirm")
        TAN_PENDING = "tan_pending", _("Waiting for TAN")
        ACCEPTED = "accepted", _("Accepted by the bank")
        REJECTED = "rejected", _("Rejected by the bank")
        UNKNOWN = "unknown", _("Outcome unknown")
        CANCELLED = "cancelled", _("Cancelled")
        BOOKED = "booked", _("Booked")
        RETURNED = "returned", _("Returned")
        EXPORTED = "exported", _("Exported, upload to confirm")

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Transfer")
        DEBIT = "debit", _("Direct debit")

    class Delivery(models.TextChoices):
        FINTS = "fints", _("Sent over FinTS")
        FILE = "file", _("pain file for the bank's portal")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="payment_orders")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TRANSFER)
    # Decided when drafting: over FinTS where the account has a connection, else as a file.
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices, default=Delivery.FINTS)
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="payment_orders",
                                verbose_name=_("from account"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    requested_date = models.DateField(_("execution date"))  # the collection date of debits
    instant = models.BooleanField(_("instant transfer"), default=False)
    # Debits: one scheme and sequence type per message, under one creditor id.
    scheme = models.CharField(_("scheme"), max_length=4, choices=Scheme.choices, blank=True)
    sequence_type = models.CharField(_("sequence type"), max_length=4, choices=SequenceType.choices, blank=True)
    creditor_id = models.CharField(_("creditor identifier"), max_length=35, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    payload_hash = models.CharField(max_length=64, blank=True)  # frozen when submitted for approval
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    # Made once, when the order is first queued, and kept for every attempt: a bank that
    # sees the same ids again can refuse a duplicate, and the statement finds them.
    message_id = models.CharField(max_length=35, blank=True)
    payment_info_id = models.CharField(max_length=35, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)  # committed before the bank call
    waiting_for = models.CharField(max_length=16, blank=True)  # what the bank waits for, see WaitingFor
    # A person's answer (payee check, TAN) is at the bank until then: nobody else may act on it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The process (core.WorkerProcess) sending the order or answering the bank for it; when it
    # dies, the clock moves the order on at once (submission.orders_recover).
    claimed_by = models.CharField(max_length=32, blank=True)
    # Set, and committed, before an answer goes to the bank; cleared with the bank's reply. Still
    # set later: the answer went out and its outcome never came back (the order may be executed).
    answer_sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)  # seen on the account statement
    payee_check = models.JSONField(null=True, blank=True)  # the bank's Verification of Payee answer
    # Stored messages (kassenwart.core.messages, payments/wordings.py), worded when shown: the
    # bank's last words on the order, and why it was cancelled or the last error before sending.
    bank_said = models.JSONField(null=True, blank=True)
    note = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind="transfer", scheme="", sequence_type="")
                                   | Q(kind="debit", scheme__in=["CORE", "B2B"]),
                                   name="payment_order_kind_fields"),
        ]
        # Four eyes are held per payment (Transfer, Collection): the approver of an order
        # drafted none of its payments, whoever put the run together.

    class WaitingFor(models.TextChoices):
        PAYEE = "payee", _("payee check")
        TAN = "tan", _("TAN")
        APP = "app", _("confirmation in the banking app")
        LOGIN_TAN = "login_tan", _("TAN for the login")
        LOGIN_APP = "login_app", _("app confirmation for the login")

    def __str__(self):
        return f"#{self.pk}"

    @property
    def is_debit(self) -> bool:
        return self.kind == self.Kind.DEBIT

    @property
    def purpose(self) -> str:
        """Marks the order's paused dialog at the bank connection."""
        return f"order:{self.pk}"


class Transfer(models.Model):
    """One credit transfer of an order: a single send has one, a payment run several."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="transfers")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    position = models.PositiveIntegerField(default=1)
    payee_name = models.CharField(_("payee"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=15, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    remittance = models.CharField(_("remittance information"), max_length=140, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, blank=True)  # set when queued

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="transfer_position_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            # Four eyes, held by the database too: nobody approves a payment they drafted.
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("drafted_by")),
                                   name="transfer_four_eyes"),
        ]


class SendAttempt(models.Model):
    """One try to send an order, written before the bank is called: exactly the pain message
    that went out, and what became of it."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="attempts")
    created_at = models.DateTimeField(auto_now_add=True)
    requested_date = models.DateField()
    pain = models.BinaryField(editable=False)
    schemas_checked = models.JSONField(default=list)  # the XSDs it was validated against
    delivery = models.CharField(max_length=8, default=PaymentOrder.Delivery.FINTS)  # sent, or exported as a file
    outcome = models.CharField(max_length=20, blank=True)  # the order's state it ended in
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]


# -- direct debits ---------------------------------------------------------------------------
class CreditorSettings(models.Model):
    """The company as a creditor of SEPA direct debits: its creditor identifier (Gläubiger-ID)
    and how many days before a collection the debtor is told of it (pre-notification)."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, primary_key=True,
                                   related_name="creditor_settings")
    creditor_id = models.CharField(_("creditor identifier"), max_length=35, blank=True)
    pre_notification_days = models.PositiveSmallIntegerField(_("pre-notification (days before)"), default=14)
    mail_from = models.EmailField(_("sender of pre-notifications"), blank=True)


class AccountDebitSettings(models.Model):
    """How an account collects: another creditor id than the company's, and whether its bank
    still wants the first collection of a mandate as FRST (EPC allows RCUR since 2016)."""

    account = models.OneToOneField(BankAccount, on_delete=models.CASCADE, primary_key=True,
                                   related_name="debit_settings")
    creditor_id = models.CharField(_("creditor identifier"), max_length=35, blank=True)
    first_as_frst = models.BooleanField(_("first collection as FRST"), default=False)


class Mandate(models.Model):
    """A SEPA mandate a customer (the debtor) signed: the authority to collect from their account."""

    class Kind(models.TextChoices):
        RECURRING = "recurring", _("recurring")
        ONE_OFF = "one_off", _("one-off")

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        BLOCKED = "blocked", _("blocked until amended")  # a return said the account or mandate is wrong
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")  # 36 months without a collection (EPC rulebook)

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="mandates")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="mandates")
    reference = models.CharField(_("mandate reference"), max_length=35)
    creditor_id = models.CharField(_("creditor identifier"), max_length=35)
    signed_on = models.DateField(_("signed on"))
    scheme = models.CharField(_("scheme"), max_length=4, choices=Scheme.choices, default=Scheme.CORE)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RECURRING)
    debtor_name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.ACTIVE)
    state_reason = models.CharField(max_length=8, blank=True)  # e.g. the return code that blocked it
    # Agreed with the debtor in the mandate: fewer days than the company's default (or None).
    pre_notification_days = models.PositiveSmallIntegerField(_("pre-notification (days before)"), null=True,
                                                             blank=True)
    last_collected_on = models.DateField(null=True, blank=True)  # for the 36 months; set on acceptance
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["company", "creditor_id", "reference"],
                                    name="one_mandate_per_reference_and_creditor"),
        ]

    def __str__(self):
        return self.reference


class MandateAmendment(models.Model):
    """A change of a mandate the debtor's bank must hear of with the next collection: the
    original values, sent once (amendment indicator) and then done."""

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="amendments")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    original_reference = models.CharField(max_length=35, blank=True)
    original_creditor_id = models.CharField(max_length=35, blank=True)
    original_iban = models.CharField(max_length=34, blank=True)
    other_bank = models.BooleanField(default=False)  # the debtor moved to another bank: SMNDA
    sent_with = models.ForeignKey("Collection", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="amendments_sent")

    class Meta:
        ordering = ["mandate", "pk"]


class CollectionPlan(models.Model):
    """Recurring collections under a mandate (licence fees): each due date once, each with an
    invoice of its own so it reconciles like any invoice."""

    class Interval(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        YEARLY = "yearly", _("yearly")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="collection_plans")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="plans")
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="collection_plans",
                                verbose_name=_("collecting account"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="EUR")
    interval = models.CharField(_("interval"), max_length=10, choices=Interval.choices, default=Interval.MONTHLY)
    day = models.PositiveSmallIntegerField(_("day of the month"))  # the last day in shorter months
    starts_on = models.DateField(_("first collection on or after"))
    ends_on = models.DateField(_("last collection on or before"), null=True, blank=True)
    remittance = models.CharField(_("remittance information"), max_length=100)
    invoice_prefix = models.CharField(_("invoice number prefix"), max_length=40)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Who last set its terms (amount, day): they draft its next collections, so another
    # person approves them (four eyes). None: the creator.
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["mandate", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="plan_amount_positive"),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="plan_day_of_month"),
        ]


class Collection(models.Model):
    """One direct debit: an invoice collected under a mandate, planned, then part of a debit
    order (a run), then collected or returned."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held back")  # a person must act: see hold_reason
        ORDERED = "ordered", _("in a debit run")
        COLLECTED = "collected", _("collected")  # booked on the statement
        RETURNED = "returned", _("returned")
        CANCELLED = "cancelled", _("cancelled")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="collections")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="collections")
    plan = models.ForeignKey(CollectionPlan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="collections")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="collections")
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="collections",
                                verbose_name=_("collecting account"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="EUR")
    due_date = models.DateField(_("collection date"))
    # A plan's collections: the period collected (the first day of its month, quarter or
    # year), so a changed day of the month never collects a period a second time.
    period = models.DateField(null=True, blank=True)
    remittance = models.CharField(_("remittance information"), max_length=140, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    hold_reason = models.CharField(max_length=32, blank=True)  # a code the page words
    pre_notified_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey(PaymentOrder, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="collections")
    position = models.PositiveIntegerField(default=1)  # within its order
    sequence_type = models.CharField(max_length=4, choices=SequenceType.choices, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, blank=True)  # set when queued
    return_reason = models.CharField(max_length=8, blank=True)  # the R-transaction's code
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["company", "state", "due_date"])]
        constraints = [
            # A plan never collects one due date twice: held by the database, whatever runs.
            models.UniqueConstraint(fields=["mandate", "due_date"], condition=Q(plan__isnull=False),
                                    name="one_plan_collection_per_mandate_and_due_date"),
            models.UniqueConstraint(fields=["plan", "period"], condition=Q(plan__isnull=False),
                                    name="one_collection_per_plan_and_period"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="collection_amount_positive"),
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("drafted_by")),
                                   name="collection_four_eyes"),
        ]
