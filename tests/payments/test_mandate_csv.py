"""Reading a mandate CSV file (pure): what the CRM exports in English or German, with commas,
semicolons or tabs; every problem of the file's form named by line and column."""

from datetime import date

import pytest

from kassenwart.payments.mandate_csv import COLUMNS, MandateFileError, read_mandates

HEADER = ",".join(COLUMNS)


def csv(*rows: str, header: str = HEADER, sep: str = ",") -> bytes:
    lines = [header.replace(",", sep), *(row.replace(",", sep) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def problems(data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(MandateFileError) as caught:
        read_mandates(data)
    return [(e.line, e.column, e.code) for e in caught.value.errors]


def test_english_rows_with_iso_dates():
    rows = read_mandates(csv("MR-1,K-100,Kunde Eins GmbH,DE89 3704 0044 0532 0130 00,COBADEFFXXX,2026-03-01,CORE,recurring",
                             "MR-2,K-101,Beispiel AG,de02120300000000202051,,2026-03-02,B2B,one-off"))
    first, second = rows
    assert (first.line, first.reference, first.customer_number, first.debtor_name) == (2, "MR-1", "K-100",
                                                                                        "Kunde Eins GmbH")
    assert (first.iban, first.bic, first.signed_on) == ("DE89370400440532013000", "COBADEFFXXX", date(2026, 3, 1))
    assert (first.scheme, first.kind) == ("CORE", "recurring")
    assert (second.iban, second.bic, second.scheme, second.kind) == ("DE02120300000000202051", "", "B2B", "one_off")


@pytest.mark.parametrize("sep", [";", "\t"])
def test_german_export_with_semicolons_or_tabs(sep):
    data = csv("MR-1,K-100,Müller & Söhne KG,DE89370400440532013000,,01.03.2026,Basislastschrift,wiederkehrend",
               "MR-2,K-101,Beispiel AG,DE02120300000000202051,,2.3.2026,firmen,Einmalig", sep=sep)
    first, second = read_mandates(data)
    assert (first.debtor_name, first.signed_on, first.scheme, first.kind) == (
        "Müller & Söhne KG", date(2026, 3, 1), "CORE", "recurring")
    assert (second.signed_on, second.scheme, second.kind) == (date(2026, 3, 2), "B2B", "one_off")


def test_excel_on_windows_writes_cp1252():
    data = csv("MR-1,K-100,Jürgen Groß,DE89370400440532013000,,2026-03-01,CORE,recurring", sep=";")
    [row] = read_mandates(data.decode().encode("cp1252"))
    assert row.debtor_name == "Jürgen Groß"


def test_the_bic_column_may_be_left_out():
    header = "mandate_reference,customer_number,debtor_name,debtor_iban,signed_on,scheme,kind"
    [row] = read_mandates(csv("MR-1,K-100,Kunde,DE89370400440532013000,2026-03-01,CORE,recurring", header=header))
    assert row.bic == ""


def test_header_names_in_any_case_and_order():
    header = "KIND,Scheme,signed_on,debtor_iban,debtor_name,customer_number,Mandate_Reference"
    [row] = read_mandates(csv("einmalig,core,2026-03-01,DE89370400440532013000,Kunde,K-1,MR-9", header=header))
    assert (row.reference, row.kind, row.scheme) == ("MR-9", "one_off", "CORE")


def test_missing_columns_are_named_on_line_1():
    header = "mandate_reference,customer_number,debtor_name,signed_on"
    assert problems(csv("MR-1,K-1,Kunde,2026-03-01", header=header)) == [
        (1, "debtor_iban", "column_missing"), (1, "scheme", "column_missing"), (1, "kind", "column_missing")]


def test_every_bad_value_by_line_and_column():
    data = csv("MR-1,K-100,Kunde Eins,DE89370400440532013000,,2026-03-01,CORE,recurring",
               ",K-101,Kunde Zwei,DE02120300000000202051,,31.02.2026,SEPA,monthly",
               "MR-3,,,,,yesterday,CORE,recurring")
    assert problems(data) == [
        (3, "mandate_reference", "empty"), (3, "signed_on", "date_invalid"), (3, "scheme", "scheme_invalid"),
        (3, "kind", "kind_invalid"),
        (4, "customer_number", "empty"), (4, "debtor_name", "empty"), (4, "debtor_iban", "empty"),
        (4, "signed_on", "date_invalid"),
    ]


def test_the_error_keeps_every_row_for_the_service_to_check():
    data = csv("MR-1,K-100,Kunde Eins,DE00123,,2026-03-01,CORE,recurring",
               "MR-2,K-101,Kunde Zwei,DE02120300000000202051,,2026-13-01,CORE,recurring")
    with pytest.raises(MandateFileError) as caught:
        read_mandates(data)
    first, second = caught.value.rows
    assert (first.reference, first.iban, first.signed_on) == ("MR-1", "DE00123", date(2026, 3, 1))
    assert (second.reference, second.signed_on) == ("MR-2", None)
    assert str(caught.value.errors[0]).startswith("line 3, column signed_on: ")


def test_a_quoted_field_over_two_lines_counts_its_lines():
    data = csv('MR-1,K-100,"Kunde\nEins",DE89370400440532013000,,2026-03-01,CORE,recurring',
               "MR-2,K-101,Kunde Zwei,DE02120300000000202051,,2026-03-01,CORE,often")
    assert problems(data) == [(4, "kind", "kind_invalid")]


def test_empty_lines_are_skipped_and_an_empty_file_is_refused():
    [row] = read_mandates(csv("", "MR-1,K-1,Kunde,DE89370400440532013000,,2026-03-01,CORE,recurring", ",,,,,,,"))
    assert row.line == 3
    assert problems(csv()) == [(2, "mandate_reference", "no_rows")]
    assert problems(b"") == [(1, column, "column_missing") for column in COLUMNS if column != "debtor_bic"]
