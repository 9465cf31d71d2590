"""FinTS 3.0 PIN/TAN messages: reading the customer's, writing the bank's.

A customer message is HNHBK, HNVSK, HNVSD (HNSHK, the orders, HNSHA), HNHBS; the PIN
and the TAN travel in HNSHA. The bank answers in the same envelope with HIRMG (message
feedback), HIRMS per order segment and the data segments, each referring to the
number of the customer's segment it answers.

Every segment the bank writes goes through `serialize`: python-fints' serializer with the
trailing empty data elements and groups left out, as the FinTS 3.0 formals allow and
banks do (python-fints writes every repetition of a repeatable group, e.g. all 999
"Erlaubte Geschäftsvorfälle" of an HIUPD, which overruns other clients' parsers).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from fints.formals import (
    AlgorithmParameterIVName,
    AlgorithmParameterName,
    CompressionFunction,
    DateTimeType,
    EncryptionAlgorithm,
    EncryptionAlgorithmCoded,
    IdentifiedRole,
    KeyName,
    KeyType,
    OperationMode,
    ReferenceMessage,
    Response,
    SecurityDateTime,
    SecurityIdentificationDetails,
    SecurityMethod,
    SecurityProfile,
    SecurityRole,
    SegmentHeader,
    UsageEncryption,
)
from fints.parser import FinTS3Parser, FinTS3Serializer
from fints.segments.dialog import HIRMG2, HIRMS2
from fints.segments.message import HNHBK3, HNHBS1, HNSHA2, HNSHK4, HNVSD1, HNVSK3
from fints.types import SegmentSequence

from .bpd import bank_id

HBCI_VERSION = 300


class MalformedMessage(ValueError):
    pass


class Refused(Exception):
    """An order or query the bank turns down; answered on its segment."""

    def __init__(self, text: str, code: str = "9210"):
        super().__init__(text)
        self.code = code
        self.text = text


@dataclass
class Request:
    dialog_id: str
    message_number: int
    segments: list  # the orders, between signature head and signature end
    security_function: str = ""
    user_id: str = ""
    pin: str | None = None
    tan: str | None = None

    def first(self, segment_type: str):
        return next((s for s in self.segments if s.header.type == segment_type), None)


def parse_request(raw: bytes) -> Request:
    try:
        return read_request(FinTS3Parser().parse_message(raw))
    except Exception as e:  # garbage makes the parser and the field types raise anything
        raise MalformedMessage(str(e)) from e


def read_request(message: SegmentSequence) -> Request:
    head = message.segments[0]
    if not isinstance(head, HNHBK3):
        raise MalformedMessage("message does not start with HNHBK")
    inner = message.segments[1:-1]
    envelope = next((s for s in inner if isinstance(s, HNVSD1)), None)
    if envelope is not None:
        inner = envelope.data.segments
    request = Request(dialog_id=str(head.dialog_id), message_number=int(head.message_number), segments=[])
    for segment in inner:
        if isinstance(segment, HNSHK4):
            request.security_function = str(segment.security_function)
            request.user_id = str(segment.key_name.user_id)
        elif isinstance(segment, HNSHA2):
            signature = segment.user_defined_signature
            # Password.value, not str(): str() masks the PIN while the client logs.
            request.pin = getattr(signature.pin, "value", signature.pin)
            request.tan = signature.tan
        else:
            request.segments.append(segment)
    return request


class _Serializer(FinTS3Serializer):
    """Segments without trailing empty data elements or groups; the encrypted envelope's
    content (HNVSD) is written the same way."""

    def serialize_segment(self, segment):
        if isinstance(segment, HNVSD1):  # python-fints would render its content with its own
            elements = [self.serialize_deg(segment.header), self.serialize_message(segment.data)]
        else:
            elements = super().serialize_segment(segment)
        while elements and _empty(elements[-1]):
            elements.pop()
        return elements


def _empty(element) -> bool:
    """A data element without a value, or a group whose elements are all empty."""
    if isinstance(element, (list, tuple)):
        return all(_empty(e) for e in element)
    return element is None or element in (b"", "")


def serialize(segments) -> bytes:
    """The bank's segments as FinTS bytes (see the module docstring)."""
    return _Serializer().serialize_message(SegmentSequence(list(segments)))


