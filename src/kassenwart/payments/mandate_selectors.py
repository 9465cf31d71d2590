"""Reads for the mandate, customer and direct debit settings pages. Every function takes the
company first and never leaves it."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
from kassenwart.core.models import AuditEvent
from kassenwart.payments.models import AccountDebitSettings, CollectionPlan, CreditorSettings, Mandate
from kassenwart.receivables.models import Customer, Invoice


def mandate_search(company: Company, *, text: str = "", state: str | None = None) -> QuerySet[Mandate]:
    """Mandates by reference; `text` is looked for in the reference, the account holder, the
    IBAN and the customer's name and number."""
    found = Mandate.objects.filter(company=company).select_related("customer")
    if state:
        found = found.filter(state=state)
    text = text.strip()
    if text:
        compact = "".join(text.split()).upper()
        found = found.filter(Q(reference__icontains=text) | Q(debtor_name__icontains=text)
                             | Q(iban__icontains=compact) | Q(customer__name__icontains=text)
                             | Q(customer__number__icontains=text))
    return found.order_by("reference", "pk")


def customer_search(company: Company, *, text: str = "") -> QuerySet[Customer]:
    """Customers by name, with how many active mandates each has."""
    found = Customer.objects.filter(company=company).annotate(
        active_mandates=Count("mandates", filter=Q(mandates__state=Mandate.State.ACTIVE)))
    text = text.strip()
    if text:
        found = found.filter(Q(name__icontains=text) | Q(number__icontains=text) | Q(iban__icontains=text))
    return found.order_by("name", "pk")


def customer_mandates(company: Company, customer: Customer) -> QuerySet[Mandate]:
    return Mandate.objects.filter(company=company, customer=customer).order_by("-signed_on", "-pk")


def customer_plans(company: Company, customer: Customer) -> QuerySet[CollectionPlan]:
    return (CollectionPlan.objects.filter(company=company, mandate__customer=customer)
            .select_related("mandate", "account").order_by("-active", "starts_on", "pk"))


def customer_open_invoices(company: Company, customer: Customer) -> QuerySet[Invoice]:
    return (Invoice.objects.filter(company=company, customer=customer,
                                   status__in=[Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID])
            .order_by("due_date", "number"))


def mandate_collections(mandate: Mandate):
    return mandate.collections.select_related("invoice", "account").order_by("-due_date", "-pk")


def mandate_amendments(mandate: Mandate):
    return mandate.amendments.select_related("created_by", "sent_with").order_by("-pk")


def mandate_history(mandate: Mandate) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(company_id=mandate.company_id, object_type="payments.mandate",
                                     object_id=str(mandate.pk)).order_by("created_at", "pk")


def creditor_settings(company: Company) -> CreditorSettings:
    """The company's settings as saved, or the defaults (not saved) when there are none yet."""
    return CreditorSettings.objects.filter(company=company).first() or CreditorSettings(company=company)


def collecting_accounts(company: Company) -> list[tuple[BankAccount, AccountDebitSettings]]:
    """The company's accounts with an IBAN, each with its debit settings (defaults when none)."""
    accounts = list(BankAccount.objects.filter(company=company).exclude(iban="").order_by("name", "pk"))
    saved = {s.account_id: s for s in AccountDebitSettings.objects.filter(account__in=accounts)}
    return [(a, saved.get(a.pk) or AccountDebitSettings(account=a)) for a in accounts]
