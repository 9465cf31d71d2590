"""Signs never silently wrong: debit/credit marks, unsigned amounts, files without a header
row, balances that must add up, and which profile a layout is."""

from datetime import date
from decimal import Decimal

import pytest

from kassenwart.banking.formats.bank_csv import PROFILES, CsvMapping, detect_profile, parse_csv
from kassenwart.banking.formats.statement import StatementFormatError, group


def csv_file(*lines: str, encoding: str = "cp1252") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def statements(data: bytes, mapping: CsvMapping):
    return list(group(parse_csv(data, mapping)))


# A Volksbank "Umsatzanzeige" of 2012: unsigned "Umsatz", the mark in a column without a name,
# a purpose cell over several lines, and the balances in the reference column after the data.
UMSATZANZEIGE = csv_file(
    '"Volksbank Beispiel eG"',
    "",
    '"Umsatzanzeige"',
    "",
    '"BLZ:";"68490000";;"Datum:";"08.10.2012"',
    '"Konto:";"44318105";;"Uhrzeit:";"10:33:22"',
    "",
    '"Buchungstag";"Valuta";"Auftraggeber/Zahlungsempfänger";"Empfänger/Zahlungspflichtiger";"Konto-Nr.";'
    '"IBAN";"BLZ";"BIC";"Vorgang/Verwendungszweck";"Kundenreferenz";"Währung";"Umsatz";" "',
    '"05.10.2012";"05.10.2012";"Foo GmbH";"Kunde AG";"1234";"DE44500105175407324931";"50010517";'
    '"INGDDEFFXXX";"Gutschrift\nRE-4711";"ref";"EUR";"1.190,00";"H"',
    '"02.10.2012";"30.09.2012";;"Stadtwerke";;;;;"Lastschrift\n\nAbschlag";;"EUR";"89,90";"S"',
    "",
    '"01.10.2012";;;;;;;;;"Anfangssaldo";"EUR";"100,00";"S"',
    '"05.10.2012";;;;;;;;;"Endsaldo";"EUR";"1.000,10";"H"',
)


def test_an_unsigned_amount_takes_its_sign_from_the_s_h_column():
    assert detect_profile(UMSATZANZEIGE) == "volksbank_2017"
    [(header, [credit, debit])] = statements(UMSATZANZEIGE, PROFILES["volksbank_2017"])
    assert (credit.amount, credit.counterparty_name, credit.remittance) == (
        Decimal("1190.00"), "Kunde AG", "Gutschrift\nRE-4711")
    assert (debit.amount, debit.booking_date, debit.value_date) == (
        Decimal("-89.90"), date(2012, 10, 2), date(2012, 9, 30))
    # the balances carry their marks too: -100.00 + 1190.00 - 89.90 = 1000.10
    assert (header.opening.amount, header.opening.date) == (Decimal("-100.00"), date(2012, 10, 1))
    assert header.closing.amount == Decimal("1000.10")


def test_a_mapping_without_the_indicator_is_refused_not_read_as_credits():
    unmarked = CsvMapping(booking_date="Buchungstag", amount="Umsatz", encoding="cp1252")
    with pytest.raises(StatementFormatError) as refused:
        statements(UMSATZANZEIGE, unmarked)
    assert refused.value.where == "line 9"
    assert "column 13 holds debit/credit marks" in refused.value.message


@pytest.mark.parametrize(("mark", "says"), [
    ("", 'line 11, column "#13": "" is not a debit or credit mark'),
    ("X", 'line 11, column "#13": "X" is not a debit or credit mark'),
])
def test_a_row_without_a_known_mark_is_refused_with_line_and_column(mark, says):
    data = UMSATZANZEIGE.replace(b'"89,90";"S"', f'"89,90";"{mark}"'.encode())
    with pytest.raises(StatementFormatError, match=says):
        statements(data, PROFILES["volksbank_2017"])


def test_a_negative_amount_marked_as_credit_is_refused():
    data = UMSATZANZEIGE.replace(b'"1.190,00";"H"', b'"-1.190,00";"H"')
    with pytest.raises(StatementFormatError, match=r'line 9, column "#13": the amount -1190.00 is negative'):
        statements(data, PROFILES["volksbank_2017"])


