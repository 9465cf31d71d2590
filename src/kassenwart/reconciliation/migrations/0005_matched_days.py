import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Sum

TAKEN = ["matched", "partially_matched"]


def sum_matched_days(apps, schema_editor):
    """The days of the payments matched so far (later kept by the services)."""
    Transaction = apps.get_model("banking", "Transaction")
    MatchedDay = apps.get_model("reconciliation", "MatchedDay")
    rows = (Transaction.objects.filter(state__status__in=TAKEN, booking_date__isnull=False).order_by()
            .values("company_id", "account_id", "currency", "booking_date")
            .annotate(rows=Count("id"), total=Sum("amount")))
    MatchedDay.objects.bulk_create(
        (MatchedDay(company_id=row["company_id"], account_id=row["account_id"], currency=row["currency"],
                    day=row["booking_date"], count=row["rows"], total_cents=round(row["total"] * 100))
         for row in rows.iterator()),
        batch_size=2000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('banking', '0016_last_error_as_message'),
        ('companies', '0005_login_throttle_locks'),
        ('reconciliation', '0004_ignore_reason_as_message'),
    ]

    operations = [
        migrations.CreateModel(
            name='MatchedDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('day', models.DateField()),
                ('count', models.IntegerField(default=0)),
                ('total_cents', models.BigIntegerField(default=0)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='banking.bankaccount')),
                ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='companies.company')),
            ],
            options={
                'indexes': [models.Index(fields=['company', 'day'], name='reconciliat_company_739bed_idx')],
                'constraints': [models.UniqueConstraint(fields=('account', 'currency', 'day'), name='matched_day_unique')],
            },
        ),
        migrations.RunPython(sum_matched_days, migrations.RunPython.noop),
    ]
