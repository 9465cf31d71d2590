"""Idempotency keys of the API (the tokens are companies.models.ApiToken, so the web's token
page can manage them too)."""

from django.db import models

from kassenwart.companies.models import ApiToken, Company


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
