"""Why a payment is not an invoice payment was stored as text: a person's words, or the app's
own English "direct debit returned (AC04)", shown in English to every reader. It is a stored
message now (reconciliation.reason.given with the person's words, or
reconciliation.reason.debit_returned with the return code), worded when shown."""

import re

from django.db import migrations, models

_RETURNED = re.compile(r"direct debit returned \((?P<code>[A-Z0-9]{4})\)")


def as_message(text: str) -> dict:
    returned = _RETURNED.fullmatch(text)
    if returned:
        return {"key": "reconciliation.reason.debit_returned", "params": {"code": returned["code"]}}
    return {"key": "reconciliation.reason.given", "params": {"text": text}}


def _as_text(message: dict) -> str:
    params = message.get("params") or {}
    if message.get("key") == "reconciliation.reason.debit_returned":
        return f"direct debit returned ({params.get('code', '')})"
    return str(params.get("text", ""))[:300]


def forwards(apps, schema_editor):
    states = apps.get_model("reconciliation", "TransactionState").objects
    for pk, text in states.exclude(ignore_text="").values_list("pk", "ignore_text").iterator():
        states.filter(pk=pk).update(ignore_reason=as_message(text))


def backwards(apps, schema_editor):
    states = apps.get_model("reconciliation", "TransactionState").objects
    for pk, message in states.exclude(ignore_reason=None).values_list("pk", "ignore_reason").iterator():
        states.filter(pk=pk).update(ignore_text=_as_text(message))


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0003_reasons_as_message_keys")]

    operations = [
        migrations.RenameField("transactionstate", "ignore_reason", "ignore_text"),
        migrations.AddField("transactionstate", "ignore_reason",
                            models.JSONField(blank=True, null=True, verbose_name="reason")),
        migrations.RunPython(forwards, backwards, elidable=True),
        migrations.RemoveField("transactionstate", "ignore_text"),
    ]
