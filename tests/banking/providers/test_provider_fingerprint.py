"""A provider's transaction id is the key of deduplication (pure: no database)."""

from datetime import date
from decimal import Decimal

from kassenwart.banking.fingerprint import Fingerprinter
from kassenwart.banking.formats.statement import Entry


def entry(provider_id="", remittance="Order 1", amount="10.00"):
    return Entry(amount=Decimal(amount), currency="EUR", booking_date=date(2026, 11, 2), remittance=remittance,
                 provider_id=provider_id)


def test_the_same_id_is_the_same_transaction_whatever_its_text_and_however_often_seen():
    first, second = Fingerprinter(), Fingerprinter()
    seen = first("account", entry("txn_1"))
    assert second("account", entry("txn_1", remittance="Order 1 (refunded note)")) == seen
    assert first("account", entry("txn_1")) == seen  # an overlapping window shows it again: not a second one


def test_two_ids_with_the_same_content_are_two_transactions():
    prints = Fingerprinter()
    assert prints("account", entry("txn_1")) != prints("account", entry("txn_2"))


def test_entries_without_an_id_keep_their_content_fingerprints():
    plain, also_plain = Fingerprinter(), Fingerprinter()
    assert plain("account", entry()) == also_plain("account", entry())
    assert Fingerprinter()("account", entry()) != Fingerprinter()("account", entry("txn_1"))
