"""Two-step TAN (PIN/TAN security procedure 4, HKTAN process variant 2).

A task is what waits for strong customer authentication: an order, a query (profiles that
want a TAN for the first statement of a dialog) or the dialog start. A TAN method accepts
the bank's TAN in the signature of an HKTAN process 2 message; a decoupled method is
confirmed in the (simulated) app while the client polls with HKTAN process S.

Methods differ in how the challenge looks (challenges.py): text, a photoTAN image, an
HHD-UC flicker code. chipTAN needs the customer to name the TAN generator (the medium from
HKTAB) in HKTAN, as savings banks do when a customer has more than one card.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from .challenges import render

MAX_WRONG_TANS = 3


@dataclass(frozen=True)
class TanMethod:
    security_function: str  # "Sicherheitsfunktion, kodiert" as in HITANS and 3920
    name: str
    dk_id: str  # "DK TAN-Verfahren"
    decoupled: bool
    prompt: str  # ends every challenge text
    kind: str = "text"  # "text", "photo" or "flicker" (challenges.py)
    medium_class: str = "M"  # TAN-Medium-Klasse of the media it works with (HKTAB)
    needs_medium: bool = False  # the client must name the medium in HKTAN

    def challenge(self, what: str) -> str:
        return f"{what} {self.prompt}"


TEXT_TAN = TanMethod("942", "Kassenwart mobileTAN", "mobileTAN", decoupled=False,
                     prompt="Bitte die TAN eingeben.")
APP = TanMethod("946", "Kassenwart App", "Decoupled", decoupled=True,
                prompt="Bitte in der Kassenwart App freigeben.")
PHOTO_TAN = TanMethod("902", "Kassenwart photoTAN", "MS1.0.0", decoupled=False,
                      prompt="Bitte die Grafik mit der photoTAN-App scannen und die TAN eingeben.",
                      kind="photo", medium_class="G")
CHIP_TAN = TanMethod("912", "Kassenwart chipTAN optisch", "HHD", decoupled=False,
                     prompt="Bitte die Karte in den TAN-Generator stecken, den Flickercode "
                            "übertragen und die TAN eingeben.",
                     kind="flicker", medium_class="G", needs_medium=True)
METHODS = {m.security_function: m for m in (TEXT_TAN, APP, PHOTO_TAN, CHIP_TAN)}


@dataclass(frozen=True)
class TanMedium:
    """A TAN medium of a customer, as HKTAB lists it."""

    name: str
    security_function: str  # the method it belongs to
    card_number: str = ""
    mobile_number_masked: str = ""


@dataclass
class TanTask:
    """A pending authorisation. `order` is None for the strong authentication of a dialog."""

    method: TanMethod
    challenge: str
    order: Any = None
    query: Any = None  # a query segment that waits for the TAN, answered once it arrives
    reference: str = field(default_factory=lambda: secrets.token_hex(8))
    challenge_hhduc: bytes | None = None  # image or flicker code (challenges.py)
    polls: int = 0
    wrong_tans: int = 0
    confirmed: bool = False  # set by the app (decoupled)

    def confirm_due(self, confirm_after_polls: int | None) -> bool:
        """Count a status poll; true once the app has confirmed."""
        self.polls += 1
        if confirm_after_polls is not None and self.polls >= confirm_after_polls:
            self.confirmed = True
        return self.confirmed

    @classmethod
    def create(cls, method: TanMethod, what: str, elements: tuple[str, ...] = (), **fields) -> TanTask:
        """A task with its challenge; `elements` are the flicker code's data elements."""
        task = cls(method, method.challenge(what), **fields)
        task.challenge_hhduc = render(method.kind, task.reference, what, elements)
        return task

    def wrong_tan(self) -> bool:
        """Count a wrong TAN; true when the task is used up."""
        self.wrong_tans += 1
        return self.wrong_tans >= MAX_WRONG_TANS
