from django.apps import AppConfig


class PayablesConfig(AppConfig):
    name = "kassenwart.payables"
    label = "payables"
