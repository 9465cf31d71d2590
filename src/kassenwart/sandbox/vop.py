"""Verification of Payee (VoP, "Empfängerüberprüfung") as FinTS 3.0 carries it.

The client sends HKVPP in front of a VoP-bound order (HIVPPS lists them) and HKTAN:

- match (RCVC): HIVPP with the result, 3091 on HKVPP, and the TAN challenge right away.
  python-fints then sends HKVPA with the VoP-ID next to the TAN (HKTAN process 2).
- close match (RVMC, with the name the bank has registered), no match (RVNM), not possible
  (RVNA, with a reason): HIVPP with the result, 3090 on HKVPP, 3945 on HKTAN and no
  challenge. Only an approval, HKVPA with the VoP-ID sent again with the order and HKTAN,
  brings the TAN challenge (python-fints: NeedVOPResponse, approve_vop_response).
- asynchronous (profile "vop-async"): HIVPP with only a polling ID and a waiting time, 3040
  with a touchdown point on HKVPP, 3905 on HKTAN; the client sends HKVPP with polling ID
  and touchdown point, the order and HKTAN again until the result is there.

The bank's payee register maps an IBAN to the registered name, or to None for a payee bank
that does not take part (outside the EEA): those give RVNA. An unknown IBAN gives RVNM.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from fints.formals import ChallengeValidUntil
from fints.segments.auth import EVPE, HIVPP1

from .pain import PainError, parse_pain
from .protocol import Refused

MATCH, CLOSE_MATCH, NO_MATCH, NOT_POSSIBLE = "RCVC", "RVMC", "RVNM", "RVNA"
VALIDITY = timedelta(minutes=10)
CLOSE_ENOUGH = 0.85
LEGAL_FORMS = {"gmbh", "mbh", "ggmbh", "ag", "kg", "kgaa", "ohg", "gbr", "ug", "haftungsbeschrankt",
               "ev", "eg", "se", "co", "und", "e", "k", "v", "ek"}
NOT_POSSIBLE_REASON = "Die Bank des Empfängers nimmt nicht am Namensabgleich teil."
NOTICE = ("Der Name des Empfängers konnte nicht bestätigt werden. Wenn Sie den Auftrag trotzdem "
          "freigeben, kann das Geld an einen anderen als den gewünschten Empfänger gehen; "
          "Ihre Bank haftet dann nicht.")


def words(name: str) -> list[str]:
    """Lower case, umlauts folded, punctuation gone: "Müller & Co. KG" -> müller co kg."""
    plain = unicodedata.normalize("NFKD", name.casefold().replace("ß", "ss"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", plain).split()


def compare(registered: str | None, given: str) -> str:
    """The VoP result for a payee name against the name the payee's bank has registered."""
    if registered is None:
        return NOT_POSSIBLE
    ours, theirs = words(registered), words(given)
    if ours == theirs:
        return MATCH
    core_ours = [w for w in ours if w not in LEGAL_FORMS]
    core_theirs = [w for w in theirs if w not in LEGAL_FORMS]
    similar = SequenceMatcher(None, " ".join(ours), " ".join(theirs)).ratio() >= CLOSE_ENOUGH
    return CLOSE_MATCH if core_theirs and (core_ours == core_theirs or similar) else NO_MATCH


@dataclass
class Check:
    """One verification, kept by the dialog under its VoP-ID and its polling ID."""

    digest: str  # of the pain message it verified
    iban: str
    result: str
    registered_name: str | None
    polls_left: int
    valid_until: datetime
    vop_id: bytes = field(default_factory=lambda: secrets.token_hex(12).encode())
    polling_id: bytes = field(default_factory=lambda: secrets.token_hex(12).encode())


def digest(segment) -> str:
    return hashlib.sha256(segment.sepa_pain_message).hexdigest()


