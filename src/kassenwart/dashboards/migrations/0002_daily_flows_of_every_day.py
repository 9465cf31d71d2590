from django.db import migrations, models


def _forget_summaries(apps, schema_editor):
    """The kept sums are a cache: summed again, with the new columns and every day, on the next read."""
    apps.get_model("dashboards", "FlowSummary").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(_forget_summaries, migrations.RunPython.noop),
        migrations.RemoveField(model_name='flowsummary', name='days_since'),
        migrations.AddField(model_name='dailyflow', name='count', field=models.PositiveIntegerField(default=0)),
        migrations.AddField(model_name='dailyflow', name='credits', field=models.PositiveIntegerField(default=0)),
        migrations.AddField(model_name='dailyflow', name='credit_total',
                            field=models.DecimalField(decimal_places=2, default=0, max_digits=17)),
        migrations.AddField(model_name='dailyflow', name='debits', field=models.PositiveIntegerField(default=0)),
    ]
