from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kassenwart.core"
    label = "core"