def approve(ctx, segment) -> None:
    """HKVPA: the customer releases the order despite the result."""
    check = ctx.dialog.vop.get(segment.vop_id)
    if check is None or check.vop_id != segment.vop_id or check.valid_until < ctx.now:
        raise Refused("VOP-ID unbekannt oder abgelaufen.")
    ctx.vop_approved = check
    ctx.reply.answer(segment, "0020", "VOP-Ausführungsauftrag entgegengenommen.")


def gate(ctx, segment) -> bool:
    """Verify the payee of a VoP-bound order; true when the order may go on to its TAN."""
    approved = ctx.vop_approved
    if approved is not None:
        if approved.digest != digest(segment):
            raise Refused("VOP-ID passt nicht zum Auftrag.")
        ctx.tan_note = approval_note(approved)
        return True
    request = ctx.vop_request
    if request is None:
        raise Refused("Namensabgleich erforderlich (HKVPP fehlt).")
    check = poll(ctx, request) if request.polling_id else start(ctx, segment)
    if check is None:
        return True  # not a readable pain message: the order check refuses it
    if check.polls_left > 0:
        check.polls_left -= 1
        ctx.reply.add(HIVPP1(polling_id=check.polling_id, wait_for_seconds=ctx.settings.vop_wait_seconds),
                      reference=request)
        ctx.reply.answer(request, "3040", "Es liegen weitere Informationen vor.", check.polling_id.decode())
        ctx.reply.answer(request, "3093", "Namensabgleich ist noch in Bearbeitung.")
        ctx.tan_hold = ("3905", "Es wurde keine Challenge erzeugt.")
        return False
    ctx.dialog.vop[check.vop_id] = check
    ctx.reply.add(result_segment(check), reference=request)
    if check.result == MATCH:
        ctx.reply.answer(request, "0020", "Namensabgleich: Übereinstimmung.")
        ctx.reply.answer(request, "3091", "VOP-Ausführungsauftrag nicht benötigt.")
        return True
    ctx.reply.answer(request, "3090", "Ergebnis des Namensabgleichs prüfen.")
    ctx.tan_hold = ("3945", "Freigabe ohne VOP-Bestätigung nicht möglich.")
    return False


def start(ctx, segment) -> Check | None:
    try:
        payment = parse_pain(segment.sepa_pain_message).payments[0]
    except PainError:
        return None
    iban = payment.iban.replace(" ", "").upper()
    registered = ctx.bank.payees.get(iban, "")
    result = NO_MATCH if registered == "" else compare(registered, payment.name)
    check = Check(digest(segment), iban, result, registered or None, ctx.settings.vop_polls,
                  ctx.now + VALIDITY)
    if check.polls_left:
        ctx.dialog.vop[check.polling_id] = check
    return check


def poll(ctx, request) -> Check:
    check = ctx.dialog.vop.get(request.polling_id)
    if check is None or check.polling_id != request.polling_id:
        raise Refused("Polling-ID unbekannt.")
    return check


def result_segment(check: Check) -> HIVPP1:
    single = EVPE(
        recipient_IBAN=check.iban, result=check.result,
        close_match_name=check.registered_name if check.result == CLOSE_MATCH else None,
        na_reason=NOT_POSSIBLE_REASON if check.result == NOT_POSSIBLE else None,
    )
    until = check.valid_until
    return HIVPP1(vop_id=check.vop_id,
                  vop_id_valid_until=ChallengeValidUntil(until.date(), until.time().replace(microsecond=0)),
                  vop_single_result=single,
                  manual_authorization_notice=None if check.result == MATCH else NOTICE)


def approval_note(check: Check) -> str:
    """Added to the TAN challenge of an order released despite its result."""
    if check.result == CLOSE_MATCH:
        return f" Namensabgleich: ähnlich, registriert ist {check.registered_name}."
    if check.result == NO_MATCH:
        return " Namensabgleich: keine Übereinstimmung."
    if check.result == NOT_POSSIBLE:
        return " Namensabgleich: nicht möglich."
    return ""
