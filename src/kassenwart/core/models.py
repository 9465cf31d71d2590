from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. What they may do depends on their memberships."""

    email_digest = models.BooleanField(_("daily e-mail digest of notifications"), default=False)
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    # The language of the e-mail digest: that of the page where the person asked for it
    # ("" = the site's language).
    language = models.CharField(_("language"), max_length=8, blank=True)


class AuditEvent(models.Model):
    """One state change: who, when, what, before and after. Append-only in the database."""

    # no index of its own: the company's index below leads with it (one index fewer to write
    # for each of the tens of thousands of events a matching run adds)
    company = models.ForeignKey(
        "companies.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class WorkerProcess(models.Model):
    """A running Kassenwart process that may claim work (core/workers.py): who holds a claim,
    and whether that process still lives. The row goes when the process stops cleanly."""

    id = models.CharField(primary_key=True, max_length=32)  # random, new for every process
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    # The kernel's boot id with the pid namespace, and the process's start (clock ticks since
    # boot): with the pid they name the process even after its pid is reused, and tell a
    # container's pids from another's under the same host name. Empty where /proc does not tell.
    pid_space = models.CharField(max_length=80, blank=True)
    pid_started = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.host}:{self.pid} ({self.id[:8]})"
