from kassenwart.notifications.models import Notification


def unread_count(company, user) -> int:
    return Notification.objects.filter(company=company, user=user, read_at__isnull=True).count()


def latest(company, user, limit: int = 20) -> list[Notification]:
    return list(Notification.objects.filter(company=company, user=user)[:limit])


def notifications_of(company, user, *, unread: bool | None = None):
    """The user's notifications in the company; only the unread (or the read) ones if asked."""
    found = Notification.objects.filter(company=company, user=user)
    if unread is not None:
        found = found.filter(read_at__isnull=unread)
    return found
