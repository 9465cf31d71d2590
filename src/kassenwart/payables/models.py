"""Bills: invoices and credit notes the company received, read from an e-invoice (XRechnung,
ZUGFeRD / Factur-X) or a GiroCode, each kept with its original file.

A bill is paid by a transfer draft made from it (flows.bills.bill_draft_transfer): payments sit
a layer above payables, so the bill keeps the order's and the transfer's id, not a foreign key.
The bill follows its order (payments.state.transition calls services.bills_follow_order):
"paid" once the bank took the order (accepted, booked, or its pain file exported), "to pay"
again when it will not pay (cancelled, rejected, returned); `order_id` then still names the
order that did not pay it, until the bill is drafted again. A credit note is never paid out:
it reduces the next transfer to the same supplier (`offset_bill`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kassenwart.companies.models import Company

MONEY = {"max_digits": 15, "decimal_places": 2}


class BillFile(models.Model):
    """The file a bill was read from, byte for byte as it came (a blob, so backups and both
    databases keep it with the bill). One row per company and content."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "sha256"], name="one_bill_file_per_content")]


class Bill(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        CREDIT_NOTE = "credit_note", _("credit note")

    class Status(models.TextChoices):
        OPEN = "open", _("to pay")
        DRAFTED = "drafted", _("transfer drafted")
        PAID = "paid", _("paid")  # its transfer was accepted by the bank, booked, or exported
        CREDIT = "credit", _("credit to use")  # a credit note not yet set off against a bill
        OFFSET = "offset", _("set off")  # a credit note that reduced a transfer

    class Syntax(models.TextChoices):
        UBL = "ubl", "XRechnung (UBL)"
        CII = "cii", "XRechnung (CII)"
        FACTURX = "factur-x", "ZUGFeRD / Factur-X"
        GIROCODE = "girocode", "GiroCode"

    # Flags shown to the approver (Bill.flags, a list of {"code": ..., "params": {...}})
    FLAG_IBAN_CHANGED = "iban_changed"
    FLAG_NO_IBAN = "no_iban"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bills")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    syntax = models.CharField(_("format"), max_length=10, choices=Syntax.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    supplier_name = models.CharField(_("supplier"), max_length=255)
    # Who the supplier is for duplicates and IBAN history: the VAT id, else the name folded.
    supplier_key = models.CharField(max_length=255)
    supplier_vat_id = models.CharField(_("VAT id"), max_length=32, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=140, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=140, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    amount = models.DecimalField(_("amount payable"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    skonto_percent = models.DecimalField(_("Skonto percent"), max_digits=5, decimal_places=2, null=True, blank=True)
    skonto_days = models.PositiveIntegerField(_("Skonto days"), null=True, blank=True)
    skonto_date = models.DateField(_("Skonto date"), null=True, blank=True)
    skonto_amount = models.DecimalField(_("amount with Skonto"), null=True, blank=True, **MONEY)
    flags = models.JSONField(default=list, blank=True)
    # The readable view of an e-invoice: parties, lines, taxes, totals, terms (ReadBill as JSON).
    details = models.JSONField(default=dict, blank=True)
    file = models.ForeignKey(BillFile, on_delete=models.PROTECT, related_name="bills")
    # The transfer order drafted from it (payments.PaymentOrder id; payments is a layer above),
    # and its transfer in that order (payments.Transfer id: a run has one transfer per bill).
    order_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    transfer_id = models.PositiveBigIntegerField(null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    transfer_amount = models.DecimalField(_("amount transferred"), null=True, blank=True, **MONEY)
    offset_bill = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="credits_used")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "supplier_key", "kind", "invoice_number"],
                                    condition=~Q(invoice_number=""), name="one_bill_per_supplier_number"),
        ]
        indexes = [models.Index(fields=["company", "status", "due_date"], name="bill_by_status_due"),
                   # duplicates and the supplier's IBAN history, at every import
                   models.Index(fields=["company", "supplier_key", "invoice_number"], name="bill_by_supplier")]

    def __str__(self):
        return f"{self.supplier_name} {self.invoice_number}".strip()

    @property
    def flag_codes(self) -> list[str]:
        return [flag["code"] for flag in self.flags]

    @property
    def to_draft_again(self) -> bool:
        """To pay, after a transfer drafted from it was cancelled, rejected or returned."""
        return self.status == self.Status.OPEN and self.order_id is not None
