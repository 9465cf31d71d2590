"""What clients written elsewhere rely on, checked on the bytes: no trailing empty data
elements, older segment versions offered and answered in kind, versions the BPD do not
list refused, one-step (999) dialogs only for synchronisation, the depot's account type,
and MT940 purposes where every SEPA keyword starts a subfield.

The customer messages here are written out by hand, as another client would send them.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
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


def test_the_bpd_list_older_versions_beside_the_newest(bank):
    parameters = [s for s in segments(bank.handle(opening()).body) if s.header.type.endswith("S")]
    versions = {}
    for segment in parameters:
        versions.setdefault(segment.header.type, []).append(segment.header.version)
    assert versions["HITANS"] == [6, 7] and versions["HISALS"] == [5, 6, 7] and versions["HIKAZS"] == [5, 6, 7]
    assert versions["HITABS"] == [4, 5] and versions["HIPROS"] == [3, 4]
    tan6, tan7 = [s for s in parameters if s.header.type == "HITANS"]
    # Decoupled came with HKTAN 7: version 6 lists the other methods only.
    assert [p.security_function for p in tan6.parameter.twostep_parameters] == ["942", "902", "912"]
    assert [p.security_function for p in tan7.parameter.twostep_parameters] == ["942", "946", "902", "912"]


def open_dialog(bank, tan: str = "HKTAN:6+4+HKIDN") -> str:
    answer = bank.handle(opening(tan=tan)).body
    assert "9050" not in responses(answer)["message"]
    return dialog_of(answer)


@pytest.mark.parametrize("version, account", [
    (5, "{number}::280:99990000"),  # national account
    (6, "{number}::280:99990000"),  # national account with the bank's identifier
    (7, "{iban}:{bic}"),  # international
])
def test_each_balance_version_is_answered_in_its_version(bank, version, account):
    current = bank.customers[LOGIN].accounts[0]
    dialog = open_dialog(bank)
    kti = account.format(number=current.number, iban=current.iban, bic=current.bic)
    answer = bank.handle(message(dialog, 2, f"HKSAL:{version}+{kti}+N")).body
    [balance] = [s for s in segments(answer) if s.header.type == "HISAL"]
    assert balance.header.version == version and responses(answer)["3"] == ["0020"]
    booked = balance.balance_booked
    amount = booked.amount if version == 5 else booked.amount.amount  # version 5: value and currency apart
    assert amount == abs(bank.ledger.balance(current.iban, bank.clock.now().date()))


@pytest.mark.parametrize("version", [5, 6, 7])
def test_each_statement_version_is_answered_in_its_version(bank, version):
    current = bank.customers[LOGIN].accounts[0]
    account = f"{current.iban}:{current.bic}" if version == 7 else f"{current.number}::280:99990000"
    dialog = open_dialog(bank)
    answer = bank.handle(message(dialog, 2, f"HKKAZ:{version}+{account}+N")).body
    [statement] = [s for s in segments(answer) if s.header.type == "HIKAZ"]
    assert statement.header.version == version and b":20:STARTUMSE" in statement.statement_booked


@pytest.mark.parametrize("version", [6, 7])
def test_hktan_is_answered_in_its_version(bank, version):
    answer = bank.handle(opening(tan=f"HKTAN:{version}+4+HKIDN")).body
    [tan] = [s for s in segments(answer) if s.header.type == "HITAN"]
    assert tan.header.version == version and "3076" in responses(answer)["5"]


def test_a_segment_version_the_bpd_do_not_list_is_refused(bank):
    # HKTAN 5 at the dialog start: the bank refuses it and opens no dialog.
    refused = bank.handle(opening(tan="HKTAN:5+4+HKIDN")).body
    assert responses(refused)["message"] == ["9800"] and responses(refused)["5"] == ["9010"]
    assert not any(s.header.type in ("HIBPA", "HITAN") for s in segments(refused))
    assert bank.handle(message(dialog_of(refused), 2, "HKEND:1+x")).body.count(b"9800") == 1

    # HKSAL 4 within a dialog: refused, the other segments of the message still answered.
    current = bank.customers[LOGIN].accounts[0]
    dialog = open_dialog(bank)
    answer = bank.handle(message(dialog, 2, f"HKSAL:4+{current.number}::280:99990000+N",
                                 f"HKSAL:7+{current.iban}:{current.bic}+N")).body
    found = responses(answer)
    assert found["3"] == ["9010"] and found["4"] == ["0020"] and "9050" in found["message"]
    assert [s.header.version for s in segments(answer) if s.header.type == "HISAL"] == [7]


def test_a_decoupled_method_needs_hktan_7(bank):
    refused = bank.handle(opening(tan="HKTAN:6+4+HKIDN", function="946")).body
    assert responses(refused)["5"] == ["9210"] and "9800" in responses(refused)["message"]
    assert responses(bank.handle(opening(tan="HKTAN:7+4+HKIDN", function="946")).body)["message"] == ["3060"]


def test_one_step_is_not_offered_and_serves_only_the_synchronisation(bank):
    parameters = segments(bank.handle(opening()).body)
    assert all(not s.parameter.onestep_method_allowed for s in parameters if s.header.type == "HITANS")

    # A 999 dialog synchronises (a new system id) ...
    answer = bank.handle(opening("HKSYN:3+0", tan="", function="999")).body
    assert [s.system_id for s in segments(answer) if s.header.type == "HISYN"] != []
    # ... but the business transactions it does not offer are refused for lack of SCA.
    current = bank.customers[LOGIN].accounts[0]
    refused = bank.handle(message(dialog_of(answer), 2, f"HKSAL:7+{current.iban}:{current.bic}+N",
                                  function="999")).body
    assert responses(refused)["3"] == ["9075"]


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



def test_sepa_details_of_the_account_asked_for(bank):
    savings = bank.customers[LOGIN].accounts[1]
    dialog = open_dialog(bank)
    answer = bank.handle(message(dialog, 2, f"HKSPA:1+{savings.number}::280:99990000")).body
    [details] = [s for s in segments(answer) if s.header.type == "HISPA"]
    assert [(a.iban, a.bic) for a in details.accounts] == [(savings.iban, savings.bic)]
    everything = bank.handle(message(dialog, 3, "HKSPA:1")).body
    assert len(next(s for s in segments(everything) if s.header.type == "HISPA").accounts) == 3
