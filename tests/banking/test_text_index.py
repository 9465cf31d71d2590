"""The transaction list's text search finds the same right after an import, before its index
has caught up (text_search.index_new, run by a task after the commit), as afterwards."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from kassenwart.banking import text_search
from kassenwart.banking.models import Transaction
from kassenwart.banking.selectors import transaction_search
from kassenwart.banking.services import statement_import
from kassenwart.banking.tasks import text_index_task
from kassenwart.companies.services import company_create

from camt_files import camt, entry

# Names and remittances whose case folds differently in Python and in FTS5 (µ/μ, ſ/s, ß, final
# sigma, the dotted İ), umlauts in either case, and texts that look like LIKE patterns.
LINES = [
    entry("100.00", text="Rechnung RE-2026-0042 danke", name="Hans MÜLLER GmbH", end_to_end_id="E2E-4711"),
    entry("-20.00", text="µ-Technik Wartung", name="Bäckerei Krause e.K."),
    entry("30.00", text="Miete Büro ſeit Mai", name="Straße & Co 100%", iban="AT611904300234573201"),
    entry("-40.00", text="ΣΟΦΊΑ Λογιστική", name="O'Neil_Trading"),
    entry("50.00", text="İstanbul Şube", name='Firma "Anführung"'),
    entry("60.00", text="Beitrag 18974", name="krause logistik KG", iban="DE02120300000000202051"),
]
SEARCHES = ["müller", "MÜLLER", "μ-tech", "µ-TECH", "seit", "ſeit", "STRASSE", "straße", "σοφία", "ΣΟΦΊΑ",
            "istanbul", "İstanbul", "krause", "100%", "_trad", '"anführung"', "re-2026-00", "e2e-47",
            "AT61 1904 3002", "at611904", "DE0212", "nirgends"]


def _found(company, text):
    return set(transaction_search(company, text=text).values_list("pk", flat=True))


def test_a_search_right_after_an_import_finds_what_it_finds_once_indexed(company):
    other = company_create("Andere GmbH", via="test")
    statement_import(other, camt(LINES, iban="DE75512108001245126199"), file_name="other.xml", via="test")
    result = statement_import(company, camt(LINES), file_name="s.xml", via="test")
    assert result.added == len(LINES)
    if connection.vendor == "sqlite":  # the index holds none of them yet: found by reading the rows
        assert text_search.unindexed() == 2 * len(LINES)
    before = {text: _found(company, text) for text in SEARCHES}

    text_index_task.call()

    assert text_search.unindexed() == 0
    after = {text: _found(company, text) for text in SEARCHES}
    assert after == before
    ours = set(Transaction.objects.filter(company=company).values_list("pk", flat=True))
    assert all(found <= ours for found in after.values())
    assert not after["nirgends"]
    assert len(after["müller"]) == 1 and after["müller"] == after["MÜLLER"] == after["e2e-47"]
    assert len(after["krause"]) == 2 and len(after["at611904"]) == 1
    if connection.vendor == "sqlite":  # FTS5 folds µ to μ and ſ to s, Python's lower() does not
        assert len(after["μ-tech"]) == 1 and after["μ-tech"] == after["µ-TECH"]
        assert len(after["seit"]) == 1 and after["seit"] == after["ſeit"]


@pytest.mark.skipif("sqlite" not in settings.DATABASES["default"]["ENGINE"],
                    reason="PostgreSQL's index is always complete")
def test_the_index_catches_up_once_and_in_batches(company, monkeypatch):
    monkeypatch.setattr(text_search, "BATCH", 4)
    statement_import(company, camt(LINES), file_name="s.xml", via="test")
    assert text_search.index_new() == len(LINES)
    assert text_search.index_new() == 0
    assert _found(company, "krause") and text_search.unindexed() == 0
