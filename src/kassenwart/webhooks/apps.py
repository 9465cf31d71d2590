from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "kassenwart.webhooks"
    label = "webhooks"
