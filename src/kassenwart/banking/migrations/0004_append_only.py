from django.db import migrations

from kassenwart.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("banking", "0003_initial")]
    operations = [migrations.RunPython(*append_only("banking_transaction"))]
