"""MT940/MT942 parser: hand-written documents for each case, fuzzing, and the shared corpus."""

import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kassenwart.banking.formats.mt940 import parse_mt940
from kassenwart.banking.formats.statement import (
    BOOKED,
    PENDING,
    StatementFormatError,
    group,
)

from bankfiles_expected import MT940_COUNTS, MT940_DIFFERENCES, MT940_REFUSED, differences
from shared_data import shared_path


def mt940(*lines: str, newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def statements(data: bytes):
    return list(group(parse_mt940(data)))


def only_statement(data: bytes):
    [(header, entries)] = statements(data)
    return header, entries


GERMAN = mt940(
    ":20:STARTUMSE",
    ":25:DE89370400440532013000",
    ":28C:00012/001",
    ":60F:C250102EUR1000,00",
    ":61:2501030103CR1234,56NMSCNONREF//BANKREF123",
    ":86:166?00SEPA-GUTSCHRIFT?10931?20EREF+RE-2025-0815-E2E?21MREF+MANDA",
    "T-77?22CRED+DE98ZZZ09999999999?23SVWZ+Rechnung RE-2025-0815 vo?2",
    "4m 02.01.2025?25ABWA+Beispiel Holding AG?26ABWE+Kassenwart GmbH?27",
    "PURP+GDDS?30COBADEFFXXX?31DE44500105175407324931?32Müller Maschine",
    "nbau GmbH & C?33o. KG",
    ":61:2501030103DR50,NDDTNONREF",
    ":86:105?00SEPA-BASIS-LASTSCHRIFT?20EREF+NOTPROVIDED?21SVWZ+Strom Janu",
    "ar 2025?30BYLADEM1001?31DE02120300000000202051?32Stadtwerke",
    ":62F:C250103EUR2184,56",
    ":64:C250103EUR2000,00",
    "-",
)


def test_german_structured_details():
    header, [credit, debit] = only_statement(GERMAN)

    assert header.format == "mt940"
    assert header.account_iban == "DE89370400440532013000"
    assert header.currency == "EUR"
    assert (header.statement_id, header.sequence) == ("STARTUMSE", "00012/001")
    assert (header.opening.amount, header.opening.date) == (Decimal("1000.00"), date(2025, 1, 2))
    assert (header.closing.amount, header.closing.kind) == (Decimal("2184.56"), "closing")
    assert header.available.amount == Decimal("2000.00")
    assert header.warnings == []

    assert credit.amount == Decimal("1234.56") and credit.currency == "EUR"
    assert (credit.booking_date, credit.value_date) == (date(2025, 1, 3), date(2025, 1, 3))
    assert credit.status == BOOKED
    assert credit.counterparty_name == "Müller Maschinenbau GmbH & Co. KG"
    assert (credit.counterparty_iban, credit.counterparty_bic) == (
        "DE44500105175407324931",
        "COBADEFFXXX",
    )
    assert credit.end_to_end_id == "RE-2025-0815-E2E"
    assert credit.mandate_id == "MANDAT-77"
    assert credit.creditor_id == "DE98ZZZ09999999999"
    assert credit.remittance == "Rechnung RE-2025-0815 vo\nm 02.01.2025"
    assert (credit.ultimate_debtor, credit.ultimate_creditor) == (
        "Beispiel Holding AG",
        "Kassenwart GmbH",
    )
    assert credit.purpose_code == "GDDS"
    assert (credit.dk_code, credit.bank_reference, credit.source) == ("166", "BANKREF123", "line 5")
    assert (credit.reversal, credit.return_reason) == (False, "")

    assert debit.amount == Decimal("-50.00")
    assert debit.end_to_end_id == ""  # NOTPROVIDED
    assert debit.bank_reference == ""  # NONREF and no bank reference
    assert debit.remittance == "Strom Januar 2025"  # a wrapped file line is no sub-field
    assert (debit.dk_code, debit.source) == ("105", "line 11")


def test_opening_plus_entries_is_closing():
    header, entries = only_statement(GERMAN)
    assert header.opening.amount + sum(e.amount for e in entries) == header.closing.amount


def test_line_endings_do_not_matter():
    lines = GERMAN.decode().splitlines()
    crlf = mt940(*lines, newline="\r\n")
    mac = mt940(*lines, newline="\r")
    assert statements(crlf) == statements(GERMAN) == statements(mac)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8", "utf-8-sig"])
def test_umlauts_in_any_encoding(encoding):
    data = mt940(
        ":20:UMLAUTE",
        ":25:DE89370400440532013000",
        ":60F:C250102EUR0,00",
        ":61:2501030103C10,00NTRFNONREF",
        ":86:166?00GUTSCHRIFT?20SVWZ+Miete Büro Straße ÄÖÜ?32Jürgen Weiß",
        ":62F:C250103EUR10,00",
        encoding=encoding,
    )
    _, [entry] = only_statement(data)
    assert entry.counterparty_name == "Jürgen Weiß"
    assert entry.remittance == "Miete Büro Straße ÄÖÜ"


def test_returned_direct_debit_and_text_key_extension():
    header, [returned, standing_order] = only_statement(
        mt940(
            ":20:RETOURE",
            ":25:DE89370400440532013000",
            ":60F:C250106EUR100,00",
            ":61:2501070107DR12,30NRTINONREF//RET-1",
            ":86:109?00SEPA-LASTSCHR. RETOURE?20EREF+INV-4711?21MREF+M-1?22CRED+DE9",
            "8ZZZ09999999999?23SVWZ+Rueckgabe?30BYLADEM1001?31DE0212030000000020",
            "2051?32Max Mustermann?34912",
            ":61:2501070107DR10,00NSTONONREF",
            ":86:008?00DAUERAUFTRAG?20Miete Dezember?3010020030?31234567?32MUELLER?34339",
            ":62F:C250107EUR77,70",
        )
    )
    assert (returned.return_reason, returned.dk_code) == ("912", "109")
    assert (returned.end_to_end_id, returned.mandate_id) == ("INV-4711", "M-1")
    assert returned.creditor_id == "DE98ZZZ09999999999"
    assert standing_order.return_reason == ""  # 339 is not a return code
    assert standing_order.counterparty_bic == ""  # ?30 holds a BLZ, not a BIC
    assert standing_order.counterparty_iban == "234567"  # account number without IBAN
    assert standing_order.remittance == "Miete Dezember"


def test_return_reason_from_swift_structured_details():
    _, [entry] = only_statement(
        mt940(
            ":20:RTRN",
            ":25:NL91ABNA0417164300",
            ":60F:C250106EUR100,00",
            ":61:2501070107D25,00NTRFNONREF",
            ":86:/RTRN/MS03/EREF/E2E-9/IBAN/NL20INGB0001234567/REMI/Invoice 9/",
            ":62F:C250107EUR75,00",
        )
    )
    assert entry.return_reason == "MS03"
    assert entry.remittance == "/RTRN/MS03/EREF/E2E-9/IBAN/NL20INGB0001234567/REMI/Invoice 9/"


def test_reversals_rc_is_a_debit_rd_a_credit():
    header, [rc, rd, lower] = only_statement(
        mt940(
            ":20:STORNO",
            ":25:DE89370400440532013000",
            ":60F:C250107EUR100,00",
            ":61:2501080108RC20,00NMSCNONREF",
            ":86:899?00STORNO GUTSCHRIFT",
            ":61:2501080108RD15,00NMSCNONREF",
            ":86:899?00STORNO LASTSCHRIFT",
            ":61:2501080108rd1,00NMSCNONREF",
            ":62F:C250108EUR96,00",
        )
    )
    assert (rc.amount, rc.reversal) == (Decimal("-20.00"), True)
    assert (rd.amount, rd.reversal) == (Decimal("15.00"), True)
    assert (lower.amount, lower.reversal) == (Decimal("1.00"), True)
    assert header.opening.amount + rc.amount + rd.amount + lower.amount == header.closing.amount


def test_entry_date_across_the_turn_of_the_year():
    _, [into_january, back_to_december] = only_statement(
        mt940(
            ":20:JAHRESWECHSEL",
            ":25:DE89370400440532013000",
            ":60F:C251230EUR100,00",
            ":61:2512310102C10,00NTRFNONREF",
            ":61:2601021231D5,00NTRFNONREF",
            ":62F:C260102EUR105,00",
        )
    )
    assert into_january.value_date == date(2025, 12, 31)
    assert into_january.booking_date == date(2026, 1, 2)
    assert back_to_december.value_date == date(2026, 1, 2)
    assert back_to_december.booking_date == date(2025, 12, 31)


def test_without_entry_date_the_value_date_is_the_booking_date():
    _, [entry] = only_statement(
        mt940(
            ":20:OHNE",
            ":25:DE89370400440532013000",
            ":60F:C250102EUR0,00",
            ":61:250103C10,00NTRFNONREF",
            ":62F:C250103EUR10,00",
        )
    )
    assert entry.booking_date == entry.value_date == date(2025, 1, 3)


def test_two_statements_two_accounts_blz_and_bic_forms():
    data = mt940(
        ":20:STMT1",
        ":25:37040044/532013000",
        ":28C:1/1",
        ":60F:C250102EUR10,00",
        ":61:2501030103D1,00NCHGNONREF",
        ":86:805?00ENTGELT",
        ":62F:C250103EUR9,00",
        "-",
        ":20:STMT2",
        ":25:12345678/1234567890EUR",
        ":60F:D250102EUR5,00",
        ":61:2501030103C7,50NTRFNONREF",
        ":62F:C250103EUR2,50",
        "-",
        ":20:STMT3",
        ":25:COBADEFFXXX/4711",
        ":60F:C250102USD0,00",
        ":62F:C250103USD0,00",
    )
    (first, [fee]), (second, [credit]), (third, []) = statements(data)
    # a known BLZ and an account number that passes its check digit method: IBAN derived
    assert first.account_iban == "DE89370400440532013000"
    assert (first.bank_code, first.account_number) == ("37040044", "532013000")
    # unknown BLZ: no IBAN is guessed
    assert (second.account_iban, second.bank_code, second.account_number) == (
        "",
        "12345678",
        "1234567890",
    )
    assert second.opening.amount == Decimal("-5.00")
    assert (third.account_bic, third.account_number, third.currency) == ("COBADEFFXXX", "4711", "USD")
    assert (fee.amount, fee.source) == (Decimal("-1.00"), "line 5")
    assert (credit.amount, credit.source) == (Decimal("7.50"), "line 12")


def test_mt942_entries_are_pending_and_floor_limits_no_entries():
    header, entries = only_statement(
        mt940(
            ":20:MT942-1",
            ":21:NONREF",
            ":25:DE89370400440532013000",
            ":28C:1/1",
            ":34F:EURD0,00",
            ":34F:EURC0,00",
            ":13D:2501101530+0100",
            ":61:2501100110C250,00NTRFNONREF",
            ":86:166?00GUTSCHRIFT?20SVWZ+Anzahlung?32Kunde AG",
            ":61:2501100110D40,00NDDTNONREF",
            ":86:105?00LASTSCHRIFT?20SVWZ+Leasing",
            ":90D:1EUR40,00",
            ":90C:1EUR250,00",
        )
    )
    assert header.format == "mt942"
    assert header.created_at == datetime(2025, 1, 10, 15, 30, tzinfo=timezone(timedelta(hours=1)))
    assert header.reported_total == Decimal("210.00")
    assert (header.opening, header.closing, header.currency) == (None, None, "EUR")
    assert [e.status for e in entries] == [PENDING, PENDING]
    assert [e.amount for e in entries] == [Decimal("250.00"), Decimal("-40.00")]
    assert sum(e.amount for e in entries) == header.reported_total


def test_swift_envelope_names_the_message_type_and_keeps_line_numbers():
    data = mt940(
        "{1:F01COBADEFFAXXX0000000000}{2:O9421200250110COBADEFFAXXX00000000002501101200N}{3:{108:X}}{4:",
        ":20:INTRADAY",
        ":25:DE89370400440532013000",
        ":61:2501100110C5,00NTRFNONREF",
        "-}{5:{CHK:123456789ABC}}",
        "{1:F01COBADEFFAXXX0000000000}{2:O9401200250110COBADEFFAXXX00000000002501101200N}{4:",
        ":20:DAILY",
        ":25:DE89370400440532013000",
        ":60F:C250109EUR0,00",
        ":61:2501100110C5,00NTRFNONREF",
        ":62F:C250110EUR5,00",
        "-}",
    )
    (intraday, [pending]), (daily, [booked]) = statements(data)
    assert (intraday.format, pending.status, pending.source) == ("mt942", PENDING, "line 4")
    assert (daily.format, booked.status, booked.source) == ("mt940", BOOKED, "line 10")


def test_balance_only_statement_is_fine():
    header, entries = only_statement(
        mt940(":20:LEER", ":25:DE89370400440532013000", ":60F:C250102EUR7,00", ":62F:C250103EUR7,00")
    )
    assert entries == []
    assert header.opening.amount == header.closing.amount == Decimal("7.00")


def test_unstructured_details_keep_their_lines():
    _, [entry] = only_statement(
        mt940(
            ":20:FREI",
            ":25:DE89370400440532013000",
            ":60F:C250102EUR0,00",
            ":61:2501030103C1,00NTRFNONREF",
            ":86:Rechnung 4711",
            "Kunde 0815",
            ":12:11 is no tag the library knows, so it is text",
            ":62F:C250103EUR1,00",
        )
    )
    assert entry.remittance == (
        "Rechnung 4711\nKunde 0815\n:12:11 is no tag the library knows, so it is text"
    )
    assert entry.dk_code == ""


def test_repairs_decimal_point_and_a_day_past_the_month_end():
    header, [entry] = only_statement(
        mt940(
            ":20:REPARATUR",
            ":25:DE89370400440532013000",
            ":60F:C251130EUR000000000100.00",
            ":61:251201C000000000050.25N051NONREF",
            ":62F:C251131EUR150,25",
        )
    )
    assert entry.amount == Decimal("50.25")
    assert entry.dk_code == "051"  # from the :61: type N051 when :86: has none
    assert header.closing.date == date(2025, 11, 30)
    assert header.warnings == ["line 5: :62F: date 251131 does not exist, read as day 30"]


def test_unreadable_informational_tag_is_a_warning():
    header, _ = only_statement(
        mt940(
            ":20:X",
            ":25:DE89370400440532013000",
            ":28C:/1",
            ":60F:C250102EUR0,00",
            ":62F:C250102EUR0,00",
        )
    )
    assert header.warnings == ["line 3: :28C: cannot be read: '/1' (RuntimeError); ignored"]


def test_a_balance_without_currency_takes_the_opening_balances_with_a_warning():
    header, [entry] = only_statement(
        mt940(
            ":20:STARTUMS",
            ":25:1222333444",
            ":60F:C020315DEM0,00",
            ":61:0203170320CM5000,00S05168790452",
            ":62M:C020315105000,00",
        )
    )
    assert header.currency == entry.currency == "DEM"
    assert (header.opening.currency, header.closing.currency) == ("DEM", "DEM")
    assert header.closing.amount == Decimal("105000.00")
    assert header.warnings == [
        "line 5: :62M: balance without currency, read as DEM (the currency of :60F: in line 3)"
    ]


def test_an_opening_balance_without_currency_takes_the_closing_balances():
    header, _ = only_statement(
        mt940(":20:X", ":25:DE89370400440532013000", ":60F:C2501021000,00", ":62F:C250102EUR1000,00")
    )
    assert header.opening.currency == header.currency == "EUR"
    assert header.warnings == [
        "line 3: :60F: balance without currency, read as EUR (the currency of :62F: in line 4)"
    ]


def test_the_corpus_file_with_a_62m_without_currency_is_read():
    path = shared_path("bankfiles", "mt940", "wolph__mt940", "mt940_tests__self-provided__raphaelm.sta")
    found = statements(path.read_bytes())
    assert [(header.account_number, header.currency, len(entries)) for header, entries in found] == [
        ("1222333444", "DEM", 6),
        ("1222333444", "DEM", 2),
        ("3346780111", "DEM", 1),
    ]
    assert [len(header.warnings) for header, _ in found] == [1, 1, 1]
    assert all("balance without currency, read as DEM" in header.warnings[0] for header, _ in found)
    second = found[1][0]
    assert second.opening.amount + sum(e.amount for e in found[1][1]) == second.closing.amount


@pytest.mark.parametrize(
    ("name", "where", "message"),
    [
        ("railslove__cmxl/spec__fixtures__mt940-headers.txt", "line 8", ":61: date 362268 does not exist (YYMMDD)"),
        ("wolph__mt940/mt940_tests__self-provided__empty_non_swift.sta", "line 1",
         "not an MT940/MT942 file: no SWIFT fields"),
        ("wolph__mt940/mt940_tests__self-provided__invalid_statement.sta", "line 1",
         "not an MT940/MT942 file: no SWIFT fields"),
    ],
)
def test_the_broken_corpus_files_are_refused_saying_why(name, where, message):
    with pytest.raises(StatementFormatError) as refused:
        statements(shared_path("bankfiles", "mt940", *name.split("/")).read_bytes())
    assert (refused.value.where, refused.value.message) == (where, message)


@pytest.mark.parametrize("line", [":61:2513030103C1,00NTRFNONREF", ":61:2501000103C1,00NTRFNONREF"])
def test_a_date_that_cannot_be_one_is_refused_saying_so(line):
    with pytest.raises(StatementFormatError) as refused:
        statements(mt940(":20:X", ":25:DE89370400440532013000", ":60F:C250102EUR0,00", line))
    assert refused.value.where == "line 4"
    assert refused.value.message == f":61: date {line[4:10]} does not exist (YYMMDD)"


@pytest.mark.parametrize(
    ("balance", "problem"),
    [
        (":60F:C250102EUR1000,001", "amount '1000.001' has more than two decimal places"),
        (":62F:D250102EUR10000000000000,00", "amount '10000000000000.00' is too large for an amount"),
    ],
)
def test_a_balance_the_books_cannot_hold_is_refused_with_its_line(balance, problem):
    lines = [":20:X", ":25:DE89370400440532013000", ":60F:C250102EUR0,00", ":62F:C250102EUR0,00"]
    lines[2 if balance.startswith(":60F:") else 3] = balance
    with pytest.raises(StatementFormatError) as refused:
        statements(mt940(*lines))
    assert refused.value.where == f"line {3 if balance.startswith(':60F:') else 4}"
    assert refused.value.message == f"{balance[:5]} {problem}"


def test_an_available_balance_the_books_cannot_hold_is_left_out_with_a_warning():
    header, _ = only_statement(
        mt940(":20:X", ":25:DE89370400440532013000", ":60F:C250102EUR0,00", ":62F:C250102EUR0,00",
              ":64:C250102EUR0,005")
    )
    assert header.available is None
    assert header.warnings == ["line 5: :64: amount '0.005' has more than two decimal places; ignored"]


def test_snippet_without_20_is_a_statement_with_warnings():
    (snippet, [entry]), (later, []) = statements(
        mt940(
            ":61:2501030103C1,00NTRFNONREF",
            ":86:166?00GUTSCHRIFT?20SVWZ+Snippet",
            ":20:LATER",
            ":25:DE89370400440532013000",
            ":25:DE02120300000000202051",
        )
    )
    assert (snippet.statement_id, snippet.account_iban, entry.remittance) == ("", "", "Snippet")
    assert snippet.warnings == [
        "line 1: statement without :20: reference",
        "line 1: statement without :25: account",
    ]
    assert later.account_iban == "DE89370400440532013000"
    assert later.warnings == ["line 5: another :25: in the statement, ignored"]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"Umsaetze Januar\nnothing to see\n", "line 1"),
        (b"", "line 1"),
        (b":NS:\n", "line 1"),
        (mt940(":20:X", ":25:DE89370400440532013000", ":61:garbage"), "line 3"),
        (mt940(":20:X", ":25:DE89370400440532013000", ":60F:C250102105000,00"), "line 3"),
        (mt940(":20:X", ":60F:C251302EUR1,00"), "line 2"),
    ],
)
def test_refused_with_the_line(data, where):
    with pytest.raises(StatementFormatError) as refused:
        statements(data)
    assert refused.value.where == where


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_parse_or_are_refused(data):
    try:
        statements(data)
    except StatementFormatError:
        pass


