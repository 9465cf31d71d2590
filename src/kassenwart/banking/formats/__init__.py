"""Pure statement parsers: camt.052/053/054, MT940/MT942 and bank CSV -> statement.py data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from kassenwart.banking.formats.statement import StatementFormatError, StatementItem

CAMT, MT940, CSV = "camt", "mt940", "csv"


def detect_format(head: bytes) -> str:
    """Tell the family of a statement file from its first few kilobytes."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return CAMT
    if text.startswith(b"{1:") or text.startswith(b":20:") or b"\n:20:" in text[:2048]:
        return MT940
    if text[:1] == b":" or b":25:" in text[:2048]:
        return MT940
    if b";" in text[:2048] or b"," in text[:2048] or b"\t" in text[:2048]:
        return CSV
    raise StatementFormatError("not a camt, MT940 or CSV statement file", "line 1")


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
