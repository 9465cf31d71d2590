"""FinTS 3.0 PIN/TAN banks: the only module that talks python-fints.

`probe` asks a bank which TAN methods it offers (a dialog without TAN). `session` is one
dialog: right after it opens, `Session.challenge` says whether the bank wants a TAN for the
dialog start (strong customer authentication). Answer it with `send_tan` in the same dialog,
at once or after `pause()` and a later `session(..., resume=blob)`: the bank refuses a TAN
from another dialog, and ends a paused one after about 15 minutes.

Every python-fints exception leaves this module as a `BankError` whose message says what a
person can do about it. A client whose dialog start failed is never used again: each
`session` builds a new one from the saved client state.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import partial

from django.conf import settings
from fints import exceptions as fints_errors
from fints.client import FinTS3PinTanClient, NeedRetryResponse, NeedTANResponse, NeedVOPResponse, ResponseStatus
from fints.fields import DataElementField, DataElementGroupField
from fints.formals import (
    KTI1,
    Amount1,
    DescriptionRequired,
    ScheduledBatchDebitParameter2,
    ScheduledDebitParameter2,
    UPDUsage,
)
from fints.hhd.flicker import code_to_bitstream
from fints.models import SEPAAccount
from fints.segments.auth import HIVPP1, HKVPP1
from fints.segments.base import FinTS3Segment, ParameterSegment
from fints.segments.debit import BatchDebitBase, DebitResponseBase
from fints.segments.saldo import HKSAL5, HKSAL6, HKSAL7
from fints.segments.statement import HKKAZ5, HKKAZ6, HKKAZ7
from fints.types import SegmentSequence
from lxml import etree

from kassenwart.core.messages import message, render

logger = logging.getLogger(__name__)

# python-fints logs every message it sends and receives in full at DEBUG (fints.connection): the
# TAN, statements with names and remittance texts. None of that may reach a log at any level an
# operator sets, so a filter drops them all (it stays when logging is configured again, which
# resets the level, handlers and propagation of a child of the configured "fints" logger).
logging.getLogger("fints.connection").addFilter(lambda record: False)

# Used when KASSENWART_FINTS_PRODUCT_ID is not set: the sandbox bank knows it, real banks
# refuse it (ProductRefused tells the admin to register a product id).
SANDBOX_PRODUCT_ID = "KASSENWARTSANDBOX01"
BANK_TIMEOUT = 120  # seconds one answer may take (large statements are slow to build)
NO_CHALLENGE = {"3905", "3945"}  # "no challenge created", "no release without VoP approval"
VOP_MAX_POLLS = 10  # asynchronous payee check: how often to ask for the result
VOP_MAX_WAIT = 10  # seconds between two asks at most, whatever the bank says
CENT = Decimal("0.01")
PAIN_008 = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"
# Business transactions of the UPD (allowed per account) in our words. The read-only ones are
# named too, so an account that may only be read has a list (empty means: not known).
UPD_OPERATIONS = {"HKCCS": "transfer", "HKCCM": "transfer_batch", "HKIPZ": "instant", "HKDSE": "debit_core",
                  "HKDME": "debit_core_batch", "HKBSE": "debit_b2b", "HKBME": "debit_b2b_batch",
                  "HKSAL": "balance", "HKKAZ": "statements", "HKCAZ": "statements"}
# Where the BPD states a direct debit's lead times: (scheme, batch) -> parameter segment.
DEBIT_PARAMETERS = {("CORE", False): "HIDSES", ("CORE", True): "HIDMES", ("B2B", False): "HIBSES",
                    ("B2B", True): "HIBMES"}
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


# -- errors --------------------------------------------------------------------------------
class BankError(Exception):
    """What went wrong, for a person. `said` is the message to store (a key with parameters,
    worded in the reader's language when shown, banking/wordings.py); `message` is the same
    worded now, in the active language (logs, the command line, the page that raised it). A
    plain text is kept as it is written."""

    def __init__(self, said: dict | str):
        self.said = said if isinstance(said, dict) else message("banking.as_written", text=said)
        self.message = render(self.said)
        super().__init__(self.message)


class PinWrong(BankError):
    """The bank refused the PIN. Never retried automatically: banks lock after a few."""


class PinBlocked(BankError):
    """The bank has locked the access (too many wrong PINs)."""


class BankUnreachable(BankError):
    """No answer, or not a FinTS answer, from the server URL."""


class ProductRefused(BankError):
    """The bank does not accept our FinTS product id."""


class TanRequired(BankError):
    """The bank wants a TAN where no person is there to give one."""


class QueryTanRequired(TanRequired):
    """The bank wants a TAN before it answers a query in this dialog: `challenge`."""

    def __init__(self, said: dict | str, challenge: Challenge):
        super().__init__(said)
        self.challenge = challenge


class TanWrong(BankError):
    """The TAN was wrong; the dialog is still open for another try."""


class TanExpired(BankError):
    """The dialog that asked for the TAN is gone (timed out or cancelled)."""


class BankRefused(BankError):
    """Any other refusal, with the bank's own words."""


class NotExecuted(BankError):
    """The bank answered the order without executing it and without refusing it for good."""


class PayeeCheckUnfinished(NotExecuted):
    """The bank's asynchronous Verification of Payee gave no result in time: nothing executed."""


class OutcomeUnknown(BankError):
    """The connection broke after an order was sent: the bank may have executed it."""


# -- what goes in and comes out ------------------------------------------------------------
@dataclass(frozen=True)
class Access:
    bank_code: str
    server_url: str
    login: str
    pin: str | None
    customer_id: str = ""
    tan_method: str = ""  # security function, e.g. "942"; empty: the bank's first
    tan_medium: str = ""
    client_state: bytes | None = None  # from Session.client_state() or probe()


@dataclass(frozen=True)
class TanOption:
    method: str
    name: str
    decoupled: bool
    needs_medium: bool
    media: tuple[str, ...] = ()  # names of the user's devices for it, when the bank lists them

    def as_dict(self) -> dict:
        return {"method": self.method, "name": self.name, "decoupled": self.decoupled,
                "needs_medium": self.needs_medium, "media": list(self.media)}


@dataclass(frozen=True)
class DiscoveredAccount:
    iban: str
    bic: str
    account_number: str
    subaccount: str
    bank_code: str
    owner: str
    product: str
    kind: str  # a BankAccount.Kind value
    currency: str
    operations: tuple[str, ...] = ()  # what the UPD allows (UPD_OPERATIONS' names); () when not known


@dataclass(frozen=True)
class BankBalance:
    amount: Decimal  # booked
    currency: str
    date: date
    available: Decimal | None = None  # what may be spent now (booked, pending and credit line)
    credit_line: Decimal | None = None  # None: the bank did not say


@dataclass(frozen=True)
class Statements:
    format: str  # "camt" or "mt940"
    files: list[bytes]  # nothing when the bank has no bookings in the period


@dataclass(frozen=True)
class Challenge:
    """A TAN request as the user sees it, plus what answers it (`data`)."""

    text: str
    decoupled: bool
    data: bytes
    image_type: str = ""  # photoTAN / QR code: MIME type and bytes
    image: bytes = b""
    flicker: tuple[str, ...] = ()  # optical chipTAN: 5-bit frames, clock bit first
    payee_check: bytes = b""  # an order's VoP result, which goes back with the TAN

    @classmethod
    def of(cls, response: NeedTANResponse) -> Challenge:
        image_type, image = response.challenge_matrix or ("", b"")
        check = response.vop_result
        return cls(text=response.challenge or "", decoupled=bool(response.decoupled),
                   data=response.get_data(), image_type=image_type, image=image,
                   flicker=_flicker(response.challenge_hhduc),
                   payee_check=SegmentSequence([check]).render_bytes() if check is not None else b"")

    def restore(self) -> NeedTANResponse:
        response = NeedRetryResponse.from_data(self.data)
        response.decoupled = self.decoupled  # python-fints keeps neither in the blob
        if self.payee_check:
            response.vop_result = SegmentSequence(self.payee_check).segments[0]
        return response


@dataclass(frozen=True)
class PayeeCheck:
    """Verification of Payee said something other than a plain match: the payer must see it
    and approve the order before the bank asks for the TAN."""

    result: str  # RVMC close match, RVNM no match, RVNA not possible, RCVC match to confirm
    iban: str
    registered_name: str  # with a close match: the name the payee's bank has for the account
    reason: str  # with not possible: why
    notice: str  # the bank's words on what approving means (liability)
    data: bytes  # what approves it (approve_payee)

    @classmethod
    def of(cls, response: NeedVOPResponse) -> PayeeCheck:
        hivpp = response.vop_result
        single = hivpp.vop_single_result
        return cls(result=single.result or "", iban=single.recipient_IBAN or "",
                   registered_name=single.close_match_name or "", reason=single.na_reason or "",
                   notice=hivpp.manual_authorization_notice or "", data=response.get_data())


@dataclass(frozen=True)
class OrderResult:
    """The bank's answer to an order once no TAN or approval is missing."""

    accepted: bool
    said: dict  # the bank's own words (or why it refused), a stored message


def _flicker(code: str | None) -> tuple[str, ...]:
    if not code:
        return ()
    try:
        return tuple(code_to_bitstream(code))
    except Exception:  # a code python-fints cannot read: the text challenge still shows
        logger.warning("unreadable flicker code in a TAN challenge")
        return ()


# -- entry points --------------------------------------------------------------------------
def product_id() -> str:
    return settings.CONFIG.fints_product_id or SANDBOX_PRODUCT_ID


def probe(access: Access) -> tuple[list[TanOption], bytes]:
    """The two-step TAN methods the bank allows this login (with the TAN media of those that
    need one), and the client state (system id, BPD, UPD) to keep. One dialog without TAN,
    and one more for the media list when a method needs a medium."""
    client = _client(access, with_tan_method=False)
    with _translated(client):
        client.fetch_tan_mechanisms()
        mechanisms = {m: p for m, p in client.get_tan_mechanisms().items() if m != "999"}
    needing = [m for m, parameter in mechanisms.items() if _needs_medium(parameter)]
    listing = next((m for m in mechanisms if m not in needing), None)  # asks without a medium
    media = _tan_media(access, client.deconstruct(including_private=True), listing) if needing and listing else {}
    options = [
        TanOption(method, parameter.name, _decoupled(parameter), method in needing, media.get(method, ()))
        for method, parameter in mechanisms.items()
    ]
    return options, client.deconstruct(including_private=True)


def _tan_media(access: Access, client_state: bytes, method: str) -> dict[str, tuple[str, ...]]:
    """Media names per TAN method (HKTAB); none when the bank wants a TAN to list them."""
    client = _client(replace(access, client_state=client_state, tan_method=method))
    with _translated(client), client:
        if client.init_tan_response is not None:
            return {}
        _, media = client.get_tan_media()
    names: dict[str, tuple[str, ...]] = {}
    for medium in media:
        function = str(getattr(medium, "security_function", None) or method)
        names[function] = names.get(function, ()) + (medium.tan_medium_name,)
    return names


@contextmanager
def session(access: Access, *, resume: bytes | None = None) -> Iterator[Session]:
    """One dialog with the bank: a new one, or the paused dialog `resume`."""
    client = _client(access)
    dialog = client.resume_dialog(resume) if resume is not None else client
    with _translated(client), _ended_quietly(dialog):
        if resume is None:
            _check_dialog_start(client)
        yield Session(client)


@contextmanager
def _ended_quietly(dialog) -> Iterator[None]:
    """Enter the dialog; leaving it (HKEND) may fail without undoing what the bank already
    answered in it (an executed order must not look like an error)."""
    dialog.__enter__()
    try:
        yield
    except BaseException:
        try:
            swallowed = dialog.__exit__(*sys.exc_info())
        except Exception:  # e.g. the connection is still down: what happened before counts
            logger.warning("the bank dialog did not end cleanly", exc_info=True)
            swallowed = False
        if not swallowed:
            raise
    else:
        try:
            dialog.__exit__(None, None, None)
        except Exception:
            logger.warning("the bank dialog did not end cleanly", exc_info=True)


class Session:
    def __init__(self, client: BankClient):
        self._client = client

    @property
    def challenge(self) -> Challenge | None:
        """The TAN the bank asked for at dialog start, until it is answered."""
        response = self._client.init_tan_response
        return Challenge.of(response) if isinstance(response, NeedTANResponse) else None

    def send_tan(self, challenge: Challenge, tan: str) -> Challenge | None:
        """Answer `challenge` (decoupled: ask whether the app confirmed; `tan` unused).
        None when the bank accepted; a Challenge while the app has not confirmed yet."""
        response = challenge.restore()
        if response.command_seg is not None:
            # A query's TAN: python-fints would go on fetching (needing state this client
            # lacks). Take the bank's yes alone; the query is asked again in this dialog.
            response.resume_method = "_continue_dialog_initialization"
        seen = len(self._client.responses)
        with _translated(self._client):
            result = self._client.send_tan(response, tan)
        if isinstance(result, NeedTANResponse):
            return Challenge.of(result)
        _check_tan_answer(self._client.responses[seen:])
        self._client.init_tan_response = None
        return None

    def transfer(self, account, pain: bytes, *, count: int, total: Decimal, instant: bool = False,
                 descriptor: str) -> Challenge | PayeeCheck | OrderResult:
        """Send a pain.001 credit transfer (one transfer or a batch). The bank answers with a
        TAN challenge, a payee check to approve first, or at once (no TAN needed).
        `OutcomeUnknown` when the connection breaks after the order left."""
        with self._ordering() as said:
            answer = self._client.sepa_transfer(
                _sepa(account), pain.decode("utf-8"), multiple=count > 1, control_sum=total if count > 1 else None,
                pain_descriptor=descriptor, instant_payment=instant)
        return _order_step(answer, said)

    def debit(self, account, pain: bytes, *, count: int, total: Decimal, scheme: str,
              descriptor: str = PAIN_008) -> Challenge | OrderResult:
        """Send a pain.008 direct debit order: CORE as HKDSE (one) or HKDME (several, with the
        control sum), B2B as HKBSE or HKBME. No payee check (it is for transfers only); the
        bank answers with a TAN challenge or at once. `OutcomeUnknown` as for transfers."""
        batch = count > 1
        with self._ordering() as said:
            if scheme == "B2B":
                answer = self._client.sepa_debit_b2b(_sepa(account), pain.decode("utf-8"), multiple=batch,
                                                     control_sum=total if batch else None,
                                                     pain_descriptor=descriptor)
            elif scheme == "CORE":
                answer = self._client.sepa_debit(_sepa(account), pain.decode("utf-8"), multiple=batch,
                                                 control_sum=total if batch else None, pain_descriptor=descriptor)
            else:
                raise BankRefused(message("banking.fints.debit_scheme", scheme=scheme or "?"))
        return _order_step(answer, said)

    def approve_payee(self, check: PayeeCheck) -> Challenge | OrderResult:
        """The payer has seen the payee check and releases the order anyway."""
        with self._ordering() as said:
            answer = self._client.approve_vop_response(NeedRetryResponse.from_data(check.data))
        return _order_step(answer, said)

    def confirm_order(self, challenge: Challenge, tan: str) -> Challenge | OrderResult:
        """The TAN for an order (decoupled: whether the app confirmed; `tan` unused). A
        Challenge while the app has not confirmed yet; `TanWrong` for another try."""
        with self._ordering() as said:
            answer = self._client.send_tan(challenge.restore(), tan)
        step = _order_step(answer, said)
        if isinstance(step, Challenge):  # decoupled, not confirmed yet: the check goes on too
            return replace(step, payee_check=step.payee_check or challenge.payee_check)
        if not step.accepted and _only_wrong_tan(answer.responses):
            raise TanWrong(message("banking.fints.tan_wrong"))
        return step

    @contextmanager
    def _ordering(self) -> Iterator[None]:
        """From here the order may reach the bank. A failure counts as the bank's refusal only
        when nothing was sent or the bank answered with an error code; anything else (a
        broken connection, an answer nobody can read) leaves the outcome unknown."""
        seen, sent = len(self._client.responses), self._client.messages_sent
        said: list = []  # filled with everything the bank answered in this step
        try:
            with _translated(self._client):
                yield said
                said.extend(self._client.responses[seen:])
        except (TanWrong, NotExecuted, OutcomeUnknown):
            raise
        except Exception as error:  # python-fints raises a bare Exception for a refused order
            answered = self._client.responses[seen:]
            if self._client.messages_sent == sent:  # refused here, before it left: the bank has nothing
                refused = error if isinstance(error, BankError) else _refusal(answered, str(error))
                raise NotExecuted(refused.said) from error
            if any(r.code.startswith("9") for r in answered):
                if isinstance(error, BankError):
                    raise
                raise _refusal(answered, str(error)) from error
            raise OutcomeUnknown(message("banking.fints.connection_broke")) from error

    def pause(self) -> bytes:
        """Freeze the dialog (it stays open at the bank). The blob holds the PIN: seal it."""
        return self._client.pause_dialog()

    def client_state(self) -> bytes:
        """System id, BPD and UPD to start the next dialog with (call last)."""
        return self._client.deconstruct(including_private=True)

    def accounts(self) -> list[DiscoveredAccount]:
        with _translated(self._client):
            sepa_accounts = _answered(self._client.get_sepa_accounts())
            upd = {a["account_number"]: a for a in self._client.get_information()["accounts"]}
        operations = _upd_operations(self._client)
        found = []
        for sepa in sepa_accounts:
            info = upd.get(sepa.accountnumber, {})
            found.append(DiscoveredAccount(
                iban=sepa.iban or "",
                bic=sepa.bic or "",
                account_number=sepa.accountnumber or "",
                subaccount=sepa.subaccount or "",
                bank_code=sepa.blz or "",
                owner=" ".join(info.get("owner_name") or []),
                product=info.get("product_name") or "",
                kind=account_kind(info.get("type")),
                currency=info.get("currency") or "EUR",
                operations=operations.get(sepa.accountnumber, ()),
            ))
        return found

    def balance(self, account) -> BankBalance | None:
        """The booked balance now, with the available amount and the credit line where the
        bank reports them (HISAL); None when the bank gives no balance for the account.
        `account`: anything with iban, bic, account_number, subaccount and bank_code."""
        with _translated(self._client):
            answer = _answered(self._client.balance_report(_sepa(account)))
        if answer is None:
            return None
        booked = answer.balance_booked.as_mt940_Balance()
        return BankBalance(Decimal(booked.amount.amount).quantize(CENT), booked.amount.currency, booked.date,
                           available=_amount(answer.available_amount), credit_line=_amount(answer.line_of_credit))

    def statements(self, account, since: date | None) -> Statements:
        """Booked (and, where the bank offers them, pending) transactions from `since` on:
        camt where the bank offers it, else MT940/MT942 as the bank wrote it."""
        bpd = self._client.bpd
        with _translated(self._client):
            if bpd.find_segment_first("HICAZS"):
                booked, pending = _answered(self._client.get_transactions_xml(_sepa(account), since))
                return Statements("camt", _merge_camt(booked + [p for p in pending if p]))
            if bpd.find_segment_first("HIKAZS"):
                return Statements("mt940", self._mt940(_sepa(account), since))
        raise BankRefused(message("banking.fints.no_statements"))

    def _mt940(self, account: SEPAAccount, since: date | None) -> list[bytes]:
        # python-fints parses MT940 itself (get_transactions); the import wants the bytes.
        client = self._client
        hkkaz = client._find_highest_supported_command(HKKAZ5, HKKAZ6, HKKAZ7)
        with client._get_dialog() as dialog:
            segments = _answered(client._fetch_with_touchdowns(
                dialog,
                lambda touchdown: hkkaz(
                    account=hkkaz._fields["account"].type.from_sepa_account(account),
                    all_accounts=False, date_start=since, date_end=None, touchdown_point=touchdown,
                ),
                list,
                "HIKAZ",
            ))
        # Banks split MT940 anywhere: join the parts before anyone parses them.
        booked = b"".join(s.statement_booked for s in segments if s.statement_booked)
        pending = b"".join(s.statement_pending for s in segments if s.statement_pending)
        return [data for data in (booked, pending) if data.strip()]


# -- python-fints ----------------------------------------------------------------------------
class BankClient(FinTS3PinTanClient):
    """Keeps every response code the bank sent, for errors python-fints lets pass, and waits
    for an asynchronous Verification of Payee result.

    python-fints 5.0.1 expects the VoP result in the first answer. A bank that answers later
    (HIVPP with only a polling ID, 3040 with a touchdown point on HKVPP, 3905 on HKTAN)
    would leave it without result and without challenge (python-fints issue #220). Here the
    dialog sends HKVPP with polling ID and touchdown point, with the order and HKTAN again,
    after the wait the bank asks for, until the result is there.
    """

    def __init__(self, *args, **kwargs):
        self.responses = []
        self.messages_sent = 0  # to the bank, in any dialog of this client
        super().__init__(*args, **kwargs)

    def balance_report(self, account: SEPAAccount):
        """python-fints' get_balance, answering the whole HISAL: besides the booked balance
        it carries the available amount and the credit line, which get_balance drops."""
        with self._get_dialog() as dialog:
            command = self._find_highest_supported_command(HKSAL5, HKSAL6, HKSAL7)
            segment = command(account=command._fields["account"].type.from_sepa_account(account), all_accounts=False)
            return self._send_with_possible_retry(dialog, segment, self._balance_segment)

    def _balance_segment(self, command_segment, response):
        for answer in response.response_segments(command_segment, "HISAL"):
            return answer
        return None

    def _process_response(self, dialog, segment, response):
        self.responses.append(response)
        super()._process_response(dialog, segment, response)

    def _get_dialog(self, lazy_init=False):
        dialog = super()._get_dialog(lazy_init=lazy_init)  # new, standing or resumed
        if not getattr(dialog, "kassenwart_send", False):
            dialog.send = partial(_send_polling_payee_check, self, dialog.send)
            dialog.kassenwart_send = True
        return dialog


    def sepa_debit_b2b(self, account: SEPAAccount, pain_message: str, *, multiple: bool = False,
                       control_sum: Decimal | None = None, currency: str = "EUR",
                       pain_descriptor: str = PAIN_008):
        """A SEPA B2B direct debit: HKBSE for one, HKBME for several (with the control sum).

        python-fints has no method for these; this is its `sepa_debit` for the B2B segments,
        through the same TAN handling and the same continuation after the TAN. It uses only
        what FinTS3PinTanClient has, so the sandbox's tests call it on a plain client too.
        """
        with self._get_dialog() as dialog:
            parameters, command = self._find_highest_supported_command(
                HKBME1 if multiple else HKBSE1, return_parameter_segment=True)
            segment = command(account=KTI1.from_sepa_account(account), sepa_descriptor=pain_descriptor,
                              sepa_pain_message=pain_message.encode())
            if multiple:
                if control_sum is None and getattr(parameters.parameter, "sum_amount_required", True):
                    raise ValueError("Control sum required.")
                if control_sum is not None:
                    segment.sum_amount = Amount1(control_sum, currency)
                segment.request_single_booking = False
            return self._send_with_possible_retry(dialog, segment, self._continue_sepa_debit)


# -- segments python-fints has no class for ---------------------------------------------------
# The B2B direct debits (FinTS 3.0, Messages -- Multibankfähige Geschäftsvorfälle, C.10.3): the
# orders, the bank's confirmations and the parameters, whose lead times `lead_days` reads.
class HKBSE1(FinTS3Segment):
    """Terminierte SEPA-Firmeneinzellastschrift einreichen, version 1"""

    account = DataElementGroupField(type=KTI1, _d="Kontoverbindung international")
    sepa_descriptor = DataElementField(type="an", max_length=256, _d="SEPA Descriptor")
    sepa_pain_message = DataElementField(type="bin", _d="SEPA pain message")


class HIBSE1(DebitResponseBase):
    """Einreichung terminierter SEPA-Firmeneinzellastschrift bestätigen, version 1"""


class HIBSES1(ParameterSegment):
    """Terminierte SEPA-Firmeneinzellastschrift einreichen Parameter, version 1"""

    parameter = DataElementGroupField(type=ScheduledDebitParameter2, _d="Parameter")


class HKBME1(BatchDebitBase):
    """Terminierte SEPA-Firmensammellastschrift einreichen, version 1"""


class HIBME1(DebitResponseBase):
    """Einreichung terminierter SEPA-Firmensammellastschrift bestätigen, version 1"""


class HIBMES1(ParameterSegment):
    """Terminierte SEPA-Firmensammellastschrift einreichen Parameter, version 1"""

    parameter = DataElementGroupField(type=ScheduledBatchDebitParameter2, _d="Parameter")


# -- what the bank's parameters say, without calling it -------------------------------------
def lead_days(access: Access, scheme: str, *, batch: bool, sequence_type: str = "") -> tuple[int, int] | None:
    """The lead time of a direct debit from the BPD in the saved client state (no bank call):
    (at least, at most) days between submission and collection date; the minimum in TARGET
    business days, the maximum in calendar days, as the parameter segment (HIDSES, HIDMES,
    HIBSES, HIBMES) states them. Without `sequence_type` the stricter of the bank's values
    for first and recurring collections. None when the state or the segment says nothing."""
    if access.client_state is None or (scheme, batch) not in DEBIT_PARAMETERS:
        return None
    client = _client(replace(access, pin=None), with_tan_method=False)
    segment = client.bpd.find_segment_highest_version(DEBIT_PARAMETERS[scheme, batch])
    parameter = getattr(segment, "parameter", None)
    if parameter is None:
        return None
    if hasattr(parameter, "min_advance_notice_FNAL_RCUR"):  # version 1: numbers per sequence type
        first = sequence_type in ("FRST", "OOFF")
        recurring = sequence_type in ("RCUR", "FNAL")
        lows = [parameter.min_advance_notice_FRST_OOFF if first or not recurring else None,
                parameter.min_advance_notice_FNAL_RCUR if recurring or not first else None]
        highs = [parameter.max_advance_notice_FRST_OOFF if first or not recurring else None,
                 parameter.max_advance_notice_FNAL_RCUR if recurring or not first else None]
        low = max((int(v) for v in lows if v is not None), default=None)
        high = min((int(v) for v in highs if v is not None), default=None)
    else:  # version 2: text, a number or entries per scheme and sequence type
        low = _advance_days(getattr(parameter, "min_advance_notice", None), scheme, sequence_type, max)
        high = _advance_days(getattr(parameter, "max_advance_notice", None), scheme, sequence_type, min)
    if low is None or high is None:
        return None
    return low, high


def _advance_days(text: str | None, scheme: str, sequence_type: str, stricter) -> int | None:
    """A lead time of the version 2 parameters: a number of days ("2"), or entries for
    schemes and sequence types, e.g. "CORE:FRST,OOFF:5;CORE:RCUR,FNAL:2" (the parts in any
    order). The entries that apply to the debit; `stricter` picks among several."""
    if not text:
        return None
    found = []
    for entry in str(text).split(";"):
        parts = [part.strip().upper() for part in entry.split(":") if part.strip()]
        days = [int(part) for part in parts if part.isdigit()]
        codes = {code.strip() for part in parts if not part.isdigit() for code in part.split(",")}
        if len(days) != 1:
            continue
        schemes = codes & {"CORE", "COR1", "B2B"}
        sequences = codes & {"FRST", "RCUR", "OOFF", "FNAL"}
        if schemes and scheme not in schemes:
            continue
        if sequences and sequence_type and sequence_type not in sequences:
            continue
        found.append(days[0])
    return stricter(found) if found else None


def _upd_operations(client: BankClient) -> dict[str, tuple[str, ...]]:
    """Account number -> what the UPD allows for it, in our words. Only a conclusive UPD says
    what is not allowed; otherwise nothing is known (the bank decides when asked)."""
    upa = getattr(client, "upa", None)
    if upa is None or getattr(upa, "upd_usage", None) != UPDUsage.UPD_CONCLUSIVE:
        return {}
    operations = {}
    for upd in client.upd.find_segments("HIUPD"):
        number = getattr(upd.account_information, "account_number", None)
        allowed = {UPD_OPERATIONS[t.transaction] for t in (upd.allowed_transactions or [])
                   if t.transaction in UPD_OPERATIONS}
        if number:
            operations[number] = tuple(sorted(allowed))
    return operations


def _send_polling_payee_check(client: BankClient, send, *segments, **options):
    client.messages_sent += 1
    response = send(*segments, **options)
    request = next((s for s in segments if isinstance(s, HKVPP1)), None)
    for _poll in range(VOP_MAX_POLLS):
        touchdown = next((r.parameters[0] for r in response.responses(request, "3040")), None) if request else None
        if touchdown is None:
            return response
        hivpp = response.find_segment_first(HIVPP1)
        wait = hivpp.wait_for_seconds
        time.sleep(min(1 if wait is None else wait, VOP_MAX_WAIT))
        request = HKVPP1(supported_reports=request.supported_reports, polling_id=hivpp.polling_id,
                         aufsetzpunkt=touchdown)
        client.messages_sent += 1
        response = send(request, *segments[1:], **options)
    raise PayeeCheckUnfinished(message("banking.fints.payee_check_unfinished"))


def _order_step(answer, responses: list) -> Challenge | PayeeCheck | OrderResult:
    """What the bank's answer to an order step means; `responses`: all it said in the step,
    the message's own (HIRMG) too, which python-fints leaves out of its result."""
    if isinstance(answer, NeedVOPResponse):
        return PayeeCheck.of(answer)
    if isinstance(answer, NeedTANResponse):
        return Challenge.of(answer)
    said = "; ".join(f"{r.code} {r.text}" for r in answer.responses)
    # The bank ended the dialog and said nothing about the order itself: it never ran it.
    if not answer.responses and {r.code for r in responses if r.code.startswith("9")} - {"9050"} == {"9800"}:
        ended = "; ".join(f"{r.code} {r.text}" for r in responses if r.code == "9800")
        raise NotExecuted(message("banking.fints.dialog_had_ended", said=ended))
    if {r.code for r in answer.responses} & NO_CHALLENGE:  # held back, e.g. an unfinished payee check
        raise NotExecuted(message("banking.fints.held_back", said=said))
    if answer.status == ResponseStatus.UNKNOWN:  # no word on the order itself
        raise OutcomeUnknown(message("banking.fints.answer_silent", said=said or message("banking.no_reason")))
    return OrderResult(accepted=answer.status != ResponseStatus.ERROR, said=message("banking.bank_said", text=said))


def _client(access: Access, with_tan_method: bool = True) -> BankClient:
    client = BankClient(access.bank_code, access.login, access.pin, access.server_url,
                     customer_id=access.customer_id or None, product_id=product_id(),
                     from_data=access.client_state)
    client.selected_tan_medium = access.tan_medium or None  # the saved state may say None
    # python-fints waits for ever; a bank that hangs must not hold the worker and the login.
    http = client.connection.session
    http.request = partial(http.request, timeout=BANK_TIMEOUT)
    if with_tan_method and access.tan_method:
        client.set_tan_mechanism(access.tan_method)
    return client


def _sepa(account) -> SEPAAccount:
    return SEPAAccount(account.iban, account.bic, account.account_number,
                       account.subaccount or None, account.bank_code)


def _amount(value) -> Decimal | None:
    """An Amount1 of a segment as a Decimal with cents; None when the bank left it out."""
    return None if value is None or value.amount is None else Decimal(value.amount).quantize(CENT)


def _answered(result):
    """A query's result, unless the bank wants a TAN for it first."""
    if isinstance(result, NeedTANResponse):
        raise QueryTanRequired(message("banking.fints.query_tan_required"), Challenge.of(result))
    return result


def _decoupled(parameter) -> bool:
    return getattr(parameter, "decoupled_max_poll_number", None) is not None


def _needs_medium(parameter) -> bool:
    return (getattr(parameter, "supported_media_number", None) or 0) > 1 and \
        getattr(parameter, "description_required", None) == DescriptionRequired.MUST


# UPD account type ("Kontoart"): 1-9 current, 10-19 savings, 20-29 time deposits,
# 30-39 securities, 50-59 credit cards; loans, insurance and the rest count as current.
_KINDS = {0: "current", 1: "savings", 2: "call_money", 3: "securities", 5: "credit_card"}


def account_kind(upd_type: int | None) -> str:
    if not upd_type or not 1 <= int(upd_type) <= 99:
        return "current"
    return _KINDS.get(int(upd_type) // 10, "current")


def _merge_camt(documents: list[bytes]) -> list[bytes]:
    """Pages of one camt message type become one file (their Rpt/Stmt one after another),
    so a sync is one import per account."""
    merged: dict[str, etree._Element] = {}
    for document in documents:
        root = etree.fromstring(document, _XML)
        message = root[0]
        first = merged.setdefault(message.tag, root)
        if first is not root:
            first[0].extend(child for child in list(message) if etree.QName(child).localname != "GrpHdr")
    return [etree.tostring(root, xml_declaration=True, encoding="UTF-8") for root in merged.values()]


@contextmanager
def _translated(client: BankClient) -> Iterator[None]:
    try:
        yield
    except BankError:
        raise
    except fints_errors.FinTSClientPINError as error:
        raise PinWrong(message("banking.fints.pin_wrong")) from error
    except fints_errors.FinTSClientTemporaryAuthError as error:
        raise PinBlocked(message("banking.fints.pin_blocked")) from error
    except fints_errors.FinTSConnectionError as error:
        raise BankUnreachable(message("banking.fints.unreachable", error=str(error))) from error
    except fints_errors.FinTSSCARequiredError as error:
        raise TanRequired(message("banking.fints.tan_required")) from error
    except fints_errors.FinTSUnsupportedOperation as error:
        raise BankRefused(message("banking.fints.not_offered", error=str(error))) from error
    except (fints_errors.FinTSError, ValueError) as error:
        raise _refusal(client.responses, str(error)) from error


def _check_dialog_start(client: BankClient) -> None:
    if any(r.code.startswith("9") for r in client.responses):
        client._standing_dialog.open = False  # the bank did not open it: no HKEND
        raise _refusal(client.responses, "")


def _only_wrong_tan(responses: list) -> bool:
    """The bank refused the TAN and nothing else (9050 only says the message had errors)."""
    return {r.code for r in responses if r.code.startswith("9")} - {"9050"} == {"9941"}


def _check_tan_answer(responses: list) -> None:
    errors = [r for r in responses if r.code.startswith("9")]
    codes = {r.code for r in errors} - {"9050"}  # 9050: "the message contains errors"
    if responses and not errors:
        return
    if _only_wrong_tan(responses):
        raise TanWrong(message("banking.fints.tan_wrong"))
    if codes <= {"9800"} or "9941" in codes:  # silence, dialog ended, too many wrong TANs
        raise TanExpired(message("banking.fints.tan_expired"))
    raise _refusal(responses, "")


def _refusal(responses: list, fallback: str) -> BankError:
    errors = [r for r in responses if r.code.startswith("9")]
    said = "; ".join(f"{r.code} {r.text}" for r in errors) or fallback
    if any(r.code == "9075" for r in errors):
        return TanRequired(message("banking.fints.tan_required_at_login"))
    if any("produkt" in r.text.lower() or "product" in r.text.lower() for r in errors):
        return ProductRefused(message("banking.fints.product_refused", said=said))
    return BankRefused(message("banking.fints.refused", said=said or message("banking.no_reason")))
