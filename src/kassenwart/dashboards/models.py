from django.conf import settings
from django.db import models

from kassenwart.companies.models import Company


class DashboardLayout(models.Model):
    """One person's home page in one company: the widgets shown, in order, and the period of
    the money in and out. No row: the role's default (layouts.py)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    widgets = models.JSONField(default=list)  # widget keys, in the order shown
    months = models.PositiveSmallIntegerField(default=12)  # period of the money in and out
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="one_dashboard_per_user")]
