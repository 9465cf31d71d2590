"""A parser's notes by code: the app words each code, in English exactly as the parser does."""

import io
import re

import pytest
from django.utils import translation

from kassenwart.banking.formats.statement import NOTES, note
from kassenwart.banking.models import StatementImport
from kassenwart.banking.services import statement_import
from kassenwart.core.messages import message, render

from camt_files import camt, entry


@pytest.mark.parametrize("code", sorted(NOTES))
def test_each_parser_note_is_worded_by_the_app_as_the_parser_words_it(code):
    params = {name: f"<{name}>" for name in re.findall(r"%\((\w+)\)s", NOTES[code])}
    if "places" in params:  # the places a camt warning happened again: a list
        params["places"] = ["<a>", "<b>"]
    with translation.override("en"):
        assert render(message(f"banking.file.{code}", **params)) == note(code, **params)
    with translation.override("de"):
        assert render(message(f"banking.file.{code}", **params)) != note(code, **params)


def test_camt_warnings_are_stored_by_code_and_shown_in_the_readers_language(company, admin):
    """13 entries without status (one line: the first place, ten more, "and 2 more") and a
    balance without its credit/debit indicator, read from a real import."""
    text = camt([entry(f"{n}.00", text=f"Rechnung RE-{n}") for n in range(1, 14)]).getvalue().decode()
    text = re.sub(r"<Sts><Cd>BOOK</Cd></Sts>", "", text)
    text = text.replace("<CdtDbtInd>CRDT</CdtDbtInd>", "", 1)  # the opening balance's
    result = statement_import(company, io.BytesIO(text.encode()), file_name="s.xml", user=admin, via="test")
    record = StatementImport.objects.get(pk=result.import_id)
    stored = record.details["warnings"]
    assert [warning["key"] for warning in stored] == ["banking.file.camt_balance_no_indicator",
                                                      "banking.file.repeated_more"]
    with translation.override("en"):
        english = record.warning_wordings()
    with translation.override("de"):
        german = record.warning_wordings()
    assert re.fullmatch(r"Bal OPBD \(line \d+\): balance without CdtDbtInd, taken as credit", english[0]), english
    assert re.fullmatch(r"Bal OPBD \(Zeile \d+\): Saldo ohne CdtDbtInd, als Haben übernommen", german[0]), german
    assert re.fullmatch(r"Ntry 1 \(line \d+\): no status \(Sts\), taken as booked \(also Ntry 2 \(line \d+\), "
                        r".*Ntry 11 \(line \d+\) and 2 more\)", english[1]), english
    assert re.fullmatch(r"Ntry 1 \(Zeile \d+\): kein Status \(Sts\), als gebucht übernommen \(auch Ntry 2 "
                        r"\(Zeile \d+\), .*Ntry 11 \(Zeile \d+\) und 2 weitere\)", german[1]), german


def test_a_warning_stored_in_english_words_before_codes_is_shown_as_it_was(company, admin):
    old = message("banking.as_written", text="Ntry 1 (line 20): no status (Sts), taken as booked")
    with translation.override("de"):
        assert render(old) == "Ntry 1 (line 20): no status (Sts), taken as booked"
