"""The sandbox bank: dialogs, authentication, strong customer authentication, dispatch.

`Bank.handle` takes one decoded customer message and returns the bank's message. It is
thread-safe (one lock); the HTTP layer lives in server.py. Verification of Payee runs in
front of the TAN of VoP-bound orders (vop.py).

A segment in a version the BPD does not list is refused with 9010 (at a dialog start the
dialog is not opened), as real banks do. The one-step procedure (999) opens a dialog for
the synchronisation and the parameter data only: its business segments get 9075, and the
BPD say so (bpd.py).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fints.formals import Response
from fints.segments.auth import HITAN6, HITAN7
from fints.segments.debit import HIDMC1, HIDME2, HIDSC1, HIDSE2
from fints.segments.dialog import HISYN4

from . import holdings, orders, payers, queries, vop
from .bpd import (
    DECOUPLED_SINCE,
    STATEMENTS,
    VOP_ORDERS,
    bank_parameter_data,
    offered,
    user_parameter_data,
)
from .holdings import Depot
from .ledger import Account, Ledger
from .protocol import MalformedMessage, Refused, Reply, Request, parse_request, response
from .returns import Outcome, returned
from .segments import HIBME1, HIBSE1
from .tan import METHODS, TanMedium, TanMethod, TanTask

INIT_SEGMENTS = ("HKIDN", "HKVVB", "HKSYN", "HKTAN")
DEBIT_RESPONSES = {"HKDSE": HIDSE2, "HKDSC": HIDSC1, "HKBSE": HIBSE1, "HKDME": HIDME2,
                   "HKDMC": HIDMC1, "HKBME": HIBME1}
HITAN = {6: HITAN6, 7: HITAN7}


@dataclass
class Settings:
    bank_code: str = "99990000"
    bic: str = "KWSBDEF0XXX"  # location "F0": a test BIC, never routed
    name: str = "Kassenwart Sandbox Bank"
    tan: str = "123456"  # the TAN every text challenge accepts
    product_ids: tuple[str, ...] = ("KASSENWARTSANDBOX01",)
    page_size: int = 100  # bookings (or protocol entries) per answer before a touchdown
    sca_interval: timedelta = timedelta(days=90)  # TAN at dialog start after this long
    decoupled_confirm_after_polls: int | None = 2  # None: only Bank.confirm_decoupled()
    dialog_timeout: timedelta = timedelta(minutes=15)  # a paused dialog must resume in time
    max_wrong_pins: int = 3  # then the access is locked until Bank.unlock()
    bpd_version: int = 20  # every profile has its own, so clients fetch its BPD
    camt: bool = True  # HKCAZ offered; the "mt940-only" profile turns it off
    vop_polls: int = 0  # polls before the VoP result is there; 0: in the first answer
    vop_wait_seconds: int = 1  # the wait HIVPP asks for between polls
    query_tan: bool = False  # TAN for the first statement query (HKKAZ, HKCAZ) of a dialog
    sca_per_system_id: bool = False  # TAN-free logins only from a known, SCA'd system id


@dataclass
class Customer:
    login: str
    pin: str
    name: str
    accounts: list[Account]
    methods: tuple[str, ...] = ("942", "946", "902", "912")  # allowed two-step security functions
    media: tuple[TanMedium, ...] = ()
    depots: list[Depot] = field(default_factory=list)
    upd_version: int = 1
    last_sca: datetime | None = None
    wrong_pins: int = 0
    system_ids: dict[str, datetime | None] = field(default_factory=dict)  # issued -> last SCA


class Clock:
    """Wall-clock time, shifted by `advance` (tests, demos)."""

    def __init__(self):
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now() + self.offset

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta)


@dataclass
class Dialog:
    id: str
    customer: Customer
    method: TanMethod | None  # None: one-step (999), only for synchronisation
    last_used: datetime
    system_id: str = "0"
    next_number: int = 2
    sca_task: TanTask | None = None  # the TAN still due for the dialog start
    tasks: dict[str, TanTask] = field(default_factory=dict)
    vop: dict[bytes, vop.Check] = field(default_factory=dict)  # by VoP-ID and polling ID
    queries_authorised: bool = False  # profiles with a TAN for the first statement query


@dataclass(frozen=True)
class JournalEntry:
    dialog_id: str
    message_number: int
    segment_number: int
    at: datetime
    response: Response


@dataclass
class Answer:
    body: bytes
    executed: bool  # an order was booked while answering
    segments: tuple[str, ...] = ()  # the types of the customer's segments, as read (none: unreadable)


@dataclass
class Context:
    """What a business transaction handler sees of one customer message."""

    bank: Bank
    dialog: Dialog
    request: Request
    reply: Reply
    now: datetime
    pending: tuple | None = None  # (order segment, task) waiting for its HKTAN
    executed: bool = False
    vop_request: object = None  # the message's HKVPP
    vop_approved: vop.Check | None = None  # the check the message's HKVPA released
    tan_hold: tuple[str, str] | None = None  # answer to HKTAN instead of a challenge
    tan_note: str = ""  # added to the next challenge text

    @property
    def settings(self) -> Settings:
        return self.bank.settings

    @property
    def ledger(self) -> Ledger:
        return self.bank.ledger

    @property
    def customer(self) -> Customer:
        return self.dialog.customer

    @property
    def journal(self) -> list[JournalEntry]:
        return self.bank.journals.setdefault(self.customer.login, [])

    def account(self, kti, operation: str) -> Account:
        iban = (getattr(kti, "iban", None) or "").replace(" ", "").upper()  # none in national (v5, v6)
        number = getattr(kti, "account_number", None)
        account = next((a for a in self.customer.accounts
                        if a.iban == iban or (not iban and number and a.number == number)), None)
        if account is None:
            raise Refused("Konto unbekannt oder nicht freigegeben.")
        if operation not in account.operations:
            raise Refused("Geschäftsvorfall für dieses Konto nicht zugelassen.")
        return account

    def answer_logged(self, segment, code: str, text: str, *parameters: str) -> None:
        """Answer an order segment and keep the answer for the status protocol (HKPRO)."""
        self.reply.answer(segment, code, text, *parameters)
        self.journal.append(JournalEntry(
            self.dialog.id, self.request.message_number, segment.header.number, self.now,
            response(code, text, *parameters),
        ))


class Bank:
    def __init__(self, settings: Settings, ledger: Ledger, customers: list[Customer],
                 clock: Clock | None = None, payees: dict[str, str | None] | None = None,
                 outcomes: dict[str, Outcome] | None = None):
        self.settings = settings
        self.ledger = ledger
        self.customers = {c.login: c for c in customers}
        self.clock = clock or Clock()
        self.payees = payees or {}  # VoP register: IBAN -> registered name, None: no VoP
        self.outcomes = outcomes or {}  # IBAN -> what its bank does with payments (returns)
        self.dialogs: dict[str, Dialog] = {}
        self.journals: dict[str, list[JournalEntry]] = {}
        self.lock = threading.Lock()

    # -- controls for tests and demos ------------------------------------------------

    def pending_tasks(self) -> list[TanTask]:
        with self.lock:
            return [t for d in self.dialogs.values() for t in d.tasks.values()]

    def unlock(self, login: str) -> None:
        with self.lock:
            self.customers[login].wrong_pins = 0

    def confirm_decoupled(self) -> None:
        """Confirm every pending app (decoupled) authorisation, as the user would."""
        with self.lock:
            for dialog in self.dialogs.values():
                for task in dialog.tasks.values():
                    task.confirmed = task.method.decoupled

    def script_payments(self, invoices: list[payers.Invoice], iban: str | None = None, seed: int = 0,
                        days: int = 10) -> list[payers.ScriptedPayment]:
        """Customers pay these invoices over the next `days` days into `iban` (default: the
        first customer's first account); see payers.py. Returns what they will pay."""
        with self.lock:
            target = iban or next(iter(self.customers.values())).accounts[0].iban
            payments = payers.plan(invoices, self.clock.now().date(), seed, days)
            payers.book(self.ledger, target, payments)
            return payments

    def return_payment(self, end_to_end_id: str, reason: str, after_days: int = 0):
        """The other side gives a booked payment back (e.g. MD06, a debtor's refund within
        eight weeks): a return booking on the account, `after_days` from today."""
        with self.lock:
            for iban, bookings in self.ledger.bookings.items():
                lines = [line for b in bookings for line in (b.parts or (b,))]
                original = next((b for b in lines if b.end_to_end_id == end_to_end_id and not b.return_reason), None)
                if original is not None:
                    day = self.clock.now().date() + timedelta(days=after_days)
                    return self.ledger.append(iban, returned(self.ledger, original, reason, day))
            raise KeyError(end_to_end_id)

    # -- protocol --------------------------------------------------------------------

    def handle(self, raw: bytes) -> Answer:
        with self.lock:
            reply = Reply()
            try:
                request = parse_request(raw)
            except MalformedMessage:
                reply.note("9110", "Unbekannter Aufbau.")
                return Answer(reply.render("0", 0, self.settings.bank_code, ""), False)
            now = self.clock.now()
            unknown = self._refuse_unknown_versions(request, reply)
            if request.dialog_id == "0":
                dialog = None if unknown else self._open(request, reply, now)
                segments = [s for s in request.segments if s.header.type not in INIT_SEGMENTS]
            else:
                dialog = self._resume(request, reply, now)
                segments = [s for s in request.segments if all(s is not u for u in unknown)]
            executed = False
            if dialog is not None:
                executed = self._process(Context(self, dialog, request, reply, now), segments)
            dialog_id = dialog.id if dialog else request.dialog_id
            body = reply.render(dialog_id if dialog_id != "0" else new_id(), request.message_number,
                                self.settings.bank_code, request.user_id)
            return Answer(body, executed, tuple(s.header.type for s in request.segments))

    def _refuse_unknown_versions(self, request: Request, reply: Reply) -> list:
        """Answer 9010 to the segments in a version the BPD do not list (ING answers an
        HKTAN 6 it does not offer so); a dialog start with one is not opened. Returns them."""
        allowed = offered(self.settings)
        unknown = [s for s in request.segments if (s.header.type, s.header.version) not in allowed]
        for segment in unknown:
            reply.answer(segment, "9010",
                         f"{segment.header.type} in Version {segment.header.version} nicht unterstützt.")
        if unknown and request.dialog_id == "0":
            reply.note("9800", "Dialog abgebrochen.")
        return unknown

    def _process(self, ctx: Context, segments: list) -> bool:
        """Run the message's business segments; true when an order was booked."""
        for segment in segments:
            self._dispatch(ctx, segment)
        if ctx.pending is not None:
            ctx.answer_logged(ctx.pending[0], "9075", "Auftrag erfordert eine TAN (HKTAN fehlt).")
        return ctx.executed

    def _open(self, request: Request, reply: Reply, now: datetime) -> Dialog | None:
        identification, preparation = request.first("HKIDN"), request.first("HKVVB")
        if identification is None or preparation is None:
            reply.note("9120", "Dialoginitialisierung erwartet.")
            return None
        customer = self.customers.get(identification.customer_id)
        if customer is not None and customer.wrong_pins >= self.settings.max_wrong_pins:
            reply.note("9800", "Dialog abgebrochen.")
            reply.answer(identification, "3938", "Zugang vorläufig gesperrt.")
            return None
        if customer is None or not self._pin_ok(customer, request.pin):
            reply.note("9800", "Dialog abgebrochen.")
            reply.answer(identification, "9942", "PIN falsch.")
            return None
        if preparation.product_name not in self.settings.product_ids:
            reply.note("9800", "Dialog abgebrochen.")
            reply.answer(preparation, "9210", "Produktbezeichnung nicht registriert.")
            return None
        if request.security_function == "999":
            method = None
        elif request.security_function in customer.methods:
            method = METHODS[request.security_function]
        else:
            reply.note("9800", "Dialog abgebrochen.")
            reply.answer(identification, "9210", "Sicherheitsverfahren nicht zugelassen.")
            return None
        system_id = str(identification.system_id)
        if method is not None and self.settings.sca_per_system_id and system_id not in customer.system_ids:
            reply.note("9800", "Dialog abgebrochen.")
            reply.answer(identification, "9210", "Kundensystem-ID unbekannt, bitte synchronisieren.")
            return None
        tan = request.first("HKTAN")
        last_sca = customer.system_ids.get(system_id) if self.settings.sca_per_system_id else customer.last_sca
        sca_due = last_sca is None or now - last_sca > self.settings.sca_interval
        if method is not None and sca_due and not medium_ok(customer, method, tan):
            reply.note("9800", "Dialog abgebrochen.")
            reply.answer(tan or identification, "9210", "TAN-Medium fehlt oder ist unbekannt.")
            return None
        if method is not None and tan is not None and not version_ok(method, tan):
            reply.note("9800", "Dialog abgebrochen.")
            reply.answer(tan, "9210", f"TAN-Verfahren erst ab HKTAN-Version {DECOUPLED_SINCE}.")
            return None
        self.dialogs = {k: d for k, d in self.dialogs.items() if not self._expired(d, now)}
        dialog = Dialog(new_id(), customer, method, now, system_id)
        self._send_parameters(reply, preparation, customer)
        synchronisation = request.first("HKSYN")
        if synchronisation is not None:
            issued = new_id()
            customer.system_ids[issued] = None
            reply.add(HISYN4(system_id=issued), reference=synchronisation)
            reply.answer(synchronisation, "0020", "Auftrag ausgeführt.")
        if method is not None and sca_due:
            if tan is None:
                reply.note("9800", "Dialog abgebrochen.")
                reply.answer(identification, "9075", "Starke Kundenauthentifizierung notwendig.")
                return None
            dialog.sca_task = TanTask.create(method, f"Anmeldung bei der {self.settings.name}.")
            dialog.tasks[dialog.sca_task.reference] = dialog.sca_task
            ask_for_tan(reply, tan, dialog.sca_task)
        elif tan is not None:
            no_tan_needed(reply, tan)
        self.dialogs[dialog.id] = dialog
        return dialog

    def _send_parameters(self, reply: Reply, preparation, customer: Customer) -> None:
        if preparation.bpd_version != self.settings.bpd_version:
            for segment in bank_parameter_data(self.settings):
                reply.add(segment, reference=preparation)
        if preparation.upd_version != customer.upd_version:
            for segment in user_parameter_data(customer, self.settings.bank_code):
                reply.add(segment, reference=preparation)
            reply.answer(preparation, "3050", "UPD nicht mehr aktuell, aktuelle Version folgt.")
        reply.answer(preparation, "3920", "Zugelassene Zwei-Schritt-Verfahren für den Benutzer.",
                     *customer.methods)
        reply.answer(preparation, "0020", "Dialoginitialisierung erfolgreich.")

    def _pin_ok(self, customer: Customer, pin: str | None) -> bool:
        customer.wrong_pins = 0 if pin == customer.pin else customer.wrong_pins + 1
        return customer.wrong_pins == 0

    def _expired(self, dialog: Dialog, now: datetime) -> bool:
        return now - dialog.last_used > self.settings.dialog_timeout

    def _resume(self, request: Request, reply: Reply, now: datetime) -> Dialog | None:
        dialog = self.dialogs.pop(request.dialog_id, None)
        if dialog is None:
            reply.note("9800", "Dialog abgebrochen, Dialog-ID unbekannt.")
        elif self._expired(dialog, now):
            reply.note("9800", "Dialog abgebrochen, Zeitüberschreitung.")
        elif request.message_number != dialog.next_number:
            reply.note("9800", "Dialog abgebrochen, Nachrichtennummer ungültig.")
        elif not self._pin_ok(dialog.customer, request.pin):
            reply.note("9800", "Dialog abgebrochen.")
            reply.note("9942", "PIN falsch.")
        else:
            dialog.next_number += 1
            dialog.last_used = now
            self.dialogs[dialog.id] = dialog
            return dialog
        return None

    def _dispatch(self, ctx: Context, segment) -> None:
        kind = segment.header.type
        try:
            if kind == "HKEND":
                self.dialogs.pop(ctx.dialog.id, None)
                ctx.reply.answer(segment, "0100", "Dialog beendet.")
            elif kind == "HKTAN":
                self._tan(ctx, segment)
            elif ctx.dialog.method is None or ctx.dialog.sca_task is not None:
                raise Refused("Starke Kundenauthentifizierung notwendig.", "9075")
            elif kind == "HKVPP":
                ctx.vop_request = segment
            elif kind == "HKVPA":
                vop.approve(ctx, segment)
            elif kind in orders.KINDS:
                self._submit(ctx, segment)
            elif kind in STATEMENTS and self.settings.query_tan and not ctx.dialog.queries_authorised:
                what = f"Umsatzabfrage bei der {self.settings.name}."
                ctx.pending = (segment, TanTask.create(ctx.dialog.method, what, query=segment))
            elif kind in QUERIES:
                QUERIES[kind](ctx, segment)
            else:
                raise Refused("Geschäftsvorfall wird nicht unterstützt.")
        except Refused as refusal:
            if kind in orders.KINDS:
                ctx.answer_logged(segment, refusal.code, refusal.text)
            else:
                ctx.reply.answer(segment, refusal.code, refusal.text)

    def _submit(self, ctx: Context, segment) -> None:
        kind = segment.header.type
        if kind in VOP_ORDERS and not vop.gate(ctx, segment):
            return
        account = ctx.account(segment.account, kind)
        order = orders.check(segment, account, self.ledger, ctx.now.date())
        task = TanTask.create(ctx.dialog.method, orders.describe(order) + ctx.tan_note,
                              orders.flicker_elements(order), order=order)
        ctx.pending = (segment, task)

    def _tan(self, ctx: Context, segment) -> None:
        """HKTAN: process 4 asks for a challenge, 2 brings the TAN, S polls the app."""
        process = segment.tan_process
        if process == "4":
            if ctx.pending is not None:
                _, task = ctx.pending
                ctx.pending = None
                if not medium_ok(ctx.customer, task.method, segment):
                    raise Refused("TAN-Medium fehlt oder ist unbekannt.")
                if not version_ok(task.method, segment):
                    raise Refused(f"TAN-Verfahren erst ab HKTAN-Version {DECOUPLED_SINCE}.")
                ctx.dialog.tasks[task.reference] = task
                ask_for_tan(ctx.reply, segment, task)
            elif ctx.tan_hold is not None:
                ctx.reply.answer(segment, *ctx.tan_hold)
            elif not ctx.reply.has_error():
                no_tan_needed(ctx.reply, segment)
            return
        task = ctx.dialog.tasks.get(segment.task_reference)
        if process not in ("2", "S") or task is None or task.method.decoupled != (process == "S") \
                or not version_ok(task.method, segment):
            raise Refused("Auftragsreferenz oder TAN-Prozess ungültig.")
        if process == "2" and ctx.request.tan != self.settings.tan:
            ctx.answer_logged(segment, "9941", "TAN ungültig.")
            if task.wrong_tan():
                del ctx.dialog.tasks[task.reference]
                ctx.answer_logged(segment, "9210", "Auftrag nach zu vielen Fehlversuchen abgebrochen.")
            return
        ctx.reply.add(HITAN[segment.header.version](tan_process=process, task_reference=task.reference),
                      reference=segment)
        if process == "S" and not task.confirm_due(self.settings.decoupled_confirm_after_polls):
            ctx.reply.answer(segment, "3956", "Starke Kundenauthentifizierung noch ausstehend.")
            return
        del ctx.dialog.tasks[task.reference]
        ctx.customer.last_sca = ctx.now
        ctx.customer.system_ids[ctx.dialog.system_id] = ctx.now
        if task.order is not None:
            self._execute(ctx, segment, task.order)
        elif task.query is not None:
            ctx.dialog.queries_authorised = True
            QUERIES[task.query.header.type](ctx, task.query)
        else:
            ctx.dialog.sca_task = None
            ctx.reply.answer(segment, "0020", "Starke Kundenauthentifizierung erfolgreich.")

    def _execute(self, ctx: Context, segment, order: orders.Order) -> None:
        orders.refuse_duplicate(self.ledger, order.account.iban, order.pain.message_id)
        executed = orders.execute(order, self.ledger, ctx.now, self.outcomes)
        ctx.executed = True
        response_class = DEBIT_RESPONSES.get(executed.kind)
        if response_class is not None:
            ctx.reply.add(response_class(task_id=executed.order_id), reference=segment)
        ctx.answer_logged(segment, "0020", "Auftrag ausgeführt.", executed.message_id)


QUERIES = {
    "HKSPA": queries.sepa_accounts,
    "HKSAL": queries.balance,
    "HKKAZ": queries.transactions_mt940,
    "HKCAZ": queries.transactions_camt,
    "HKPRO": queries.status_protocol,
    "HKTAB": queries.tan_media,
    "HKWPD": holdings.statement_of_holdings,
}


def new_id() -> str:
    return secrets.token_hex(10)


def medium_ok(customer: Customer, method: TanMethod, hktan) -> bool:
    """A method that needs a medium gets the name of one of the customer's in HKTAN."""
    if not method.needs_medium:
        return True
    name = getattr(hktan, "tan_medium_name", None)
    return any(m.name == name and m.security_function == method.security_function for m in customer.media)


def version_ok(method: TanMethod, hktan) -> bool:
    """Decoupled methods (process S) need an HKTAN of the version that brought them."""
    return not method.decoupled or hktan.header.version >= DECOUPLED_SINCE


def ask_for_tan(reply: Reply, segment, task: TanTask) -> None:
    answer = HITAN[segment.header.version]  # in the version asked
    reply.add(answer(tan_process="4", task_reference=task.reference, challenge=task.challenge,
                     challenge_hhduc=task.challenge_hhduc), reference=segment)
    if task.method.decoupled:
        reply.answer(segment, "3955", "Sicherheitsfreigabe erfolgt über anderen Kanal.")
    else:
        reply.answer(segment, "0030", "Auftrag empfangen - Sicherheitsfreigabe erforderlich.")


def no_tan_needed(reply: Reply, segment) -> None:
    reply.add(HITAN[segment.header.version](tan_process="4", task_reference="noref", challenge="nochallenge"),
              reference=segment)
    reply.answer(segment, "3076", "Starke Kundenauthentifizierung nicht notwendig.")
