import django.db.models.deletion
from django.db import migrations, models

from kassenwart.core.append_only import append_only


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0005_login_throttle_locks'),
        ('core', '0005_worker_processes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='company',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='companies.company'),
        ),
        # SQLite rebuilt core_auditevent above, without its triggers: put them back.
        migrations.RunPython(*append_only("core_auditevent")),
    ]
