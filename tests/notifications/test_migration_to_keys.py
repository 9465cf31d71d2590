"""Migration 0003: notifications stored as sentences become keys where the sentence is known."""

from importlib import import_module

from django.apps import apps
from django.utils import translation

from kassenwart.notifications.models import Notification

migration = import_module("kassenwart.notifications.migrations.0003_sentences_to_keys")


def _stored(company, user, text):
    return Notification.objects.create(company=company, user=user, kind="info", text=text)


def test_known_sentences_in_either_language_become_keys_and_others_stay(company, member):
    english = _stored(company, member, "12 payments were reconciled automatically.")
    german = _stored(company, member, "1 Zahlung braucht eine Entscheidung.")
    tan = _stored(company, member, "Sparkasse Köln needs a TAN: sync it by hand.")
    other = _stored(company, member, "The bank accepted transfer #3 (10.00 EUR).")
    migration.sentences_to_keys(apps, None)
    for note in (english, german, tan, other):
        note.refresh_from_db()
    assert (english.key, english.params, english.text) == ("reconciliation.auto_matched", {"count": 12}, "")
    assert (german.key, german.params) == ("reconciliation.needs_person", {"count": 1})
    assert (tan.key, tan.params) == ("banking.connection_needs_tan", {"name": "Sparkasse Köln"})
    assert (other.key, other.text) == ("", "The bank accepted transfer #3 (10.00 EUR).")
    with translation.override("de"):  # a German reader now reads the English-stored one in German
        assert english.wording() == "12 Zahlungen wurden automatisch zugeordnet."
        assert other.wording() == "The bank accepted transfer #3 (10.00 EUR)."


def test_backwards_the_keys_are_worded_once_more_in_the_sites_language(company, member):
    note = _stored(company, member, "2 payments need a person.")
    migration.sentences_to_keys(apps, None)
    migration.keys_to_sentences(apps, None)
    note.refresh_from_db()
    assert note.text == "2 Zahlungen brauchen eine Entscheidung."
