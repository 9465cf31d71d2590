from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kassenwart.companies.models import Company
from kassenwart.core.messages import sentence


class Notification(models.Model):
    """An in-app message for one user of one company (the bell)."""

    class Kind(models.TextChoices):
        AUTO_MATCHED = "auto_matched", _("Payments reconciled automatically")
        NEEDS_PERSON = "needs_person", _("Payments need a person")
        INFO = "info", _("Information")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What happened, as a message key and its parameters (kassenwart.core.messages), worded
    # when shown. `text` is a finished sentence kept from before keys; new rows leave it empty.
    key = models.CharField(max_length=80, blank=True)
    params = models.JSONField(default=dict, blank=True)
    text = models.CharField(max_length=300, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "company", "read_at"])]

    def wording(self) -> str:
        """The notification in the language and number format active now (the reader's)."""
        if not self.key:
            return self.text
        return sentence({"key": self.key, "params": self.params})
