from django.db import migrations

from kassenwart.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(*append_only("core_auditevent"))]
