"""The sandbox bank: dialogs, authentication, strong customer authentication, dispatch.

`Bank.handle` takes one decoded customer message and returns the bank's message. It is
thread-safe (one lock); the HTTP layer lives in server.py.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fints.formals import Response
from fints.segments.auth import HITAN7
from fints.segments.debit import HIDMC1, HIDME2
from fints.segments.dialog import HISYN4

from . import orders, queries
from .bpd import BPD_VERSION, bank_parameter_data, user_parameter_data
from .ledger import Account, Ledger
from .protocol import MalformedMessage, Refused, Reply, Request, parse_request, response
from .tan import METHODS, TanMethod, TanTask

INIT_SEGMENTS = ("HKIDN", "HKVVB", "HKSYN", "HKTAN")
DEBIT_RESPONSES = {"HKDME": HIDME2, "HKDMC": HIDMC1}


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


@dataclass
class Customer:
    login: str
    pin: str
    name: str
    accounts: list[Account]
    methods: tuple[str, ...] = ("942", "946")  # allowed two-step security functions
    upd_version: int = 1
    last_sca: datetime | None = None
    wrong_pins: int = 0


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
    next_number: int = 2
    sca_task: TanTask | None = None  # the TAN still due for the dialog start
    tasks: dict[str, TanTask] = field(default_factory=dict)


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
        iban = (kti.iban or "").replace(" ", "").upper() if kti else ""
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
                 clock: Clock | None = None):
        self.settings = settings
        self.ledger = ledger
        self.customers = {c.login: c for c in customers}
        self.clock = clock or Clock()
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
            if request.dialog_id == "0":
                dialog = self._open(request, reply, now)
                segments = [s for s in request.segments if s.header.type not in INIT_SEGMENTS]
            else:
                dialog = self._resume(request, reply, now)
                segments = request.segments
            executed = False
            if dialog is not None:
                executed = self._process(Context(self, dialog, request, reply, now), segments)
            dialog_id = dialog.id if dialog else request.dialog_id
            body = reply.render(dialog_id if dialog_id != "0" else new_id(), request.message_number,
                                self.settings.bank_code, request.user_id)
            return Answer(body, executed)

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
        self.dialogs = {k: d for k, d in self.dialogs.items() if not self._expired(d, now)}
        dialog = Dialog(new_id(), customer, method, now)
        self._send_parameters(reply, preparation, customer)
        synchronisation = request.first("HKSYN")
        if synchronisation is not None:
            reply.add(HISYN4(system_id=new_id()), reference=synchronisation)
            reply.answer(synchronisation, "0020", "Auftrag ausgeführt.")
        tan = request.first("HKTAN")
        sca_due = customer.last_sca is None or now - customer.last_sca > self.settings.sca_interval
        if method is not None and sca_due:
            if tan is None:
                reply.note("9800", "Dialog abgebrochen.")
                reply.answer(identification, "9075", "Starke Kundenauthentifizierung notwendig.")
                return None
            dialog.sca_task = TanTask(method, method.challenge("Anmeldung bei der Kassenwart Sandbox Bank."))
            dialog.tasks[dialog.sca_task.reference] = dialog.sca_task
            ask_for_tan(reply, tan, dialog.sca_task)
        elif tan is not None:
            no_tan_needed(reply, tan)
        self.dialogs[dialog.id] = dialog
        return dialog

    def _send_parameters(self, reply: Reply, preparation, customer: Customer) -> None:
        if preparation.bpd_version != BPD_VERSION:
            for segment in bank_parameter_data(self.settings.bank_code, self.settings.name):
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
            elif kind in orders.KINDS:
                self._submit(ctx, segment)
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
        account = ctx.account(segment.account, segment.header.type)
        order = orders.check(segment, account, self.ledger, ctx.now.date())
        task = TanTask(ctx.dialog.method, ctx.dialog.method.challenge(orders.describe(order)), order=order)
        ctx.pending = (segment, task)

    def _tan(self, ctx: Context, segment) -> None:
        """HKTAN: process 4 asks for a challenge, 2 brings the TAN, S polls the app."""
        process = segment.tan_process
        if process == "4":
            if ctx.pending is not None:
                _, task = ctx.pending
                ctx.pending = None
                ctx.dialog.tasks[task.reference] = task
                ask_for_tan(ctx.reply, segment, task)
            elif not ctx.reply.has_error():
                no_tan_needed(ctx.reply, segment)
            return
        task = ctx.dialog.tasks.get(segment.task_reference)
        if process not in ("2", "S") or task is None or task.method.decoupled != (process == "S"):
            raise Refused("Auftragsreferenz oder TAN-Prozess ungültig.")
        if process == "2" and ctx.request.tan != self.settings.tan:
            ctx.answer_logged(segment, "9941", "TAN ungültig.")
            if task.wrong_tan():
                del ctx.dialog.tasks[task.reference]
                ctx.answer_logged(segment, "9210", "Auftrag nach zu vielen Fehlversuchen abgebrochen.")
            return
        ctx.reply.add(HITAN7(tan_process=process, task_reference=task.reference), reference=segment)
        if process == "S" and not task.confirm_due(self.settings.decoupled_confirm_after_polls):
            ctx.reply.answer(segment, "3956", "Starke Kundenauthentifizierung noch ausstehend.")
            return
        del ctx.dialog.tasks[task.reference]
        ctx.customer.last_sca = ctx.now
        if task.order is None:
            ctx.dialog.sca_task = None
            ctx.reply.answer(segment, "0020", "Starke Kundenauthentifizierung erfolgreich.")
        else:
            self._execute(ctx, segment, task.order)

    def _execute(self, ctx: Context, segment, order: orders.Order) -> None:
        executed = orders.execute(order, self.ledger, ctx.now)
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
}


def new_id() -> str:
    return secrets.token_hex(10)


def ask_for_tan(reply: Reply, segment, task: TanTask) -> None:
    reply.add(HITAN7(tan_process="4", task_reference=task.reference, challenge=task.challenge),
              reference=segment)
    if task.method.decoupled:
        reply.answer(segment, "3955", "Sicherheitsfreigabe erfolgt über anderen Kanal.")
    else:
        reply.answer(segment, "0030", "Auftrag empfangen - Sicherheitsfreigabe erforderlich.")


def no_tan_needed(reply: Reply, segment) -> None:
    reply.add(HITAN7(tan_process="4", task_reference="noref", challenge="nochallenge"),
              reference=segment)
    reply.answer(segment, "3076", "Starke Kundenauthentifizierung nicht notwendig.")
