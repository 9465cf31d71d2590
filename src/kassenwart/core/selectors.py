"""Reads of the core app. Every function takes the company first and never leaves it."""

from django.db.models import QuerySet

from kassenwart.core.models import AuditEvent


def audit_events(company) -> QuerySet[AuditEvent]:
    """The company's audit trail, newest first."""
    return AuditEvent.objects.filter(company=company).order_by("-created_at", "-id")
