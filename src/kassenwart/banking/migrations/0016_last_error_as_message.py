"""A bank connection's last error was stored as text in the language of whoever wrote it
(mostly the worker's English). It is a stored message now, worded for each reader; a text
stored before is kept as it was written (banking.as_written)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    connections = apps.get_model("banking", "BankConnection").objects
    for pk, text in connections.exclude(last_error_text="").values_list("pk", "last_error_text"):
        connections.filter(pk=pk).update(last_error={"key": "banking.as_written", "params": {"text": text}})


def backwards(apps, schema_editor):
    connections = apps.get_model("banking", "BankConnection").objects
    for pk, said in connections.exclude(last_error=None).values_list("pk", "last_error"):
        text = (said.get("params") or {}).get("text") or said.get("key", "")
        connections.filter(pk=pk).update(last_error_text=text)


class Migration(migrations.Migration):
    dependencies = [("banking", "0015_text_index_after_import")]

    operations = [
        migrations.RenameField("bankconnection", "last_error", "last_error_text"),
        migrations.AddField("bankconnection", "last_error",
                            models.JSONField(blank=True, null=True, verbose_name="last error")),
        migrations.RunPython(forwards, backwards, elidable=True),
        migrations.RemoveField("bankconnection", "last_error_text"),
    ]
