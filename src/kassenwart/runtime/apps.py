from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "kassenwart.runtime"
    label = "runtime"
