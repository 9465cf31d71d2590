from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "kassenwart.receivables"
    label = "receivables"
