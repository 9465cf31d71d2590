"""Telling a statement file's family from its first kilobytes, and refusing what is none."""

import gzip
import zlib
from pathlib import Path

import pytest

from kassenwart.banking.formats import CAMT, CSV, MT940, detect_format
from kassenwart.banking.formats.statement import StatementFormatError

from shared_data import shared_path

NOISE = bytes(range(256)) * 16  # every byte value: what compressed or encrypted data looks like


@pytest.mark.parametrize(
    ("head", "family"),
    [
        (b'\xef\xbb\xbf<?xml version="1.0"?><Document/>', CAMT),
        (b"\r\n:20:STARTUMS\r\n:25:37040044/0532013000\r\n", MT940),
        ("Buchungstag;Betrag;Verwendungszweck\n01.03.2026;-12,50;Gebühr\n".encode("cp1252"), CSV),
        (":20:STARTUMS\n:86:Csoportos \xa0tutal\xa0s j\xf2v\xa0\xa1r\n".encode("latin-1"), MT940),  # cp852 text
    ],
)
def test_statement_families(head, family):
    assert detect_format(head) == family


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf\r\n  \r\n\t\n", "the file is empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + zlib.compress(NOISE), "not a statement file (binary data)"),
        (gzip.compress(b"Datum;Betrag\n" * 50), "not a statement file (binary data)"),
        (b"PK\x03\x04\x14\x00\x06\x00" + NOISE, "not a statement file (binary data)"),  # a spreadsheet
        (b"date,amount\n" + b"\x9d\x01\x02\x03" * 100, "not a statement file (binary data)"),
        ("Datum;Betrag\n".encode("utf-16"), "the file is UTF-16 text"),
        (b"just some words", "not a camt, MT940 or CSV statement file"),
    ],
)
def test_what_is_no_statement_file_says_what_it_is(head, message):
    with pytest.raises(StatementFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        detect_format(head)


def test_no_file_of_the_corpus_is_taken_for_binary_data():
    folder = shared_path("bankfiles")
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.name != "SOURCES.md"):
        try:
            detect_format(path.read_bytes()[:8192])
        except StatementFormatError as error:
            assert "binary" not in str(error) and "empty" not in str(error), path
