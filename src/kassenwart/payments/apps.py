from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "kassenwart.payments"
    label = "payments"