def response(code: str, text: str, *parameters: str) -> Response:
    return Response(code=code, reference_element="", text=text[:80], parameters=list(parameters) or None)


@dataclass
class Reply:
    """The bank's answer to one customer message, assembled while the orders run."""

    message: list[Response] = field(default_factory=list)
    by_segment: dict[int, list[Response]] = field(default_factory=dict)
    data: list = field(default_factory=list)

    def note(self, code: str, text: str, *parameters: str) -> None:
        """Feedback on the whole message (HIRMG)."""
        self.message.append(response(code, text, *parameters))

    def answer(self, segment, code: str, text: str, *parameters: str) -> None:
        """Feedback on one of the customer's segments (HIRMS)."""
        self.by_segment.setdefault(segment.header.number, []).append(response(code, text, *parameters))

    def add(self, segment, reference=None) -> None:
        segment.header.reference = reference.header.number if reference is not None else None
        self.data.append(segment)

    def codes(self) -> list[str]:
        return [r.code for r in self.message] + [r.code for rs in self.by_segment.values() for r in rs]

    def has_error(self) -> bool:
        return any(c.startswith("9") for c in self.codes())

    def render(self, dialog_id: str, request_number: int, bank_code: str, user_id: str) -> bytes:
        if not self.message:
            if self.has_error():
                self.note("9050", "Die Nachricht enthält Fehler.")
            elif any(c.startswith("3") for c in self.codes()):
                self.note("3060", "Bitte beachten Sie die enthaltenen Warnungen/Hinweise.")
            else:
                self.note("0010", "Nachricht entgegengenommen.")
        inner = [HIRMG2(responses=self.message)]
        for number, responses in self.by_segment.items():
            inner.append(HIRMS2(responses=responses, header=SegmentHeader("HIRMS", None, 2, number)))
        inner += self.data
        for position, segment in enumerate(inner, start=2):
            segment.header.number = position
        now = datetime.datetime.now()
        head = HNHBK3(0, HBCI_VERSION, dialog_id, request_number,
                      ReferenceMessage(dialog_id, request_number))
        head.header.number = 1
        encryption_head = HNVSK3(
            security_profile=SecurityProfile(SecurityMethod.PIN, 2),
            security_function="998",
            security_role=SecurityRole.ISS,
            security_identification_details=SecurityIdentificationDetails(IdentifiedRole.MS, identifier="0"),
            security_datetime=SecurityDateTime(DateTimeType.STS, now.date(),
                                               now.time().replace(microsecond=0)),
            encryption_algorithm=EncryptionAlgorithm(
                UsageEncryption.OSY, OperationMode.CBC, EncryptionAlgorithmCoded.TWOKEY3DES,
                b"\x00" * 8, AlgorithmParameterName.KYE, AlgorithmParameterIVName.IVC),
            key_name=KeyName(bank_id(bank_code), user_id or "0", KeyType.V, 0, 0),
            compression_function=CompressionFunction.NULL,
        )
        encryption_head.header.number = 998
        body = HNVSD1(data=SegmentSequence(inner))
        body.header.number = 999
        tail = HNHBS1(request_number)
        tail.header.number = len(inner) + 2
        message = [head, encryption_head, body, tail]
        head.message_size = len(serialize(message))
        return serialize(message)


def error_answer(raw: bytes, bank_code: str, segment_type: str, code: str, text: str) -> bytes:
    """The bank's error answer to the customer's message `raw`: 9800 "dialog aborted" on the
    message and `code` on its segment of `segment_type` (for the fault modes, server.py)."""
    request = parse_request(raw)
    reply = Reply()
    reply.note("9800", "Dialog abgebrochen.")
    segment = request.first(segment_type)
    if segment is not None:
        reply.answer(segment, code, text)
    return reply.render(request.dialog_id, request.message_number, bank_code, request.user_id)
