"""Pure statement parsers: camt.052/053/054, MT940/MT942 and bank CSV -> statement.py data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from kassenwart.banking.formats.statement import StatementFormatError, StatementItem, note

CAMT, MT940, CSV = "camt", "mt940", "csv"


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Bytes no statement text holds: C0 controls other than tab, line feed, vertical tab, form
# feed, carriage return and the old DOS end-of-file mark (0x1a), and DEL.
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1a") + b"\x7f"


def detect_format(head: bytes) -> str:
    """Tell the family of a statement file from its first few kilobytes.

    An empty file, one of blank lines only, and one that is not text at all (a PDF, a
    spreadsheet, an image) are refused here with a message that says so, before a parser
    tries to read them as one of the families."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise StatementFormatError(note("empty"))
    if head.startswith(_UTF16_BOMS):
        raise StatementFormatError(note("utf16"))
    if _is_binary(head):
        raise StatementFormatError(note("binary"))
    if text.startswith(b"<"):
        return CAMT
    if text.startswith(b"{1:") or text.startswith(b":20:") or b"\n:20:" in text[:2048]:
        return MT940
    if text[:1] == b":" or b":25:" in text[:2048]:
        return MT940
    if b";" in text[:2048] or b"," in text[:2048] or b"\t" in text[:2048]:
        return CSV
    raise StatementFormatError(note("not_a_statement"))


def _is_binary(head: bytes) -> bool:
    """Whether the bytes are not text: a NUL byte or more than 1 % control characters. (Any
    byte above 127 is text in some code page: MT940 files come in cp850/852 and Latin-1 too.)"""
    return b"\x00" in head or len(head.translate(None, _CONTROL)) < len(head) * 0.99


def parse(fmt: str, file: BinaryIO, csv_mapping=None, account_iban: str = "") -> Iterator[StatementItem]:
    """Parse an open binary file of the given family into a stream of headers and entries."""
    if fmt == CAMT:
        from kassenwart.banking.formats.camt import parse_camt

        return parse_camt(file)
    if fmt == MT940:
        from kassenwart.banking.formats.mt940 import parse_mt940

        return parse_mt940(file.read())
    if fmt == CSV:
        from kassenwart.banking.formats.bank_csv import parse_csv

        if csv_mapping is None:
            raise StatementFormatError(
                "a CSV file needs a column mapping: choose a bank profile or map the columns"
            )
        return parse_csv(file.read(), csv_mapping, account_iban=account_iban)
    raise StatementFormatError(f"unknown format {fmt!r}")
