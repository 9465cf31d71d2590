from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kassenwart.api"
    label = "api"