def test_own_marks_soll_haben_and_a_file_without_a_header_row():
    mapping = CsvMapping.from_dict({
        "has_header": False, "booking_date": "#1", "amount": "#3", "indicator": "#4",
        "debit_values": ["Soll"], "credit_values": ["Haben"], "remittance": ["#2"],
    })
    data = csv_file("01.02.2026;Miete;1.500,00;Soll", "02.02.2026;Kunde;20,5;Haben")
    [(_header, [rent, payment])] = statements(data, mapping)
    assert (rent.amount, rent.remittance, payment.amount) == (Decimal("-1500.00"), "Miete", Decimal("20.50"))
    with pytest.raises(StatementFormatError, match='"S" is not a debit or credit mark'):
        statements(data.replace(b"Soll", b"S"), mapping)


def test_a_mapping_without_a_header_row_names_columns_by_number():
    with pytest.raises(StatementFormatError, match="names its columns by number"):
        CsvMapping(has_header=False, booking_date="Datum", amount="#2")
    with pytest.raises(StatementFormatError, match="marks without an indicator column"):
        CsvMapping(booking_date="Datum", amount="Betrag", debit_values=("S",))


def test_a_row_too_short_for_the_amount_is_left_out_with_a_warning():
    data = csv_file("18.09.2017;HOFER;18.09.2017;-33,87;EUR;;", "A remark, not a booking;;",
                    "19.09.2017;SPAR;18.09.2017;8,94;EUR;;")
    assert detect_profile(data) == "raiffeisen_at"
    [(header, entries)] = statements(data, PROFILES["raiffeisen_at"])
    assert [e.amount for e in entries] == [Decimal("-33.87"), Decimal("8.94")]
    assert [str(w) for w in header.warnings] == ["line 2: a row without an amount, left out"]


GLS_2017 = csv_file(
    "Kontonummer;Buchungstag;Wertstellung;Auftraggeber/Empfänger;Buchungstext;VWZ1;VWZ2;VWZ3;VWZ4;VWZ5;"
    "VWZ6;VWZ7;VWZ8;VWZ9;VWZ10;VWZ11;VWZ12;VWZ13;VWZ14;Betrag;Kontostand;Währung",
    "1234567890;10.10.2017;10.10.2017;Drillisch Online AG;SEPA-Basislastschrift;B4658645;987 SIMply Rechnung;"
    ";;;;;;;;;;;;-98,76;1.234,56;EUR",
)


def test_a_profile_that_would_drop_columns_is_not_the_files():
    """GLS 2017 has Commerzbank's required columns, but Commerzbank would drop the counterparty
    and the purpose lines."""
    assert detect_profile(GLS_2017) == "gls_2017"
    [(header, [entry])] = statements(GLS_2017, PROFILES["gls_2017"])
    assert (entry.counterparty_name, entry.remittance) == ("Drillisch Online AG", "B4658645\n987 SIMply Rechnung")
    assert (header.opening.amount, header.closing.amount) == (Decimal("1333.32"), Decimal("1234.56"))
    with_new_column = GLS_2017.replace(b";W\xe4hrung", b";W\xe4hrung;Notiz der Bank")
    assert detect_profile(with_new_column) is None


CONSORSBANK = csv_file(
    "Buchung;Valuta;Sender / Empfänger;IBAN / Konto-Nr.;BIC / BLZ;Buchungstext;Verwendungszweck;Kategorie;"
    "Stichwörter;Umsatz geteilt;Betrag in EUR",
    "02.03.2026;02.03.2026;Kunde AG;DE44500105175407324931;INGDDEFFXXX;Gutschrift;RE-4711;;;;1.190,00",
    "03.03.2026;03.03.2026;Stadtwerke;DE02120300000000202051;BYLADEM1001;Lastschrift;Abschlag;Energie;;;-89,90",
)


def test_consorsbank():
    """Not ING, whose "Buchung"/"Valuta" it shares: ING would drop the IBAN and BIC columns."""
    assert detect_profile(CONSORSBANK) == "consorsbank"
    [(_header, [credit, debit])] = statements(CONSORSBANK, PROFILES["consorsbank"])
    assert (credit.amount, credit.counterparty_iban, credit.remittance) == (
        Decimal("1190.00"), "DE44500105175407324931", "RE-4711")
    assert (debit.amount, debit.counterparty_name) == (Decimal("-89.90"), "Stadtwerke")
