"""Notifications stored as sentences become keys with parameters where the sentence is one of
those worded the same way in every version so far (in English or German): the counts of a
reconciliation run and a connection that needs a TAN. Any other sentence stays as it was
stored and is shown as it is (Notification.wording)."""

import re

from django.db import migrations

# key, the parameter, and the sentence in each language the web and the worker spoke
KNOWN = [
    ("reconciliation.auto_matched", "count", [
        r"(?P<count>\d+) payments? (was|were) reconciled automatically\.",
        r"(?P<count>\d+) Zahlung(en)? (wurde|wurden) automatisch zugeordnet\.",
    ]),
    ("reconciliation.needs_person", "count", [
        r"(?P<count>\d+) payments? needs? a person\.",
        r"(?P<count>\d+) Zahlung(en)? (braucht|brauchen) eine Entscheidung\.",
    ]),
    ("banking.connection_needs_tan", "name", [
        r"(?P<name>.+) needs a TAN: sync it by hand\.",
        r"(?P<name>.+) braucht eine TAN: Starten Sie den Abruf von Hand\.",
    ]),
]


def stored_message(text: str) -> tuple[str, dict] | None:
    for key, name, patterns in KNOWN:
        for pattern in patterns:
            found = re.fullmatch(pattern, text)
            if found:
                value = found[name]
                return key, {name: int(value) if name == "count" else value}
    return None


def sentences_to_keys(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for notification in Notification.objects.filter(key="").only("pk", "text").iterator():
        known = stored_message(notification.text)
        if known is not None:
            key, params = known
            Notification.objects.filter(pk=notification.pk).update(key=key, params=params, text="")


def keys_to_sentences(apps, schema_editor):
    """Backwards: the older code shows `text` only, so each keyed row is worded once more, in
    the site's language."""
    from django.conf import settings
    from django.utils import translation

    from kassenwart.core.messages import sentence

    Notification = apps.get_model("notifications", "Notification")
    with translation.override(settings.LANGUAGE_CODE):
        for notification in Notification.objects.exclude(key="").iterator():
            text = sentence({"key": notification.key, "params": notification.params})[:300]
            Notification.objects.filter(pk=notification.pk).update(text=text)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_messages_as_keys")]

    operations = [migrations.RunPython(sentences_to_keys, keys_to_sentences)]
