from django.apps import AppConfig
from django.db.backends.signals import connection_created


class BankingConfig(AppConfig):
    name = "kassenwart.banking"
    label = "banking"

    def ready(self):
        from kassenwart.banking.text_search import register_fold

        # the text search reads the rows its index does not hold yet with the index's folding
        connection_created.connect(register_fold, dispatch_uid="kassenwart.banking.text_search")
