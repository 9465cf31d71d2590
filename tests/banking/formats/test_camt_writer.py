"""camt.053/052 writer: schema-valid output that the parser reads back unchanged."""

import io
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from kassenwart.banking.formats.camt import parse_camt
from kassenwart.banking.formats.camt_writer import write_camt
from kassenwart.banking.formats.statement import PENDING, BalanceSnapshot, Entry, StatementHeader, group

from shared_data import shared_path


@cache
def schema(message: str) -> etree.XMLSchema:
    path = shared_path("xsd", f"camt.{message}.001.08.xsd")
    return etree.XMLSchema(etree.parse(path))


def header(**changes) -> StatementHeader:
    values = dict(
        format="camt.053.001.08",
        account_iban="DE89370400440532013000",
        account_bic="COBADEFFXXX",
        bank_code="37040044",
        account_name="Geschaeftskonto",
        account_owner="Nordlicht Software GmbH",
        currency="EUR",
        statement_id="STMT-2026-03",
        sequence="3",
        created_at=datetime(2026, 3, 31, 18, 0),
        period_from=date(2026, 3, 1),
        period_to=date(2026, 3, 31),
        opening=BalanceSnapshot(Decimal("1000.00"), "EUR", date(2026, 2, 28), "opening"),
        closing=BalanceSnapshot(Decimal("1083.50"), "EUR", date(2026, 3, 31), "closing"),
        available=BalanceSnapshot(Decimal("-12.00"), "EUR", date(2026, 3, 31), "available"),
        reported_total=Decimal("83.50"),
    )
    return StatementHeader(**{**values, **changes})


def entry(amount: str, **changes) -> Entry:
    values = dict(currency="EUR", booking_date=date(2026, 3, 2), value_date=date(2026, 3, 3))
    return Entry(amount=Decimal(amount), **{**values, **changes})


ENTRIES = [
    entry(
        "258.41",
        counterparty_name="Berger & Jung GmbH",
        counterparty_iban="DE98100100109129664493",
        counterparty_bic="MARKDEF1100",
        ultimate_debtor="Berger Holding",
        remittance="Rechnung RE-2026-0042\nvielen Dank",
        structured_reference="RF18539007547034",
        end_to_end_id="E2E-1",
        bank_reference="B-1",
        transaction_code="PMNT/RCDT/ESCT",
        dk_code="166",
        purpose_code="GDDS",
    ),
    entry(
        "-19.99",
        counterparty_name="Stadtwerke Kiel",
        counterparty_iban="0012345678",
        mandate_id="MANDATE-7",
        creditor_id="DE98ZZZ09999999999",
        ultimate_creditor="Stadtwerke Holding",
        bank_reference="B-2",
        transaction_code="PMNT/IDDT/ESDD",
        dk_code="105",
    ),
    # A collective booking: three transactions, one of them a debit.
    *(
        entry(amount, counterparty_name=name, bank_reference=f"B-3{name}", batch_reference="B-3", batch_size=3)
        for amount, name in (("60.00", "A"), ("50.00", "B"), ("-10.00", "C"))
    ),
    entry("-200.00", status=PENDING, booking_date=None, purpose_code="SALARYX"),
    entry("5.08", reversal=True, return_reason="AC04", counterparty_name="Lieferant", bank_reference="B-5"),
    # Alone, but marked as a batch of 20 (the bank gave no details).
    entry("-60.00", batch_reference="BATCH-6", batch_size=20, bank_reference="BATCH-6"),
]


def written(head: StatementHeader, entries, message: str = "053") -> bytes:
    out = io.BytesIO()
    write_camt(out, head, entries, message=message)
    return out.getvalue()


def assert_valid(xml: bytes, message: str = "053") -> etree._Element:
    document = etree.fromstring(xml)
    validator = schema(message)
    assert validator.validate(document), validator.error_log
    return document


def read_back(xml: bytes) -> tuple[StatementHeader, list[Entry]]:
    [(head, entries)] = list(group(parse_camt(io.BytesIO(xml))))
    return head, [replace(item, source="") for item in entries]


@pytest.mark.parametrize("message", ["053", "052"])
def test_round_trip_is_schema_valid_and_exact(message):
    xml = written(header(), ENTRIES, message)
    assert_valid(xml, message)
    head, entries = read_back(xml)
    assert entries == ENTRIES
    expected = replace(header(), format=f"camt.{message}.001.08")
    assert head == expected