@FUZZ
@given(st.integers(0, len(GERMAN)), st.integers(0, 40), st.text(":?+/-\n0123456789CDRNEUR,.", max_size=12))
@example(GERMAN.index(b"1000,00") + 7, 0, "1")  # a sub-cent opening balance: refused with its line
@example(GERMAN.index(b"2000,00"), 0, "9999999999999")  # an available balance too large: a warning
def test_damaged_statement_parses_or_is_refused(at, cut, insert):
    damaged = GERMAN[:at] + insert.encode() + GERMAN[at + cut :]
    try:
        statements(damaged)
    except StatementFormatError as refused:
        assert re.fullmatch(r"(line \d+)?", refused.where)


def test_corpus():
    """Every file is read or refused as tests/bankfiles_expected.py lists, and the balances
    that do not add up are exactly those the files have."""
    folder = shared_path("bankfiles", "mt940")
    invalid = deliberately_invalid(folder.parent / "SOURCES.md")
    counts, refusals, found = Counter(), {}, Counter()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        try:
            read = statements(path.read_bytes())
        except StatementFormatError as error:
            refusals[name] = str(error)
            continue
        counts["files"] += 1
        for header, entries in read:
            counts["statements"] += 1
            counts["entries"] += len(entries)
            if header.opening and header.closing:
                counts["with opening and closing"] += 1
                difference = header.closing.amount - header.opening.amount - sum(e.amount for e in entries)
                if difference:
                    found[(name, header.statement_id, difference)] += 1
    assert sorted(refusals) == sorted(MT940_REFUSED)
    assert invalid <= set(refusals)  # the files SOURCES.md calls deliberately invalid are among them
    for name, says in MT940_REFUSED.items():
        assert refusals[name].startswith(says), (name, refusals[name])
    assert dict(counts) == MT940_COUNTS
    assert found == differences(MT940_DIFFERENCES)


def deliberately_invalid(sources) -> set[str]:
    """The files SOURCES.md lists as deliberately invalid, relative to its mt940 folder."""
    line = next(line for line in sources.read_text().splitlines() if "Deliberately invalid" in line)
    return {path.removeprefix("mt940/") for path in re.findall(r"`([^`]+)`", line)}


def test_a_sub_cent_amount_is_refused_with_its_line_not_rounded():
    data = mt940(":20:X", ":25:DE89370400440532013000", ":60F:C250102EUR1000,00",
                 ":61:2501030103CR12,345NMSCNONREF", ":86:166?20Zahlung", ":62F:C250103EUR1012,35", "-")
    with pytest.raises(StatementFormatError, match="more than two decimal places") as refused:
        statements(data)
    assert refused.value.where == "line 4"
