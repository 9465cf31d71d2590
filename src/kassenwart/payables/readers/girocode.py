"""GiroCodes: the EPC QR code for a SEPA credit transfer (EPC069-12), in a PNG or JPEG
picture or on a PDF page.

`read_payload` parses the text inside the code (pure code): the lines

    BCD / 001|002 / 1..8 (character set) / SCT / BIC / name / IBAN / EUR12.34 / purpose /
    structured reference / remittance text / information for the payer

Version 001 requires the BIC, 002 not. At most 331 bytes; the amount from EUR0.01 to
EUR999999999.99 and may be left out (the payer fills it in, so such a code is refused here:
a bill has an amount). The structured reference and the remittance text exclude each other.

`read_image` finds the code in a picture with zxing-cpp; `read_pdf_page` draws the pages of a
PDF with pypdfium2 first.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

from .bill import INVOICE, BillRefused, Party, ReadBill, money

MAX_BYTES = 331
_AMOUNT = re.compile(r"EUR(\d{1,9}(?:\.\d{1,2})?)")
_ENCODINGS = {"1": "utf-8", "2": "iso-8859-1", "3": "iso-8859-2", "4": "iso-8859-4", "5": "iso-8859-5",
              "6": "iso-8859-7", "7": "iso-8859-10", "8": "iso-8859-15"}


def looks_like_payload(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf").startswith(b"BCD\n") or data.startswith(b"BCD\r\n")


def read_payload(data: bytes | str) -> ReadBill:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw.rstrip(b"\r\n")) > MAX_BYTES:
        raise BillRefused("GiroCode", "EPC069-12", f"{len(raw)} bytes, at most {MAX_BYTES} are allowed")
    head = raw.replace(b"\r\n", b"\n").split(b"\n")
    if len(head) < 3 or head[0] != b"BCD":
        raise BillRefused("GiroCode line 1", "EPC069-12", "the code does not start with BCD")
    encoding = _ENCODINGS.get(head[2].decode("ascii", "replace").strip())
    if encoding is None:
        raise BillRefused("GiroCode line 3", "EPC069-12", "unknown character set (1 to 8)")
    try:
        lines = raw.decode(encoding).replace("\r\n", "\n").split("\n")
    except UnicodeDecodeError:
        raise BillRefused("GiroCode line 3", "EPC069-12", f"the text is not {encoding}")
    lines += [""] * (12 - len(lines))
    version, bic, name, iban, amount, reference, text = (lines[1].strip(), lines[4].strip(), lines[5].strip(),
                                                         lines[6].replace(" ", "").upper(), lines[7].strip(),
                                                         lines[9].strip(), lines[10].strip())
    if version not in ("001", "002"):
        raise BillRefused("GiroCode line 2", "EPC069-12", f"version {version!r}, not 001 or 002")
    if lines[3].strip() != "SCT":
        raise BillRefused("GiroCode line 4", "EPC069-12", "the identification is not SCT")
    if version == "001" and not bic:
        raise BillRefused("GiroCode line 5", "EPC069-12", "version 001 needs the BIC")
    if not name or len(name) > 70:
        raise BillRefused("GiroCode line 6", "EPC069-12", "the beneficiary's name (1 to 70 characters) is missing")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        raise BillRefused("GiroCode line 7", "EPC069-12", "the IBAN is missing or malformed")
    found = _AMOUNT.fullmatch(amount)
    if not found:
        raise BillRefused("GiroCode line 8", "EPC069-12",
                          "the amount is missing or not EUR with up to two decimals (EUR12.34)")
    value = money(f"{Decimal(found.group(1)):.2f}", "GiroCode line 8")
    if not Decimal("0.01") <= value <= Decimal("999999999.99"):
        raise BillRefused("GiroCode line 8", "EPC069-12", "the amount is outside EUR0.01 to EUR999999999.99")
    if reference and text:
        raise BillRefused("GiroCode line 11", "EPC069-12", "a structured reference and a remittance text both given")
    return ReadBill(syntax="girocode", kind=INVOICE, seller=Party(name=name), payable=value, currency="EUR",
                    invoice_number=text or reference, iban=iban, bic=bic, payment_reference=reference,
                    notes=(lines[11].strip(),) if lines[11].strip() else ())


def read_image(data: bytes) -> ReadBill:
    """The GiroCode in a picture (PNG, JPEG, ...)."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise BillRefused("", "not-a-picture", f"the picture cannot be read: {error}")
    return _from_picture(image)


def read_pdf_pages(data: bytes, max_pages: int = 3) -> ReadBill:
    """The GiroCode on one of the first pages of a PDF (an invoice prints it on page one)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise BillRefused("", "not-a-pdf", f"the PDF cannot be read: {error}")
    try:
        for index in range(min(len(document), max_pages)):
            picture = document[index].render(scale=200 / 72).to_pil()
            found = _codes(picture)
            if found:
                return read_payload(found[0])
    finally:
        document.close()
    raise BillRefused("", "no-bill", "a PDF without an embedded e-invoice (ZUGFeRD / Factur-X) and without a GiroCode")


def _codes(image) -> list[bytes]:
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.bytes for code in found if bytes(code.bytes).startswith(b"BCD")]


def _from_picture(image) -> ReadBill:
    found = _codes(image)
    if not found:
        raise BillRefused("", "no-girocode", "no GiroCode (a QR code starting with BCD) in the picture")
    return read_payload(bytes(found[0]))
