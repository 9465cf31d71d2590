"""An order's note and the bank's words on it are stored messages, worded for the reader; the
sentences stored as text before are turned into keys once (migration 0005), in both directions."""

import importlib
import re
from datetime import date

from django.utils import translation

from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
from kassenwart.core.messages import message, render
from kassenwart.core.models import User
from kassenwart.payments.models import PaymentOrder

MIGRATION = importlib.import_module("kassenwart.payments.migrations.0005_notes_as_messages")
BEFORE, AFTER = [("payments", "0004_order_claimed_by")], [("payments", "0005_notes_as_messages")]
APP_UNCONFIRMED = ("The bank did not report the app confirmation (The bank refused: 9942 PIN falsch.); the transfer "
                   "may have been executed. It will not be sent again by itself: check the account statement.")


def in_language(language: str, stored) -> str:
    with translation.override(language):
        return render(stored)


def test_every_sentence_of_ours_comes_back_as_its_key():
    for key, english in MIGRATION.WORDED.items():
        params = {name: "x" for name in re.findall(r"%\((\w+)\)s", english)}
        assert MIGRATION.known(english % params if params else english) == {"key": key, "params": params}, key


def test_nested_and_german_sentences_and_other_words():
    unconfirmed = MIGRATION.as_message(APP_UNCONFIRMED, kept_as="banking.bank_said")
    refused = message("banking.fints.refused", said="9942 PIN falsch.")
    assert unconfirmed == message("payments.app_unconfirmed", said=refused)
    assert in_language("de", unconfirmed).startswith(
        "Die Bank hat die Freigabe in der App nicht gemeldet (Die Bank hat abgelehnt: 9942 PIN falsch.);")
    with translation.override("de"):  # a worker that ran in German
        german = render(message("banking.fints.unreachable", error="timed out"))
    assert MIGRATION.as_message(german, kept_as="payments.given") == message("banking.fints.unreachable",
                                                                              error="timed out")
    assert MIGRATION.as_message("Lieferant hat storniert ", kept_as="payments.given") == message(
        "payments.given", text="Lieferant hat storniert")
    assert MIGRATION.as_message("0020 Auftrag ausgeführt.", kept_as="banking.bank_said") == message(
        "banking.bank_said", text="0020 Auftrag ausgeführt.")
    assert MIGRATION.as_message("", kept_as="payments.given") is None


def orders(count: int) -> list[PaymentOrder]:
    """Bare orders, made without the services: they write audit events, which are append-only
    and would stop the database being emptied after this test (SQLite deletes row by row)."""
    company = Company.objects.create(name="Nordlicht Software GmbH")
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE02120300000000202051")
    user = User.objects.create(username="migration")
    return [PaymentOrder.objects.create(company=company, account=account, created_by=user,
                                        requested_date=date(2026, 12, 7)) for _ in range(count)]


def test_the_migration_turns_stored_sentences_into_keys_and_back(migrations):
    uploaded, moved, cancelled = orders(3)
    PaymentOrder.objects.filter(pk=uploaded.pk).update(note=message("payments.uploaded", user="anna"))
    executor = migrations
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("payments", "PaymentOrder").objects
    assert old.get(pk=uploaded.pk).note == "Uploaded to the bank by anna." and old.get(pk=moved.pk).note == ""
    old.filter(pk=moved.pk).update(note=f"moved into run #{cancelled.pk}", bank_said=APP_UNCONFIRMED)
    old.filter(pk=cancelled.pk).update(note="Doppelt erfasst", bank_said="0020 Auftrag ausgeführt.")

    executor.loader.build_graph()
    executor.migrate(AFTER)

    notes = {o.pk: (o.note, o.bank_said) for o in PaymentOrder.objects.all()}
    assert notes[uploaded.pk] == (message("payments.uploaded", user="anna"), None)
    assert in_language("de", notes[moved.pk][0]) == f"in Zahlungslauf #{cancelled.pk} übernommen"
    assert notes[moved.pk][1]["key"] == "payments.app_unconfirmed"
    assert notes[cancelled.pk] == (message("payments.given", text="Doppelt erfasst"),
                                   message("banking.bank_said", text="0020 Auftrag ausgeführt."))
