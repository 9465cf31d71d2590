"""ZUGFeRD 2.x / Factur-X: a PDF/A-3 with the CII invoice embedded (factur-x.xml, or
zugferd-invoice.xml / xrechnung.xml of older ZUGFeRD versions). The `factur-x` package finds
the attachment; the XML is then read like any CII e-invoice. ZUGFeRD 1.0 (another namespace)
is refused by name.
"""

from __future__ import annotations

import logging

from .bill import BillRefused, ReadBill

# factur-x logs what it finds at INFO level; invoice content stays out of our logs.
logging.getLogger("facturx").setLevel(logging.WARNING)


def embedded_xml(data: bytes) -> bytes | None:
    """The e-invoice XML attached to the PDF, or None when there is none."""
    from facturx import get_xml_from_pdf

    try:
        _name, xml = get_xml_from_pdf(data, check_xsd=False)
    except Exception as error:  # the library raises plain Exceptions for broken PDFs
        raise BillRefused("", "not-a-pdf", f"the PDF cannot be read: {error}")
    return xml or None


def read(data: bytes) -> ReadBill | None:
    from . import read_xml

    xml = embedded_xml(data)
    if xml is None:
        return None
    return read_xml(xml, syntax="factur-x")
