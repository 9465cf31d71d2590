from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kassenwart.notifications"
    label = "notifications"
