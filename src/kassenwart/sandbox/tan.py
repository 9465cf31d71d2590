"""Two-step TAN (PIN/TAN security procedure 4, HKTAN process variant 2).

A task is what waits for strong customer authentication: an order or the dialog start.
A text-TAN method accepts the bank's TAN in the signature of an HKTAN process 2 message;
a decoupled method is confirmed in the (simulated) app while the client polls with
HKTAN process S.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

MAX_WRONG_TANS = 3


@dataclass(frozen=True)
class TanMethod:
    security_function: str  # "Sicherheitsfunktion, kodiert" as in HITANS and 3920
    name: str
    dk_id: str  # "DK TAN-Verfahren"
    decoupled: bool
    prompt: str  # ends every challenge text

    def challenge(self, what: str) -> str:
        return f"{what} {self.prompt}"


TEXT_TAN = TanMethod("942", "Kassenwart mobileTAN", "mobileTAN", decoupled=False,
                     prompt="Bitte die TAN eingeben.")
APP = TanMethod("946", "Kassenwart App", "Decoupled", decoupled=True,
                prompt="Bitte in der Kassenwart App freigeben.")
METHODS = {m.security_function: m for m in (TEXT_TAN, APP)}


@dataclass
class TanTask:
    """A pending authorisation. `order` is None for the strong authentication of a dialog."""

    method: TanMethod
    challenge: str
    order: Any = None
    reference: str = field(default_factory=lambda: secrets.token_hex(8))
    polls: int = 0
    wrong_tans: int = 0
    confirmed: bool = False  # set by the app (decoupled)

    def confirm_due(self, confirm_after_polls: int | None) -> bool:
        """Count a status poll; true once the app has confirmed."""
        self.polls += 1
        if confirm_after_polls is not None and self.polls >= confirm_after_polls:
            self.confirmed = True
        return self.confirmed

    def wrong_tan(self) -> bool:
        """Count a wrong TAN; true when the task is used up."""
        self.wrong_tans += 1
        return self.wrong_tans >= MAX_WRONG_TANS
