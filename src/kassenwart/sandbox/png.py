"""A minimal PNG writer (truecolour, 8 bits per channel), enough for photoTAN images.

PNG is a signature and chunks (length, type, data, CRC-32); the pixels go zlib-compressed
into IDAT, each row prefixed with filter type 0 (none).
"""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
Colour = tuple[int, int, int]


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(rows: list[list[Colour]]) -> bytes:
    """A PNG of `rows` (all the same length) of RGB pixels."""
    height, width = len(rows), len(rows[0])
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bit, RGB, no interlace
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in rows)
    return SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def mosaic(cells: list[list[Colour]], cell_size: int) -> list[list[Colour]]:
    """Scale a grid of coloured cells up to pixels."""
    return [[colour for colour in row for _ in range(cell_size)] for row in cells for _ in range(cell_size)]
