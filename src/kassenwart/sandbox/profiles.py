"""Bank profiles: settings that imitate the behaviour of real banks.

- default: the sandbox as it is; VoP answers at once, camt and MT940, TAN for orders and
  every 90 days at dialog start.
- sparkasse: like a savings bank: a TAN-free login only from a client system id the bank
  issued (HKSYN) and has seen a TAN from, so a client must keep its system id; a TAN for
  every order and for the first statement query (HKKAZ/HKCAZ) of each dialog.
- vop-async: Verification of Payee answers asynchronously; the client polls (vop.py).
- mt940-only: statements only as MT940 (HKKAZ), no camt (HKCAZ).

Each profile has its own BPD version, so a client that knows another profile's BPD
fetches this one's.
"""

from __future__ import annotations

from .bank import Settings

PROFILES = {
    "default": {},
    "sparkasse": {"name": "Kassenwart Sparkasse Sandbox", "bpd_version": 21,
                  "sca_per_system_id": True, "query_tan": True},
    "vop-async": {"bpd_version": 22, "vop_polls": 2},
    "mt940-only": {"bpd_version": 23, "camt": False},
}


def settings_for(profile: str, **overrides) -> Settings:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
    return Settings(**{**PROFILES[profile], **overrides})
