from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "kassenwart.core"
    label = "core"

    def ready(self):
        # Every app's message keys (its wordings.py), before any stored message is shown.
        autodiscover_modules("wordings")
