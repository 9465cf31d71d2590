from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    APPROVER = "approver", _("Approver")
    MEMBER = "member", _("Member")


class Company(models.Model):
    """A tenant. Every business object belongs to exactly one company."""

    name = models.CharField(_("name"), max_length=200)
    # Admins and approvers always log in with a second factor; this asks it of every member.
    require_two_factor = models.BooleanField(_("two-factor login for everyone"), default=False)
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


class TotpDevice(TimestampMixin, Device):
    """An authenticator app (TOTP, RFC 6238: 6 digits, 30 s). The key is sealed to its row
    (core/secrets.py); `confirmed` once the person typed a first code from the app."""

    sealed_key = models.BinaryField()
    last_t = models.BigIntegerField(default=-1)  # the last time step used: a code works once

    class Meta:
        verbose_name = _("authenticator app")


class RecoveryCodes(TimestampMixin, Device):
    """The person's one-time recovery codes, as one device; each code is kept only hashed."""

    class Meta:
        verbose_name = _("recovery codes")


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of an 80-bit random code
    used_at = models.DateTimeField(null=True, blank=True)


class LoginThrottle(models.Model):
    """Failed logins counted per user name and per client address, and the lock they led to."""

    class Scope(models.TextChoices):
        USER = "user", _("user")
        ADDRESS = "address", _("address")

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.CharField(max_length=150)  # the user name as typed (lower case) or the IP address
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    locks = models.PositiveIntegerField(default=0)  # locks in a row: each lasts twice as long

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_throttle_per_scope_key")]


class ApiToken(models.Model):
    """A person's key to the REST API in one company, shown once: `kw_<prefix>_<secret>`. Only
    the prefix (to find the row) and the SHA-256 of the whole token are stored; the secret has
    256 random bits, so the digest needs no slow hash (like the recovery codes). What it may do
    is the smaller of its scope and its person's role (companies/api_tokens.py)."""

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