def test_batches_are_one_ntry_with_a_transaction_each():
    document = assert_valid(written(header(), ENTRIES))
    namespace = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"}
    entries = document.findall(".//c:Ntry", namespace)
    assert len(entries) == 6
    batch = entries[2]
    assert batch.findtext("c:Amt", namespaces=namespace) == "100.00"
    assert batch.findtext("c:AcctSvcrRef", namespaces=namespace) == "B-3"
    assert batch.findtext("c:NtryDtls/c:Btch/c:NbOfTxs", namespaces=namespace) == "3"
    assert len(batch.findall("c:NtryDtls/c:TxDtls", namespaces=namespace)) == 3


def test_same_batch_reference_apart_is_not_merged():
    batched = dict(batch_reference="X", batch_size=2)
    parts = [entry("1.00", **batched), entry("2.00"), entry("3.00", **batched)]
    document = assert_valid(written(header(), parts))
    assert len(document.findall(".//{*}Ntry")) == 3


def test_batch_with_different_codes_keeps_each_code():
    batched = dict(batch_reference="X", batch_size=2)
    parts = [
        entry("1.00", **batched, bank_reference="1", transaction_code="PMNT/RCDT/ESCT"),
        entry("2.00", **batched, bank_reference="2", dk_code="166"),
    ]
    xml = written(header(), parts)
    assert_valid(xml)
    assert read_back(xml)[1] == parts


def test_long_texts_are_split_or_cut_to_fit():
    long_line = "x" * 300
    long_texts = entry("1.00", remittance=long_line, counterparty_name="N" * 200, end_to_end_id="E" * 40)
    xml = written(header(), [long_texts])
    assert_valid(xml)
    [back] = read_back(xml)[1]
    assert back.remittance == "\n".join(["x" * 140, "x" * 140, "x" * 20])
    assert (len(back.counterparty_name), len(back.end_to_end_id)) == (140, 35)


def test_streams_from_a_generator_to_a_path(tmp_path):
    path = tmp_path / "big.xml"
    write_camt(path, header(reported_total=None), (entry("0.01", bank_reference=str(n)) for n in range(2000)))
    [(head, entries)] = list(group(parse_camt(path)))
    assert len(entries) == 2000 and entries[-1].bank_reference == "1999"
    assert_valid(path.read_bytes())


def test_balance_without_date_gets_the_period_date_and_report_needs_no_balance():
    head = header(opening=BalanceSnapshot(Decimal("1.00"), "", None, "opening"), closing=None, available=None)
    back, _ = read_back(written(head, []))
    assert back.opening == BalanceSnapshot(Decimal("1.00"), "EUR", date(2026, 3, 1), "opening")
    unbalanced = header(opening=None, closing=None, available=None, account_iban="", account_number="4711")
    xml = written(unbalanced, [], "052")
    assert_valid(xml, "052")
    assert read_back(xml)[0].account_number == "4711"


def test_interim_closing_balance_stays_interim():
    head = header(closing=BalanceSnapshot(Decimal("-5.00"), "EUR", date(2026, 3, 31), "interim"))
    xml = written(head, [], "052")
    assert b"<Cd>ITBD</Cd>" in xml
    assert read_back(xml)[0].closing == head.closing


@pytest.mark.parametrize(
    ("head", "entries", "message"),
    [
        (header(opening=None, closing=None, available=None), [], "camt.053 statement needs a balance"),
        (header(), [entry("0.000001")], "at most 18 digits, 5 decimals"),
        (header(), [entry("1.00", currency="euro")], "not a three-letter"),
        (header(), [entry("1.00", counterparty_bic="NOT A BIC")], "not a BIC"),
        (header(), [entry("1.00", transaction_code="PMNT")], "DOMN/FMLY/SUBF"),
        (header(), [entry("1.00", dk_code="16")], "three digits"),
        (header(account_iban="", account_number=""), [], "account_iban or an account_number"),
    ],
)
def test_values_camt_cannot_hold_are_refused(head, entries, message):
    with pytest.raises(ValueError, match=message):
        written(head, entries)


def test_unknown_message_is_refused():
    with pytest.raises(ValueError, match="message must be one of"):
        written(header(), [], "054")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2), min_size=1, max_size=5))
def test_any_two_place_amount_survives_exactly(amounts):
    entries = [entry(str(amount), bank_reference=f"R{index}") for index, amount in enumerate(amounts)]
    xml = written(header(), entries)
    assert_valid(xml)
    back = [item.amount for item in read_back(xml)[1]]
    # Equal, and still with two places.
    assert [(amount, amount.as_tuple().exponent) for amount in back] == [(amount, -2) for amount in amounts]
