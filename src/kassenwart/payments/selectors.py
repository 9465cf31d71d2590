"""Reads for the payment pages."""

from django.db.models import Count, Min, QuerySet, Sum

from kassenwart.companies.models import Company
from kassenwart.core.models import AuditEvent
from kassenwart.payments.models import PaymentOrder


def orders(company: Company, *, state: str = "") -> QuerySet[PaymentOrder]:
    found = (PaymentOrder.objects.filter(company=company).select_related("account", "created_by")
             .annotate(total=Sum("transfers__amount"), transfer_count=Count("transfers"),
                       payee=Min("transfers__payee_name")).order_by("-created_at", "-pk"))
    return found.filter(state=state) if state else found


def history(order: PaymentOrder) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(company=order.company, object_type="payments.paymentorder",
                                     object_id=str(order.pk)).order_by("created_at", "pk")
