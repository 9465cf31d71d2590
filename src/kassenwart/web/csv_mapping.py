"""Mapping a bank CSV layout by hand on the statements page: the column choices a file offers
and the mapping the person's choices make (pure; the view translates, the service imports)."""

from __future__ import annotations

import base64
import binascii

from kassenwart.banking.formats.bank_csv import CsvMapping, first_rows


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decoded(text: str | None) -> bytes | None:
    """The file's bytes from the form, or None when they are not there or not base64."""
    try:
        return base64.b64decode(text or "", validate=True) or None
    except (binascii.Error, ValueError):
        return None


def sample(data: bytes, delimiter: str, limit: int = 8) -> list[list[str]]:
    return first_rows(data, delimiter, limit=limit)[1]


def column_choices(data: bytes, delimiter: str) -> list[tuple[str, str]]:
    """("#n", "#n: what the first row holds there": its name, or its first value) for every
    column of the file's first rows."""
    rows = sample(data, delimiter)
    width = max((len(row) for row in rows), default=0)
    first = rows[0] if rows else []
    choices = []
    for index in range(width):
        shown = first[index] if index < len(first) else ""
        choices.append((f"#{index + 1}", f"#{index + 1}: {shown[:40]}" if shown else f"#{index + 1}"))
    return choices


def mapping_from(values: dict, data: bytes) -> CsvMapping:
    """The CsvMapping of the page's choices. With a header row, a column is named by its header
    cell (so the next file of the layout is recognised by its header), unless that cell is
    blank or not unique; without one, by its number."""
    if not values.get("indicator"):
        values = {**values, "debit_values": [], "credit_values": []}
    if values.get("has_header"):
        rows = sample(data, values["delimiter"], limit=1)
        header = rows[0] if rows else []

        def named(reference: str) -> str:
            index = int(reference[1:]) - 1 if reference.startswith("#") else -1
            cell = header[index] if 0 <= index < len(header) else ""
            unique = cell and header.count(cell) == 1 and "|" not in cell and not cell.startswith("#")
            return cell if unique else reference

        values = {
            key: ([named(ref) for ref in value] if key == "remittance" else named(value) if isinstance(value, str)
                  and value.startswith("#") else value)
            for key, value in values.items()
        }
    return CsvMapping.from_dict({**values, "name": "custom"})
