from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kassenwart.web"
    label = "web"
