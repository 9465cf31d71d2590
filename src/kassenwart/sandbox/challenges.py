"""What the customer sees of a TAN challenge, per kind of TAN method, as HITAN carries it.

- text: the challenge text alone (mobileTAN, the app).
- photo: an image in "Challenge HHD_UC" as 2-byte length + MIME type + 2-byte length +
  data; python-fints exposes it as `NeedTANResponse.challenge_matrix` ("image/png", bytes).
- flicker: an HHD 1.4 code in "Challenge HHD_UC": LC (3 digits), start code with control
  byte, then data elements (2-digit length + data); python-fints exposes it as
  `challenge_hhduc`, and `fints.hhd.flicker.code_to_bitstream` turns it into the frames a
  browser animates.

Images and codes derive from the task reference, so the same task always looks the same.
"""

from __future__ import annotations

import hashlib
import random
import struct

from .png import mosaic, write_png

PALETTE = [(0, 0, 0), (255, 255, 255), (220, 30, 40), (30, 160, 70), (30, 80, 200),
           (250, 200, 0), (0, 190, 210), (200, 40, 190)]
PHOTO_CELLS = 32
PHOTO_CELL_SIZE = 5
FLICKER_CONTROL_BYTE = "01"  # HHD 1.4, data elements as in the DK's "HHD-Erweiterung"
MAX_DATA_ELEMENT = 12


def seed(reference: str, text: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{reference}|{text}".encode()).digest()[:8], "big")


def photo_png(reference: str, text: str) -> bytes:
    """A photoTAN-like colour mosaic with the three-cell corner marks such codes have."""
    rng = random.Random(seed(reference, text))
    cells = [[rng.choice(PALETTE) for _ in range(PHOTO_CELLS)] for _ in range(PHOTO_CELLS)]
    last = PHOTO_CELLS - 1
    for row, column in ((0, 0), (0, last), (last, 0)):
        cells[row][column] = PALETTE[0]
    return write_png(mosaic(cells, PHOTO_CELL_SIZE))


def matrix_field(mime_type: str, data: bytes) -> bytes:
    kind = mime_type.encode("ascii")
    return struct.pack(">H", len(kind)) + kind + struct.pack(">H", len(data)) + data


def flicker_code(reference: str, text: str, elements: tuple[str, ...]) -> str:
    """An HHD 1.4 challenge: start code (bit 7 of its length: a control byte follows),
    then up to three data elements, e.g. the payee's account number and the amount."""
    start = f"{seed(reference, text) % 10**8:08d}"
    body = f"{len(start) | 0x80:02X}{FLICKER_CONTROL_BYTE}{start}"
    for element in elements[:3]:
        value = element[-MAX_DATA_ELEMENT:]
        body += f"{len(value):02d}{value}"
    return f"{len(body):03d}{body}"


def render(kind: str, reference: str, text: str, elements: tuple[str, ...]) -> bytes | None:
    """The "Challenge HHD_UC" for a method of this kind, or None for text-only methods."""
    if kind == "photo":
        return matrix_field("image/png", photo_png(reference, text))
    if kind == "flicker":
        return flicker_code(reference, text, elements).encode("ascii")
    return None
