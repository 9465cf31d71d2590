from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    APPROVER = "approver", _("Approver")
    MEMBER = "member", _("Member")


class Company(models.Model):
    """A tenant. Every business object belongs to exactly one company."""

    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class Membership(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="one_membership_per_company")
        ]

    def __str__(self):
        return f"{self.user} @ {self.company} ({self.role})"


class SupportGrantQuerySet(models.QuerySet):
    def running(self, at=None):
        """Grants in force at `at` (now): not revoked and not yet ended. Asked on every request,
        so a grant ends by itself at its end, with no job to switch it off."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, starts_at__lte=at, ends_at__gt=at)


class SupportGrant(models.Model):
    """Time-limited access of a named support user to a company, granted by one of its admins:
    read-only (every change refused) unless `full_access`. Revoking or reaching `ends_at` ends it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="support_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_grants")
    full_access = models.BooleanField(_("full access"), default=False)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SupportGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["user", "ends_at"]),
            models.Index(fields=["company", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="support_grant_ends_after_start")
        ]

    def __str__(self):
        return f"{self.user} @ {self.company} until {self.ends_at:%Y-%m-%d %H:%M}"
