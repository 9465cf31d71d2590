"""Reading an e-invoice's XML safely, and naming an element by its path in the file.

No DTDs, no entities, no network: an e-invoice comes from outside. Each reader walks its
syntax with `Walk`, which keeps the prefixes of the specification, so a refusal names the
element as the specification does (``/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount``).
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from .bill import BillRefused

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                          remove_pis=True, huge_tree=False)


def parse(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        line = f" in line {error.lineno}" if getattr(error, "lineno", None) else ""
        raise BillRefused("", "not-xml", f"not well-formed XML{line}: {error.msg}")
    if root is None:
        raise BillRefused("", "not-xml", "the file holds no XML element")
    return root


class Walk:
    """Find elements by prefixed paths below a node, remembering the path for refusals."""

    def __init__(self, namespaces: dict[str, str]):
        self.ns = namespaces

    def one(self, node, relative: str):
        return node.find(relative, self.ns) if node is not None else None

    def all(self, node, relative: str) -> list:
        return node.findall(relative, self.ns) if node is not None else []

    def text(self, node, relative: str) -> str:
        found = self.one(node, relative)
        return (found.text or "").strip() if found is not None else ""


def iso_date(text: str, path: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BillRefused(path, "not-a-date", f"{text.strip()!r} is not a date (YYYY-MM-DD)")


def cii_date(text: str, path: str) -> date | None:
    """udt:DateTimeString format 102: YYYYMMDD."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise BillRefused(path, "not-a-date", f"{text!r} is not a date in format 102 (YYYYMMDD)")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise BillRefused(path, "not-a-date", f"{text!r} is not a date")
