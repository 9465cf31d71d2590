"""Bank CSV parser: one sample per profile in the bank's layout, errors, mappings, amounts."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kassenwart.banking.formats.bank_csv import PROFILES, CsvMapping, detect_profile, parse_csv
from kassenwart.banking.formats.statement import BOOKED, PENDING, StatementFormatError, group


def csv_file(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def statements(data: bytes, profile: str, **kwargs):
    return list(group(parse_csv(data, PROFILES[profile], **kwargs)))


def only_statement(data: bytes, profile: str, **kwargs):
    [(header, entries)] = statements(data, profile, **kwargs)
    return header, entries


# Sparkassen "CSV-CAMT V2": cp1252, every cell quoted, two-digit years, own IBAN per row.
SPARKASSE = csv_file(
    '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
    '"Glaeubiger ID";"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";'
    '"Lastschrift Ursprungsbetrag";"Auslagenersatz Ruecklastschrift";'
    '"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"BIC (SWIFT-Code)";"Betrag";'
    '"Waehrung";"Info"',
    '"DE89370400440532013000";"24.09.26";"24.09.26";"FOLGELASTSCHRIFT";'
    '"Abschlag 09/2026 Vertragskonto 123456";"DE98ZZZ09999999999";"M-4711";"E2E-0924-1";"";"";"";'
    '"Stadtwerke Musterstadt GmbH";"DE02120300000000202051";"BYLADEM1001";"-89,90";"EUR";'
    '"Umsatz gebucht"',
    '"DE89370400440532013000";"23.09.26";"23.09.26";"GUTSCHR. UEBERWEISUNG";'
    '"Rechnung RE-2026-0815; Danke";"";"";"NOTPROVIDED";"";"";"";"Müller & Söhne KG";'
    '"DE44 5001 0517 5407 3249 31";"INGDDEFFXXX";"1190,00";"EUR";"Umsatz gebucht"',
    '"DE89370400440532013000";"25.09.26";"25.09.26";"KARTENZAHLUNG";"Tankstelle Nord";"";"";"";"";'
    '"";"";"";"";"";"-45,10";"EUR";"Umsatz vorgemerkt"',
    encoding="cp1252",
)

# Deutsche Bank / Postbank: signed Betrag plus Soll/Haben (older files: Betrag empty),
# D.M.YYYY dates, a "Kontostand" line after the data.
DEUTSCHE_BANK = csv_file(
    "Umsätze Girokonto;Zeitraum: 01.12.2024 - 31.12.2024;",
    "IBAN;DE89 3704 0044 0532 0130 00",
    "",
    "Buchungstag;Wert;Umsatzart;Begünstigter / Auftraggeber;Verwendungszweck;IBAN / Kontonummer;"
    "BIC;Kundenreferenz;Mandatsreferenz;Gläubiger ID;Fremde Gebühren;Betrag;Abweichender Empfänger;"
    "Anzahl der Aufträge;Anzahl der Schecks;Soll;Haben;Währung",
    "31.12.2024;31.12.2024;SEPA Lastschrift;Bitpanda GmbH;Savings Plan savings-1432415539;"
    "DE12202208000000020906;;Dl7ZzQEJy(bIJHtF;DDM-VFUDWY2EBVHLZAMOXWXQ4P;AT34ZZZ00000066060;;"
    "-25;;;;-25;;EUR",
    "15.12.2024;15.12.2024;SEPA-Überweisung;Kunde AG;RE-2024-1201;DE44500105175407324931;"
    "INGDDEFFXXX;NOTPROVIDED;;;;1.250,00;;;;;1.250,00;EUR",
    "2.12.2024;2.12.2024;Kartenzahlung;ALDI;Einkauf;;;;;;;;;;;-8,4;;EUR",
    "Kontostand;31.12.2024;;;1.516,60;EUR",
    encoding="utf-8-sig",
)

# Commerzbank: counterparty and purpose in "Buchungstext", trailing zeros left out.
COMMERZBANK = csv_file(
    "Buchungstag;Wertstellung;Umsatzart;Buchungstext;Betrag;Währung;IBAN Kontoinhaber;Kategorie",
    "28.05.2026;28.05.2026;Lastschrift;HAVI Logistics GmbH Warenlieferung KW21 End-to-End-Ref.: "
    "E2E-7;-12.480,55;EUR;DE89370400440532013000;",
    "30.05.2026;31.05.2026;Gutschrift;Kunde AG Rechnung 4711;2040;EUR;DE89370400440532013000;Umsatz",
    "02.06.2026;02.06.2026;Entgelt;Kontoführung;-3,9;EUR;DE89370400440532013000;",
    encoding="utf-8-sig",
)

# ING "Umsatzanzeige": preamble with the IBAN, newest first, running balance, two "Währung".
ING = csv_file(
    "Umsatzanzeige;Datei erstellt am: 26.09.2026 10:00",
    ";Letztes Update: aktuell",
    "",
    "IBAN;DE12 5001 0517 0648 4898 90",
    "Kontoname;Girokonto",
    "Bank;ING",
    "Kunde;Nordlicht Software GmbH",
    "Zeitraum;01.09.2026 - 26.09.2026",
    "Saldo;3.687,44;EUR",
    "",
    "Sortierung;Datum absteigend",
    "",
    "In der CSV-Datei finden Sie alle bereits gebuchten Umsätze. Die vorgemerkten Umsätze werden "
    "nicht aufgenommen, auch wenn sie in Ihrem Internetbanking angezeigt werden.",
    "",
    "Buchung;Wertstellungsdatum;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;Währung;"
    "Betrag;Währung",
    "10.09.2026;10.09.2026;Tankstelle;Lastschrift;Tanken;3.687,44;EUR;-1.234,56;EUR",
    "09.09.2026;09.09.2026;Stadtwerke;Lastschrift;Abschlag Strom;4.922,00;EUR;-78,00;EUR",
    "01.09.2026;01.09.2026;Kunde AG;Gutschrift;Rechnung 4711;5.000,00;EUR;2.000,00;EUR",
)

# DKB since 2023: UTF-8 with BOM, payer and payee columns, "Vorgemerkt" rows, "1.000" amounts.
DKB = csv_file(
    '"Girokonto";"DE02120300000000202051"',
    '""',
    '"Kontostand vom 30.06.2023:";"5.000,01 €"',
    '""',
    '"Buchungsdatum";"Wertstellung";"Status";"Zahlungspflichtige*r";"Zahlungsempfänger*in";'
    '"Verwendungszweck";"Umsatztyp";"IBAN";"Betrag (€)";"Gläubiger-ID";"Mandatsreferenz";"Kundenreferenz"',
    '"01.06.23";"01.06.23";"Gebucht";"COMPANY INC";"NORDLICHT SOFTWARE GMBH";"Rechnung 4711";'
    '"Eingang";"DE44500105175407324931";"1.000";"";"";""',
    '"15.06.23";"15.06.23";"Gebucht";"NORDLICHT SOFTWARE GMBH";"EDEKA//MUENCHEN/DE";'
    '"EDEKA SAGT DANKE";"Ausgang";"";"-8,67 €";"";"";"00000000000000000000000000"',
    '"01.07.23";"";"Vorgemerkt";"NORDLICHT\nSOFTWARE GMBH";"ERIKA MUSTERMANN";"MIETE";"Ausgang";'
    '"DE42500105175407324385";"-1.450";"DE98ZZZ09999999999";"M-1";"E2E-1"',
    encoding="utf-8-sig",
)

# comdirect: cp1252, a ";" line, balances before and after the data, "offen" rows, and a
# credit card section after an empty line.
COMDIRECT = csv_file(
    ";",
    '"Umsätze Girokonto";"Zeitraum: 30 Tage";',
    '"Neuer Kontostand";"1.134,11 EUR";',
    "",
    '"Buchungstag";"Wertstellung (Valuta)";"Vorgang";"Buchungstext";"Umsatz in EUR";',
    '"offen";"--";"Lastschrift / Belastung";"Buchungstext: Tankstelle Nord Ref. 1";"-20,00";',
    '"27.10.2025";"27.10.2025";"Lastschrift / Belastung";"Auftraggeber: Stadtwerke Buchungstext: '
    'Abschlag Strom Ref. 2";"-66,99";',
    '"01.10.2025";"01.10.2025";"Übertrag / Überweisung";"Auftraggeber: Kunde AG Buchungstext: '
    'RE-2025-1001 Ref. 3";"1.000,00";',
    '"Alter Kontostand";"201,10 EUR";',
    "",
    '"Umsätze Visa-Karte (Kreditkarte)";"Zeitraum: 30 Tage";',
    '"Neuer Kontostand";"-19,99 EUR";',
    "",
    '"Buchungstag";"Umsatztag";"Vorgang";"Referenz";"Buchungstext";"Umsatz in EUR";',
    '"07.10.2025";"06.10.2025";"Visa-Umsatz";"R1";"AMAZON EU";"-19,99";',
    encoding="cp1252",
)

# Volksbanken Raiffeisenbanken (Atruvia): no quotes, own IBAN per row, "Saldo nach Buchung".
VOLKSBANK = csv_file(
    "Bezeichnung Auftragskonto;IBAN Auftragskonto;BIC Auftragskonto;Bankname Auftragskonto;"
    "Buchungstag;Valutadatum;Name Zahlungsbeteiligter;IBAN Zahlungsbeteiligter;"
    "BIC (SWIFT-Code) Zahlungsbeteiligter;Buchungstext;Verwendungszweck;Betrag;Waehrung;"
    "Saldo nach Buchung;Bemerkung;Gekennzeichneter Umsatz;Glaeubiger ID;Mandatsreferenz",
    "Girokonto;DE02120300000000202051;BYLADEM1001;Volksbank Beispiel eG;01.09.2026;01.09.2026;"
    "Kunde AG;DE44500105175407324931;INGDDEFFXXX;Gutschrift;Rechnung 4711;2950,68;EUR;14846,94;;;;",
    "Girokonto;DE02120300000000202051;BYLADEM1001;Volksbank Beispiel eG;02.09.2026;02.09.2026;"
    "Muster Software GmbH;DE42500105175407324385;COBADEFFXXX;Basislastschrift;Rechnung MS-10023 "
    "EREF: MS-10023 MREF: M-99 CRED: DE98ZZZ09999999999;-119,00;EUR;14727,94;;;DE98ZZZ09999999999;M-99",
    "Tagesgeld;DE89370400440532013000;BYLADEM1001;Volksbank Beispiel eG;03.09.2026;03.09.2026;"
    "Nordlicht Software GmbH;DE02120300000000202051;BYLADEM1001;Umbuchung;Übertrag;-1000,00;EUR;"
    "5000,00;;;;",
    encoding="utf-8-sig",
)

SAMPLES = {
    "sparkasse": SPARKASSE,
    "deutsche_bank": DEUTSCHE_BANK,
    "commerzbank": COMMERZBANK,
    "ing": ING,
    "dkb": DKB,
    "comdirect": COMDIRECT,
    "volksbank": VOLKSBANK,
}


@pytest.mark.parametrize("profile", list(SAMPLES))
def test_detect_profile(profile):
    assert detect_profile(SAMPLES[profile]) == profile


@pytest.mark.parametrize("profile", list(SAMPLES))
def test_detect_profile_from_the_beginning_only(profile):
    data = SAMPLES[profile]
    header_end = data.index(b"\n", data.index(b"Buch")) + 1
    assert detect_profile(data[: header_end + 5]) == profile


def test_detect_profile_when_the_beginning_cuts_a_character_in_half():
    """The importer reads the first 64 KiB; a UTF-8 file must not turn into cp1252 there."""
    euro = DKB.index("€".encode(), DKB.index(b"\n", DKB.index(b"Buchungsdatum")))
    assert detect_profile(DKB[: euro + 1]) == "dkb"


def test_detect_profile_of_unknown_csv():
    assert detect_profile(b"Datum;Betrag;Name\n01.01.2026;1,00;X\n") is None
    assert detect_profile(b"\x00\xff garbage") is None


def test_sparkasse_csv_camt():
    header, [debit, credit, pending] = only_statement(SPARKASSE, "sparkasse")
    assert header.format == "csv:sparkasse"
    assert (header.account_iban, header.currency, header.warnings) == ("DE89370400440532013000", "EUR", [])
    assert (debit.amount, debit.booking_date, debit.value_date) == (
        Decimal("-89.90"),
        date(2026, 9, 24),
        date(2026, 9, 24),
    )
    assert (debit.counterparty_name, debit.counterparty_iban, debit.counterparty_bic) == (
        "Stadtwerke Musterstadt GmbH",
        "DE02120300000000202051",
        "BYLADEM1001",
    )
    assert (debit.end_to_end_id, debit.mandate_id, debit.creditor_id) == (
        "E2E-0924-1",
        "M-4711",
        "DE98ZZZ09999999999",
    )
    assert (debit.remittance, debit.status, debit.source) == (
        "Abschlag 09/2026 Vertragskonto 123456",
        BOOKED,
        "line 2",
    )
    assert credit.counterparty_name == "Müller & Söhne KG"
    assert credit.counterparty_iban == "DE44500105175407324931"
    assert credit.end_to_end_id == ""  # NOTPROVIDED
    assert (pending.status, pending.amount) == (PENDING, Decimal("-45.10"))


def test_deutsche_bank_soll_haben_and_closing_line():
    header, [lastschrift, gutschrift, old_style] = only_statement(DEUTSCHE_BANK, "deutsche_bank")
    assert header.account_iban == "DE89370400440532013000"  # from the preamble
    assert (header.closing.amount, header.closing.date) == (Decimal("1516.60"), date(2024, 12, 31))
    assert header.opening is None
    assert lastschrift.amount == Decimal("-25.00")
    assert (lastschrift.end_to_end_id, lastschrift.mandate_id, lastschrift.creditor_id) == (
        "Dl7ZzQEJy(bIJHtF",
        "DDM-VFUDWY2EBVHLZAMOXWXQ4P",
        "AT34ZZZ00000066060",
    )
    assert (gutschrift.amount, gutschrift.end_to_end_id) == (Decimal("1250.00"), "")
    assert (old_style.amount, old_style.booking_date) == (Decimal("-8.40"), date(2024, 12, 2))
    assert old_style.source == "line 7"


def test_commerzbank():
    header, entries = only_statement(COMMERZBANK, "commerzbank")
    assert header.account_iban == "DE89370400440532013000"
    assert [e.amount for e in entries] == [Decimal("-12480.55"), Decimal("2040.00"), Decimal("-3.90")]
    assert entries[1].value_date == date(2026, 5, 31)
    assert entries[1].remittance == "Kunde AG Rechnung 4711"


def test_ing_running_balance_newest_first():
    header, entries = only_statement(ING, "ing")
    assert header.account_iban == "DE12500105170648489890"
    assert header.opening.amount == Decimal("3000.00")
    assert (header.closing.amount, header.closing.date) == (Decimal("3687.44"), date(2026, 9, 10))
    assert header.opening.amount + sum(e.amount for e in entries) == header.closing.amount
    assert [e.counterparty_name for e in entries] == ["Tankstelle", "Stadtwerke", "Kunde AG"]
    assert entries[0].currency == "EUR" and entries[0].source == "line 16"


def test_ing_older_layout_without_balance_column():
    data = csv_file(
        "Umsatzanzeige;Datei erstellt am: 25.07.2018 12:00",
        "",
        "IBAN;DE12 5001 0517 0648 4898 90",
        "",
        "Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Betrag;Währung",
        "08.06.2018;08.06.2018;REWE Filialen Voll;Lastschrift;REWE SAGT DANKE;-12,34;EUR",
        encoding="latin-1",
    )
    header, [entry] = only_statement(data, "ing")
    assert entry.value_date == date(2018, 6, 8)
    assert (header.opening, header.closing) == (None, None)
    assert header.warnings == ['line 5: column "Saldo" is not in the file']


def test_dkb_payer_or_payee_by_direction_and_pending():
    header, [salary, card, rent] = only_statement(DKB, "dkb")
    assert header.account_iban == "DE02120300000000202051"
    assert (salary.amount, salary.counterparty_name) == (Decimal("1000.00"), "COMPANY INC")
    assert (card.amount, card.counterparty_name) == (Decimal("-8.67"), "EDEKA//MUENCHEN/DE")
    assert card.end_to_end_id == "00000000000000000000000000"
    assert (rent.status, rent.value_date, rent.amount) == (PENDING, None, Decimal("-1450.00"))
    assert (rent.counterparty_name, rent.source) == ("ERIKA MUSTERMANN", "line 8")
    assert (rent.mandate_id, rent.creditor_id) == ("M-1", "DE98ZZZ09999999999")


def test_comdirect_balances_pending_and_second_section():
    header, [pending, strom, kunde] = only_statement(COMDIRECT, "comdirect")
    assert (header.opening.amount, header.closing.amount) == (Decimal("201.10"), Decimal("1134.11"))
    assert (pending.status, pending.booking_date, pending.value_date) == (PENDING, None, None)
    booked = [e.amount for e in (strom, kunde) if e.status == BOOKED]
    assert header.opening.amount + sum(booked) == header.closing.amount
    assert kunde.remittance == "Auftraggeber: Kunde AG Buchungstext: RE-2025-1001 Ref. 3"


def test_volksbank_one_statement_per_account():
    (giro, entries), (savings, [transfer]) = statements(VOLKSBANK, "volksbank")
    assert giro.account_iban == "DE02120300000000202051"
    assert (giro.opening.amount, giro.closing.amount) == (Decimal("11896.26"), Decimal("14727.94"))
    assert [e.counterparty_bic for e in entries] == ["INGDDEFFXXX", "COBADEFFXXX"]
    assert (entries[1].mandate_id, entries[1].creditor_id) == ("M-99", "DE98ZZZ09999999999")
    assert savings.account_iban == "DE89370400440532013000"
    assert (savings.opening.amount, savings.closing.amount) == (Decimal("6000.00"), Decimal("5000.00"))
    assert transfer.source == "line 4"


def test_running_balance_that_does_not_add_up_gives_no_balances():
    data = VOLKSBANK.replace(b"14727,94", b"14000,00")
    giro, _ = statements(data, "volksbank")[0]
    assert (giro.opening, giro.closing) == (None, None)
    assert giro.warnings == ["line 2: the running balance does not add up; no balances taken"]


def test_caller_account_and_currency_apply_when_the_file_has_none():
    header, [entry] = only_statement(
        csv_file("Buchungstag;Wertstellung;Umsatzart;Buchungstext;Betrag", "01.02.2026;;Gutschrift;X;5"),
        "commerzbank",
        account_iban="DE89 3704 0044 0532 0130 00",
        currency="CHF",
    )
    assert header.account_iban == "DE89370400440532013000"
    assert (header.currency, entry.currency) == ("CHF", "CHF")
    assert entry.value_date is None


def test_custom_mapping_header_row_and_joined_remittance():
    mapping = CsvMapping(
        delimiter=",",
        decimal_comma=False,
        thousands_separator=",",
        date_format="%Y-%m-%d",
        header_row=1,
        booking_date="Date",
        amount="Amount",
        remittance=("Reference 1", "Reference 2"),
        bank_reference="Transaction ID",
    )
    data = csv_file(
        "Export of account 4711,,,,",
        "Date,Amount,Reference 1,Reference 2,Transaction ID",
        '2026-03-01,"-1,234.50",Invoice 17,Customer 4,TX-1',
        "2026-03-02,20,,only the second,TX-2",
    )
    header, [first, second] = list(group(parse_csv(data, mapping)))[0]
    assert header.format == "csv:custom"
    assert (first.amount, first.remittance, first.bank_reference) == (
        Decimal("-1234.50"),
        "Invoice 17\nCustomer 4",
        "TX-1",
    )
    assert second.remittance == "only the second"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            SPARKASSE.replace(b'"-89,90"', b'"12,3x"'),
            'line 2, column "Betrag": "12,3x" is not an amount',
        ),
        (
            SPARKASSE.replace(b'"23.09.26";"23.09.26"', b'"31.02.26";"23.09.26"'),
            'line 3, column "Buchungstag": "31.02.26" is not a date (%d.%m.%y|%d.%m.%Y)',
        ),
        (
            SPARKASSE.replace(b'"-45,10"', b'""'),
            'line 4, column "Betrag": the row has no amount',
        ),
        (
            b"Datum;Summe\n01.01.2026;1,00\n",
            'line 1: no header row with the columns "Buchungstag", "Betrag"',
        ),
        (
            SPARKASSE + b'"";"Summe";"";"";"";"";"";"";"";"";"";"";"";"";"-1,00";"EUR";""\r\n',
            'line 5, column "Buchungstag": "Summe" is not a date (%d.%m.%y|%d.%m.%Y)',
        ),
        (
            b'"Buchungstag";"Betrag"\n"01.01.26";"1"\n"02.01.26";"' + b"x" * 200_000 + b'"\n',
            "line 3: not CSV: field larger than field limit (131072)",
        ),
    ],
)
def test_refused_with_line_and_column(data, message):
    with pytest.raises(StatementFormatError) as refused:
        list(parse_csv(data, PROFILES["sparkasse"]))
    assert str(refused.value) == message


THIRTY_DIGITS = "1" * 30


@pytest.mark.parametrize(
    ("data", "profile", "message"),
    [
        (
            SPARKASSE.replace(b'"-89,90"', f'"-{THIRTY_DIGITS},90"'.encode()),
            "sparkasse",
            f"line 2, column \"Betrag\": '-{THIRTY_DIGITS}.90' is too large for an amount",
        ),
        (
            SPARKASSE.replace(b'"-89,90"', b'"-10.000.000.000.000,00"'),
            "sparkasse",
            "line 2, column \"Betrag\": '-10000000000000.00' is too large for an amount",
        ),
        (
            COMDIRECT.replace(b'"1.134,11 EUR"', f'"{THIRTY_DIGITS} EUR"'.encode()),
            "comdirect",
            f"line 3, \"Neuer Kontostand\": '{THIRTY_DIGITS}.0' is too large for an amount",
        ),
        (   # each balance fits; the opening worked out from the first does not
            VOLKSBANK.replace(b"2950,68;EUR;14846,94", b"-9999999999999,99;EUR;9999999999999,99")
            .replace(b"14727,94", b"9999999999880,99"),
            "volksbank",
            "line 2: '19999999999999.98' is too large for an amount",
        ),
    ],
)
def test_an_amount_too_large_for_the_books_is_refused_with_its_line(data, profile, message):
    """27 digits and more once raised InvalidOperation: a traceback on the command line, an
    HTTP 500 in the web (issue 12)."""
    with pytest.raises(StatementFormatError) as refused:
        statements(data, profile)
    assert str(refused.value) == message


def test_an_amount_followed_by_a_long_run_of_spaces_is_refused_with_its_line():
    """scripts/fuzz found it: a cell of thousands of spaces made the currency mark's pattern
    take n² steps (5 s for 24 KB). The mark is still taken off as before."""
    spaces = " " * 15_000
    with pytest.raises(StatementFormatError) as refused:
        statements(SPARKASSE.replace(b'"-89,90"', f'"-89,90{spaces}x"'.encode()), "sparkasse")
    assert refused.value.where == 'line 2, column "Betrag"'
    assert refused.value.message == f'"-89,90{spaces}x" is not an amount'
    for written in ("-89,90 EUR", "-89,90EUR", "-89,90 €", f"-89,90{spaces}€", "- 89,90"):
        _header, entries = only_statement(SPARKASSE.replace(b'"-89,90"', f'"{written}"'.encode("cp1252")), "sparkasse")
        assert entries[0].amount == Decimal("-89.90")


def test_header_row_without_the_columns_is_refused():
    mapping = CsvMapping(header_row=0, booking_date="Buchungstag", amount="Betrag")
    with pytest.raises(StatementFormatError) as refused:
        list(parse_csv(ING, mapping))
    assert str(refused.value) == (
        'line 1: the header row lacks one of the columns "Buchungstag", "Betrag"'
    )


def test_mapping_without_amount_is_refused():
    with pytest.raises(StatementFormatError, match="needs a booking date and an amount"):
        list(parse_csv(COMMERZBANK, CsvMapping(booking_date="Buchungstag")))


def test_mapping_round_trips_through_json():
    for mapping in PROFILES.values():
        assert CsvMapping.from_dict(json.loads(json.dumps(mapping.to_dict()))) == mapping


def test_mapping_from_dict_tolerates_other_versions_and_refuses_nonsense():
    saved = {"booking_date": "Datum", "amount": "Betrag", "remittance": "Zweck", "colour": "blue"}
    assert CsvMapping.from_dict(saved).remittance == ("Zweck",)
    assert CsvMapping.from_dict({**saved, "amount": 5}).amount == "#5"  # a column by its number
    broken_ones = ({"delimiter": ";;"}, {"booking_date": 5.5}, {"header_row": -1}, {"thousands_separator": ","})
    for broken in broken_ones:
        with pytest.raises(StatementFormatError, match="column mapping"):
            CsvMapping.from_dict(broken)


GERMAN_NUMBERS = CsvMapping(booking_date="Buchungstag", amount="Betrag")
TWO_PLACES = st.decimals(
    min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False
)


def german(amount: Decimal, thousands: bool) -> str:
    sign, digits = ("-" if amount < 0 else ""), f"{abs(amount):.2f}"
    whole, cents = digits.split(".")
    if thousands:
        whole = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{whole},{cents}"


@settings(max_examples=200, deadline=None)
@given(TWO_PLACES, st.booleans())
def test_any_two_place_amount_in_german_format_parses_exactly(amount, thousands):
    data = f"Buchungstag;Betrag\n01.01.2026;{german(amount, thousands)}\n".encode()
    [(_, [entry])] = list(group(parse_csv(data, GERMAN_NUMBERS)))
    assert entry.amount == amount
    assert entry.amount.as_tuple().exponent == -2


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(SAMPLES)), st.integers(0, 3000), st.integers(0, 30), st.binary(max_size=8))
def test_damaged_files_parse_or_are_refused(profile, at, cut, insert):
    data = SAMPLES[profile]
    damaged = data[:at] + insert + data[at + cut :]
    try:
        list(parse_csv(damaged, PROFILES[profile]))
    except StatementFormatError:
        pass


def test_a_sub_cent_amount_is_refused_with_its_cell_not_rounded():
    data = COMMERZBANK.replace(b"-3,9;", b"-3,905;")
    with pytest.raises(StatementFormatError, match="more than two decimal places") as refused:
        list(parse_csv(data, PROFILES["commerzbank"]))
    assert "line 4" in str(refused.value)
