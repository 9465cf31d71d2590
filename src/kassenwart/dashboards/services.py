"""Changes of a person's home page: their own layout, or back to the role's default."""

from __future__ import annotations

from django.db import transaction

from kassenwart.companies.models import Company
from kassenwart.core.audit import record
from kassenwart.dashboards.layouts import Layout, cleaned, default_layout
from kassenwart.dashboards.models import DashboardLayout


def layout_for(company: Company, user, role: str) -> Layout:
    saved = DashboardLayout.objects.filter(company=company, user=user).first()
    if saved is None:
        return default_layout(role)
    widgets, months = cleaned(saved.widgets, saved.months)
    return Layout(widgets, months, custom=True)


@transaction.atomic
def layout_save(company: Company, user, widgets, months: int, *, via: str = "web") -> Layout:
    widgets, months = cleaned(widgets, months)
    saved, _created = DashboardLayout.objects.update_or_create(
        company=company, user=user, defaults={"widgets": list(widgets), "months": months})
    record("dashboard.changed", saved, company=company, user=user, via=via,
           after={"widgets": list(widgets), "months": months})
    return Layout(widgets, months, custom=True)


@transaction.atomic
def layout_reset(company: Company, user, role: str, *, via: str = "web") -> Layout:
    saved = DashboardLayout.objects.filter(company=company, user=user).first()
    if saved is not None:
        record("dashboard.reset", saved, company=company, user=user, via=via,
               before={"widgets": saved.widgets, "months": saved.months})
        saved.delete()
    return default_layout(role)
