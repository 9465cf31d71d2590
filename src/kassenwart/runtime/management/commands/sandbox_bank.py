from django.core.management.base import BaseCommand, CommandError

from kassenwart.banking.fints import product_id
from kassenwart.sandbox.server import add_arguments, serve


class Command(BaseCommand):
    help = "Run the FinTS 3.0 sandbox bank. It prints one JSON line with url, login, PIN and TAN."
    requires_init = False  # the sandbox keeps its ledger in memory

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, product_ids, **options):
        # It accepts the product id this installation sends (KASSENWART_FINTS_PRODUCT_ID) too.
        try:
            serve(product_ids=[*product_ids, product_id()], **options)
        except ValueError as error:
            raise CommandError(str(error)) from error
