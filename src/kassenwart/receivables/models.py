from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from kassenwart.companies.models import Company

MONEY = {"max_digits": 15, "decimal_places": 2}


class Customer(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="customers")
    number = models.CharField(_("customer number"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    # Where debit pre-notifications go, and in which language ("" = by the IBAN's country).
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True,
                                choices=[("de", _("German")), ("en", _("English"))])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="one_customer_per_number")
        ]

    def __str__(self):
        return f"{self.name} ({self.number})"


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PARTIALLY_PAID = "partially_paid", _("partially paid")
        PAID = "paid", _("paid")
        OVERPAID = "overpaid", _("overpaid")
        CREDIT_NOTE = "credit_note", _("credit note")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invoices")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=64)
    issue_date = models.DateField(_("issue date"), null=True)
    due_date = models.DateField(_("due date"), null=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    payment_reference = models.CharField(_("payment reference"), max_length=35, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issue_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="one_invoice_per_number")
        ]
        # Lookups by (company, status) use its start; the rest lets the home page sum open
        # amounts by due date from the index alone (receivables by age, the cash forecast).
        indexes = [models.Index(fields=["company", "status", "currency", "due_date", "open_amount"],
                                name="invoice_open_by_due_date")]

    def __str__(self):
        return self.number

    def is_overdue(self, today: date) -> bool:
        """Due date passed and still (partly) open."""
        return (self.due_date is not None and self.due_date < today
                and self.status in (self.Status.OPEN, self.Status.PARTIALLY_PAID))
