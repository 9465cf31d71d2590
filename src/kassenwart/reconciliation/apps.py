from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "kassenwart.reconciliation"
    label = "reconciliation"
