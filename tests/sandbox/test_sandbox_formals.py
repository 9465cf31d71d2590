"""What clients written elsewhere rely on, checked on the bytes: no trailing empty data
elements, the depot's account type, and MT940 purposes where every SEPA keyword starts a
subfield.

The customer messages here are written out by hand, as another client would send them.
"""

import re
from datetime import date
from decimal import Decimal

from fints.parser import FinTS3Parser

from kassenwart.sandbox import mt940_writer
from kassenwart.sandbox.bpd import ACCOUNT_TYPES
from kassenwart.sandbox.ledger import Booking
from kassenwart.sandbox.scenarios import LOGIN, PIN


def message(dialog_id: str, number: int, *segments: str, function: str = "942", tan: str = "") -> bytes:
    """A customer message (unencrypted, as the bank reads it too): `segments` without
    their number, e.g. "HKSAL:7+DE..:BIC+N"."""
    profile = "1" if function == "999" else "2"
    inner = [f"HNSHK:2:4+PIN:{profile}+{function}+1+1+1+1::0+1+1:20260105:120000+1:999:1+6:10:16"
             f"+280:99990000:{LOGIN}:S:0:0"]
    for position, segment in enumerate(segments, start=3):
        kind, _, rest = segment.partition(":")
        inner.append(f"{kind}:{position}:{rest}")
    end = len(segments) + 3
    inner.append(f"HNSHA:{end}:2+1++{PIN}" + (f":{tan}" if tan else ""))
    tail = f"HNHBS:{end + 1}:1+{number}"
    body = "'".join(inner + [tail]) + "'"
    size = len(f"HNHBK:1:3+000000000000+300+{dialog_id}+{number}'") + len(body.encode("iso-8859-1"))
    return f"HNHBK:1:3+{size:012d}+300+{dialog_id}+{number}'{body}".encode("iso-8859-1")


def opening(*extra: str, tan: str = "HKTAN:6+4+HKIDN", function: str = "942") -> bytes:
    """The first message of a dialog: identification, preparation (BPD and UPD version 0:
    send both), a two-step HKTAN, and `extra`."""
    segments = [f"HKIDN:2+280:99990000+{LOGIN}+0+1", "HKVVB:3+0+0+1+KASSENWARTSANDBOX01+1.0"]
    return message("0", 1, *segments, *([tan] if tan else []), *extra, function=function)


def inner(body: bytes) -> bytes:
    """The bank's segments as they travelled, out of the encrypted envelope (HNVSD)."""
    match = re.search(rb"HNVSD:999:1\+@(\d+)@", body)
    return body[match.end():match.end() + int(match.group(1))]


def segments(body: bytes):
    return FinTS3Parser().parse_message(inner(body)).segments


def dialog_of(body: bytes) -> str:
    return FinTS3Parser().parse_message(body).segments[0].dialog_id


def responses(body: bytes) -> dict[str, list[str]]:
    """Response codes: "message" for HIRMG, else the number of the segment they answer."""
    found: dict[str, list[str]] = {}
    for segment in segments(body):
        if segment.header.type in ("HIRMG", "HIRMS"):
            key = "message" if segment.header.type == "HIRMG" else str(segment.header.reference)
            found.setdefault(key, []).extend(r.code for r in segment.responses)
    return found


def test_no_segment_carries_trailing_empty_elements(bank):
    answer = inner(bank.handle(opening()).body).decode("iso-8859-1")
    assert "HIBPA" in answer and "HIUPD" in answer and "@" not in answer  # no binary data to mind
    # An element or group that ends empty before the next element or the segment's end.
    assert not re.search(r"(?<!\?)[+:](?=')", answer)
    assert not re.search(r"(?<!\?):(?=\+)", answer)
    current = next(s for s in answer.split("'") if s.startswith("HIUPD") and "Business Giro" in s)
    assert current.endswith("HKBME:1") and current.count("+") < 30  # not 999 allowed transactions


def test_the_depot_is_a_securities_account(bank):
    updates = [s for s in segments(bank.handle(opening()).body) if s.header.type == "HIUPD"]
    depot = next(s for s in updates if s.iban is None)
    assert 30 <= depot.account_type <= 39 and ACCOUNT_TYPES["depot"] == depot.account_type
    assert [s.account_type for s in updates if s.iban] == [1, 10, 20]


def booking(**fields) -> Booking:
    day = date(2026, 6, 16)
    return Booking(**{"reference": "KW1", "booking_date": day, "value_date": day, "amount": Decimal("1897.48"),
                      "text": "SEPA-GUTSCHRIFT", "gvc": "166", "counterparty_name": "Zimmerei Braun",
                      "counterparty_iban": "DE25701500000012345006", **fields})


def test_each_sepa_keyword_starts_its_own_purpose_subfield():
    credit = booking(end_to_end_id="E2E-ZIMM-302", remittance="RE-2026-00302")
    assert "?20EREF+E2E-ZIMM-302?21SVWZ+RE-2026-00302?" in mt940_writer.details(credit)

    debit = booking(amount=Decimal("-767.71"), gvc="105", mandate_id="EVS-778812", creditor_id="DE98ZZZ09999999999",
                    end_to_end_id="E2E-2026-06-LONG-REFERENCE-0001", remittance="Abschlag Strom 06/2026 " * 3)
    details = mt940_writer.details(debit)
    subfields = re.findall(r"\?(2\d|6[0-3])([^?]*)", details)
    keywords = [(key, text[:5]) for key, text in subfields if text[:5] in ("EREF+", "MREF+", "CRED+", "SVWZ+")]
    assert keywords == [("20", "EREF+"), ("22", "MREF+"), ("23", "CRED+"), ("24", "SVWZ+")]
    assert all(len(text) <= 27 for _, text in subfields)  # the end-to-end id goes on in ?21, the text in ?25..
