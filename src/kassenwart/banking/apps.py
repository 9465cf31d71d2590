from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "kassenwart.banking"
    label = "banking"
