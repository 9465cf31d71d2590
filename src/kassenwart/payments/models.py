"""Payment orders: transfers any member drafts, released by an approver who is not their
creator, sent over FinTS. The state machine is in services.py (ARCHITECTURE.md, Payments)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company


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

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="payment_orders")
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="payment_orders",
                                verbose_name=_("from account"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    requested_date = models.DateField(_("execution date"))
    instant = models.BooleanField(_("instant transfer"), default=False)
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
    # Set, and committed, before an answer goes to the bank; cleared with the bank's reply. Still
    # set later: the answer went out and its outcome never came back (the order may be executed).
    answer_sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)  # seen on the account statement
    payee_check = models.JSONField(null=True, blank=True)  # the bank's Verification of Payee answer
    bank_said = models.TextField(blank=True)  # the bank's last words on the order
    note = models.TextField(blank=True)  # why it was cancelled, or the last error before sending

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "state"])]
        constraints = [
            # Four eyes, held by the database too: nobody approves their own order.
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                                   name="payment_order_four_eyes"),
        ]

    class WaitingFor(models.TextChoices):
        PAYEE = "payee", _("payee check")
        TAN = "tan", _("TAN")
        APP = "app", _("confirmation in the banking app")
        LOGIN_TAN = "login_tan", _("TAN for the login")
        LOGIN_APP = "login_app", _("app confirmation for the login")

    def __str__(self):
        return f"#{self.pk}"

    @property
    def purpose(self) -> str:
        """Marks the order's paused dialog at the bank connection."""
        return f"order:{self.pk}"


class Transfer(models.Model):
    """One credit transfer of an order: a single send has one, a payment run several."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="transfers")
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
        ]


class SendAttempt(models.Model):
    """One try to send an order, written before the bank is called: exactly the pain message
    that went out, and what became of it."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="attempts")
    created_at = models.DateTimeField(auto_now_add=True)
    requested_date = models.DateField()
    pain = models.BinaryField(editable=False)
    schemas_checked = models.JSONField(default=list)  # the XSDs it was validated against
    outcome = models.CharField(max_length=20, blank=True)  # the order's state it ended in
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]
