"""API tokens and idempotency keys.

A token is shown once: `kw_<prefix>_<secret>`. Only the prefix (to find the row) and the
SHA-256 of the whole token are stored; the secret has 256 random bits, so the digest needs no
slow hash (like the recovery codes in companies/two_factor.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kassenwart.companies.models import Company


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("read")
        WRITE = "write", _("read and write")
        APPROVE = "approve", _("read, write and approve")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"])]

    def __str__(self):
        return f"{self.name} (kw_{self.prefix}_…)"


class IdempotencyKey(models.Model):
    """The first request with a key in a company: claimed by inserting this row (the unique
    constraint lets one process win, on SQLite and PostgreSQL alike), answered by storing its
    response here. Rows are kept at least KEEP (api/idempotency.py) and then removed by the
    periodic job `idempotency_keys_expire`."""

    class State(models.TextChoices):
        RUNNING = "running"
        DONE = "done"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(ApiToken, null=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path, query and body
    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "key"], name="one_idempotency_key_per_company")]
