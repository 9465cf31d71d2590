"""Telling admins about their people's logins."""

from django.urls import reverse

from kassenwart.companies.login_throttle import Lockout
from kassenwart.companies.models import Company, Role
from kassenwart.core.messages import message
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify


def login_lock_notify(lockout: Lockout) -> None:
    """The admins of each company of a person whose login was just locked."""
    if lockout.user is None:
        return  # an address, or a name that is no one's: the audit log has it
    text = message("companies.login_locked", user=lockout.user.get_username(), until=lockout.until.isoformat(),
                   failures=lockout.failures)
    for company in Company.objects.filter(memberships__user=lockout.user):
        notify(company, Notification.Kind.INFO, text, link=reverse("member_list"), roles=(Role.ADMIN,))
