from kassenwart.notifications.models import Notification


def unread_count(company, user) -> int:
    return Notification.objects.filter(company=company, user=user, read_at__isnull=True).count()


def latest(company, user, limit: int = 20) -> list[Notification]:
    return list(Notification.objects.filter(company=company, user=user)[:limit])
