"""Pure readers of received bills (no Django): XRechnung in UBL 2.1 (Invoice, CreditNote) and
UN/CEFACT CII, ZUGFeRD 2.x / Factur-X PDFs, and GiroCodes (EPC QR) as text, in a picture or
on a PDF page. Each returns a `ReadBill` or raises `BillRefused` (element path and rule).

`read_bill(data)` tells the kind of file by its first bytes, not by its name.
"""

from __future__ import annotations

from .bill import CREDIT_NOTE, INVOICE, BillRefused, Line, Party, ReadBill, SkontoTerm, TaxSubtotal, Totals
from .girocode import looks_like_payload, read_image, read_payload, read_pdf_pages

__all__ = ["CREDIT_NOTE", "INVOICE", "BillRefused", "Line", "Party", "ReadBill", "SkontoTerm", "TaxSubtotal",
           "Totals", "read_bill", "read_payload", "read_xml"]

_PICTURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF")


def read_bill(data: bytes) -> ReadBill:
    if not data:
        raise BillRefused("", "empty", "the file is empty")
    if data.startswith(b"%PDF"):
        from . import facturx

        return facturx.read(data) or read_pdf_pages(data)
    if data.startswith(_PICTURES):
        return read_image(data)
    if looks_like_payload(data):
        return read_payload(data.lstrip(b"\xef\xbb\xbf"))
    return read_xml(data)


def read_xml(data: bytes, syntax: str | None = None) -> ReadBill:
    from . import cii, ubl
    from .xml import parse

    root = parse(data)
    if root.tag in ubl.ROOTS:
        if syntax is not None:
            raise BillRefused(f"/{root.tag.split('}')[-1]}", "not-cii", "the PDF carries UBL, not CII")
        return ubl.read(root)
    if root.tag == cii.ROOT:
        return cii.read(root, syntax or "cii")
    name = root.tag.split("}")[-1]
    raise BillRefused(f"/{name}", "not-an-e-invoice",
                      f"{name} is not an XRechnung / EN 16931 invoice (UBL Invoice or CreditNote, CII)")
