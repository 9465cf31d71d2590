"""Reconciliation use cases: run the engine, apply and undo matches, learn, ignore.

Each service owns its database transaction and writes audit events. The engine itself is
pure (reconciliation.engine); `reconcile_company` feeds it and persists its decisions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, closing, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _json_string
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.models import Transaction
from kassenwart.companies.models import Company
from kassenwart.core.audit import actor_label, record
from kassenwart.core.bulk import BatchInserter, JSONText, Writer, reserve_ids, update_rows
from kassenwart.core.gc_pause import gc_paused
from kassenwart.core.messages import message
from kassenwart.core.models import AuditEvent, User
from kassenwart.core.money import quantize
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.receivables.models import Customer, Invoice
from kassenwart.receivables.services import invoice_status
from kassenwart.reconciliation import engine, matched_days, rows
from kassenwart.reconciliation.convert import engine_config, engine_knowledge, proposal_as_json
from kassenwart.reconciliation.engine_child import INVOICE_PART, EngineChild
from kassenwart.reconciliation.matched_days import TAKEN, Place
from kassenwart.reconciliation.models import (
    Allocation,
    LearnedPayer,
    Match,
    MatchingConfig,
    RejectedSuggestion,
    TransactionState,
)
from kassenwart.reconciliation.reasons import StoredOnce, app_reason, is_reason, note_key

ZERO = Decimal("0.00")
NO_SUGGESTIONS = JSONText("[]")  # a matched payment's, written as it is (core.bulk)
OPEN_INVOICE = [Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID, Invoice.Status.CREDIT_NOTE]
SETTLED = [TransactionState.Status.MATCHED, TransactionState.Status.IGNORED, TransactionState.Status.PARTIALLY_MATCHED]


class ReconciliationError(ValueError):
    """A request a person made that cannot be carried out; the message says why."""


class OtherCustomer(ReconciliationError):
    """The invoices of a map by hand belong to another customer than the one the payer is
    known as; the map needs the person's confirmation (`confirm_other_customer`)."""


# Stored as message keys, said in the reader's language on display (reasons.py, wordings.py).
MAPPED_BY_HAND = app_reason("mapped_by_hand")
SUGGESTION_ACCEPTED = app_reason("suggestion_accepted")


@dataclass
class RunResult:
    transactions: int = 0
    auto: int = 0
    open: int = 0
    newly_open: int = 0  # of the open ones, those this run looked at for the first time


class _Part(NamedTuple):
    """What a match applies to one invoice, and what it writes off (Skonto, fee)."""

    invoice_id: int
    amount: Decimal
    write_off: Decimal = ZERO


# -- the engine run ------------------------------------------------------------------------


def books_lock(company: Company) -> MatchingConfig:
    """One lock per company for all that changes what is paid: a matching run, and every map
    or undo by hand. Without it a run (which writes open amounts it read at its start) could
    undo a map made meanwhile on PostgreSQL; SQLite writes one transaction at a time anyway."""
    return MatchingConfig.objects.select_for_update().get_or_create(company=company)[0]


def reconcile_company(company: Company, *, via: str = "system") -> RunResult:
    """Match all open incoming payments of the company against its open invoices.

    Everything is written in one database transaction: per automatic match the payment
    record (Match and Allocations) and its audit event, the invoices' open amounts and
    status, and the state of every transaction the run looked at (with the suggestions
    for a person). A run reads rows, not model instances, and writes in bulk (core.bulk)
    while the engine decides, each decision as it comes (in a child process for a large
    run: `_engine_child`); a failure anywhere, the child's too, writes nothing. The
    cyclic garbage collector rests meanwhile: it would scan the run's hundreds of
    thousands of rows again and again (a fifth of the time) and find next to nothing. It
    resumes only once the run's rows are freed (`_match_and_save` returned), or its first
    collection would scan all of them once more (a second at 100,000 invoices).
    """
    with transaction.atomic():
        config = books_lock(company)
        with gc_paused():
            result = _match_and_save(company, engine_config(config), via)
        config.last_run_at = timezone.now()
        config.save(update_fields=["last_run_at"])
    _notify_run(company, result)
    return result


def _match_and_save(company: Company, config: engine.MatchingConfig, via: str) -> RunResult:
    credits = _open_credits(company)
    # a large run's engine runs in a child interpreter, which starts now: its start overlaps the reads
    with _engine_child(credits.count()) as child:
        knowledge = engine_knowledge(company)
        invoice_rows = _read_invoices(company, child, config, knowledge)
        credit_rows = list(credits)
        if child is not None:
            child.send_transactions(credit_rows)
        known = TransactionState.objects.filter(company=company, status=TransactionState.Status.OPEN)
        # read before the run's writer starts: only one thread uses the connection at a time
        seen = set(known.values_list("pk", flat=True))
        run = _Run(company, invoice_rows, credit_rows, seen, via)
        if child is None:
            return run.save(rows.decisions(invoice_rows, credit_rows, config, knowledge))
        return run.save(iter(child))


CHILD_BATCH = 1_000  # decisions the engine's child sends at a time


def _read_invoices(company: Company, child: EngineChild | None, config: engine.MatchingConfig,
                   knowledge: engine.Knowledge) -> list[tuple]:
    """The open invoices' rows (rows.INVOICE_COLUMNS). With a child, each part of them goes
    to the child as the database driver gives it, and this process converts them as Django
    does afterwards (on SQLite a third of the reading), while the child builds its index."""
    query = _open_invoices(company)
    if child is None:
        return list(query)
    compiler = query.query.get_compiler(using=query.db)
    parts = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=INVOICE_PART)
    read = child.send_invoices(parts, config, knowledge)
    return list(compiler.results_iter(results=[read], tuple_expected=True))


def _engine_child(transactions: int) -> AbstractContextManager[EngineChild | None]:
    """Where the engine runs: for a large run in a child interpreter (engine_child),
    deciding on the other core while this process takes its decisions and writes them; a
    small run in this process, as a child's start (an interpreter, the engine's imports)
    costs more than it saves (settings.KASSENWART_MATCH_IN_CHILD_FROM payments). Leaving the
    block kills a child that has not finished: the run failed here."""
    if transactions < settings.KASSENWART_MATCH_IN_CHILD_FROM:
        return nullcontext()
    try:
        return EngineChild(batch=CHILD_BATCH)
    except OSError:  # no process to be had (the interpreter not found, no fork): decided here
        return nullcontext()


def _open_invoices(company: Company):
    invoices = Invoice.objects.filter(company=company, status__in=OPEN_INVOICE).exclude(open_amount=0)
    return invoices.values_list(*rows.INVOICE_COLUMNS)


def _open_credits(company: Company):
    """Incoming payments not yet settled, in booking order (the engine wants it)."""
    credits = Transaction.objects.filter(company=company, amount__gt=0).exclude(state__status__in=SETTLED)
    return credits.order_by("booking_date", "id").values_list(*rows.TRANSACTION_COLUMNS)


STATE_FIELDS = ("transaction_id", "status", "suggestions", "note")


class _Run:
    """One run's changes, made into plain rows as the engine's decisions come, and written a
    batch at a time while the next decisions come (core.bulk.Writer)."""

    def __init__(self, company: Company, invoice_rows: list[tuple], credit_rows: list[tuple], seen: set[int],
                 via: str):
        self.company, self.via, self.seen = company, via, seen
        # (rows.INVOICE_COLUMNS) pk -> (number, amount); the open amounts as the run lowers them
        self.invoices = {row[0]: (row[1], row[5]) for row in invoice_rows}
        self.open_amounts = {row[0]: row[6] for row in invoice_rows}
        # where each payment is kept among the matched days: (pk, amount, currency, booked, ..., account)
        self.places = {row[0]: Place(row[-1], row[2], row[3], row[1]) for row in credit_rows}
        self.changed_invoices: set[int] = set()
        self.new_states: list[tuple] = []  # of transactions without a state row, as STATE_FIELDS
        self.open_again: dict[int, tuple] = {}  # transaction -> (status, suggestions, note): seen open before
        self.matches: list[tuple[int, engine.Proposal, list[_Part]]] = []  # (transaction, ...) not yet written
        self.matched: list[Place] = []
        self.said = StoredOnce()
        self.result = RunResult()

    def take(self, decision: engine.Decision) -> None:
        """One decision, in the order the engine decided them: the open amounts the parts are
        made of (a write-off closes what is left) follow the engine's own."""
        tx_id = int(decision.transaction_id)
        self.result.transactions += 1
        if decision.status == engine.Status.AUTO:
            parts = _parts(decision.match, self.open_amounts)
            for part in parts:
                self.open_amounts[part.invoice_id] -= part.amount + part.write_off
                self.changed_invoices.add(part.invoice_id)
            self.matches.append((tx_id, decision.match, parts))
            self.matched.append(self.places[tx_id])
            state = (TransactionState.Status.MATCHED.value, NO_SUGGESTIONS, "")
            self.result.auto += 1
        else:
            suggestions = [proposal_as_json(p, self.said) for p in decision.suggestions]
            state = (TransactionState.Status.OPEN.value, suggestions, note_key(decision.note))
            self.result.open += 1
        if tx_id in self.seen:  # keeps its state row (open until now)
            self.open_again[tx_id] = state
        else:
            self.new_states.append((tx_id, *state))
            self.result.newly_open += decision.status != engine.Status.AUTO

    def save(self, decisions: Iterator[engine.Decision]) -> RunResult:
        """Take the decisions as they come; every BATCH states, or matches with the open amounts
        of the invoices they changed, go to a second thread (core.bulk.Writer), which puts them
        into their tables while this one takes the next, all in the caller's transaction."""
        now = timezone.now()
        state_same = {"company_id": self.company.pk, "ignore_reason": None, "updated_at": now}
        with (closing(decisions), Writer(transaction.get_connection()) as writer,
              BatchInserter(TransactionState, STATE_FIELDS, list(state_same), writer=writer) as states,
              _MatchWriter(self.company, self.via, now, writer) as matches):
            for decision in decisions:
                self.take(decision)
                if len(self.new_states) >= BATCH:
                    states.add(self.new_states, state_same.values())
                    self.new_states = []
                if len(self.matches) >= BATCH:
                    matches.add(self.matches, self.invoices, self.said)
                    self.matches = []
                    self._save_invoices(now, writer)
            states.add(self.new_states, state_same.values())
            matches.add(self.matches, self.invoices, self.said)
            self._save_invoices(now, writer)
            update_rows(TransactionState, STATE_FIELDS[1:], self.open_again, same={"updated_at": now}, writer=writer)
        # every payment the run matched was open (the run takes no partly matched one)
        matched_days.count(self.company.pk, self.matched, sign=1)
        return self.result

    def _save_invoices(self, now, writer: Writer) -> None:
        """The open amounts of the invoices changed since the last time, as they are now (one
        that a later batch changes again is written again, after this)."""
        rows = {}
        for pk in self.changed_invoices:
            open_amount = self.open_amounts[pk]
            rows[pk] = (open_amount, invoice_status(self.invoices[pk][1], open_amount))
        self.changed_invoices = set()
        update_rows(Invoice, ("open_amount", "status"), rows, same={"updated_at": now}, writer=writer)


class _MatchWriter:
    """A run's payment records, their allocations and one audit event each, a batch at a time
    (`add`): each batch's match ids are drawn when it is written."""

    def __init__(self, company: Company, via: str, now, writer: Writer):
        self.writer = writer
        company_id = {"company_id": company.pk}
        self.match_same = {**company_id, "kind": Match.Kind.AUTO.value, "created_at": now}
        self.event_same = {**company_id, "actor_label": actor_label(None, via), "action": "match.auto",
                           "object_type": MATCH_OBJECT, "created_at": now}
        self.inserters = ExitStack()
        self.match_rows, self.allocation_rows, self.event_rows = (self.inserters.enter_context(inserter) for inserter in (
            BatchInserter(Match, ("id", "transaction_id", "confidence", "reasons"), list(self.match_same), writer=writer),
            BatchInserter(Allocation, ("match_id", "invoice_id", "amount", "write_off"), [], writer=writer),
            BatchInserter(AuditEvent, ("object_id", "after"), list(self.event_same), writer=writer),
        ))

    def __enter__(self) -> _MatchWriter:
        return self

    def __exit__(self, *exc_info) -> bool | None:
        return self.inserters.__exit__(*exc_info)

    def add(self, batch: list[tuple[int, engine.Proposal, list[_Part]]], invoices: Mapping[int, tuple],
            said: StoredOnce) -> None:
        """`batch` as (transaction, proposal, parts); `invoices` pk -> (number, amount)."""
        if not batch:
            return
        kind = self.match_same["kind"]
        self.writer.wait()  # the ids are drawn on the connection the writer uses meanwhile
        matches, allocations, events = [], [], []
        for match_id, (tx_id, proposal, parts) in zip(reserve_ids(Match, len(batch)), batch, strict=True):
            reasons = said.listed(proposal.reasons)  # as JSON text, in the match and its audit event
            matches.append((match_id, tx_id, proposal.confidence, reasons))
            allocations += [(match_id, part.invoice_id, part.amount, part.write_off) for part in parts]
            numbered = [(invoices[p.invoice_id][0], p.amount, p.write_off) for p in parts]
            events.append((str(match_id), _match_details_text(tx_id, kind, reasons, numbered)))
        self.match_rows.add(matches, self.match_same.values())
        self.allocation_rows.add(allocations, ())
        self.event_rows.add(events, self.event_same.values())


BATCH = 5_000  # rows a run hands to the writer at a time


def _parts(proposal: engine.Proposal, open_amounts: Mapping[int, Decimal]) -> list[_Part]:
    """Turn the engine's proposal into what each invoice gets: a surplus goes to the first
    invoice (it becomes overpaid), a write-off (Skonto, fee) closes the invoices' shortfalls."""
    amounts = [[int(i), amount] for i, amount in proposal.allocations.items()]
    if proposal.surplus > 0 and amounts:
        amounts[0][1] += proposal.surplus
    parts, left = [], proposal.write_off
    for invoice_id, amount in amounts:
        shortfall = open_amounts[invoice_id] - amount
        write_off = min(shortfall, left) if left > 0 and shortfall > 0 else ZERO
        left -= write_off
        parts.append(_Part(invoice_id, amount, write_off))
    return parts


def _apply(invoice: Invoice, settled: Decimal) -> None:
    invoice.open_amount -= settled
    invoice.status = invoice_status(invoice.amount, invoice.open_amount)


MATCH_OBJECT = "reconciliation.match"


def _match_details(transaction_id: int, kind: str, reasons: list[dict], allocations) -> dict:
    """What the audit trail keeps of a match; `allocations` as (invoice number, amount, write-off)."""
    return {
        "transaction": transaction_id,
        "kind": kind,
        "reasons": reasons,
        "allocations": [
            {"invoice": number, "amount": str(amount), "write_off": str(write_off)}
            for number, amount, write_off in allocations
        ],
    }


def _match_details_text(transaction_id: int, kind: str, reasons: JSONText, allocations) -> JSONText:
    """`_match_details` as the JSON text json.dumps makes of it, with the reasons given as
    text: a run writes tens of thousands of them, and the reasons are encoded once."""
    allocated = ", ".join(
        f'{{"invoice": {_json_string(number)}, "amount": "{amount}", "write_off": "{write_off}"}}'
        for number, amount, write_off in allocations
    )
    return JSONText(f'{{"transaction": {int(transaction_id)}, "kind": {_json_string(kind)}, '
                    f'"reasons": {reasons}, "allocations": [{allocated}]}}')


def _match_event(company, match: Match, allocations: list[Allocation], action: str, user, via) -> AuditEvent:
    numbered = [(a.invoice.number, a.amount, a.write_off) for a in allocations]
    return AuditEvent(
        company=company,
        actor=user,
        actor_label=actor_label(user, via),
        action=action,
        object_type=MATCH_OBJECT,
        object_id=str(match.pk),
        after=_match_details(match.transaction_id, match.kind, match.reasons, numbered),
    )


def _notify_run(company: Company, result: RunResult) -> None:
    if result.auto:
        notify(
            company,
            Notification.Kind.AUTO_MATCHED,
            message("reconciliation.auto_matched", count=result.auto),
            link="/reconciliation/matched/",
        )
    if result.newly_open:  # not the same ones again after every run
        notify(
            company,
            Notification.Kind.NEEDS_PERSON,
            message("reconciliation.needs_person", count=result.newly_open),
            link="/reconciliation/open/",
        )


# -- what people do ------------------------------------------------------------------------


def _state_for(company: Company, tx: Transaction) -> TransactionState:
    if tx.company_id != company.pk:
        raise ReconciliationError(_("No such transaction."))
    state, _created = TransactionState.objects.select_for_update().get_or_create(
        transaction=tx, defaults={"company": company}
    )
    return state


def _set_status(company: Company, state: TransactionState, tx: Transaction, status: str) -> None:
    """Give the payment its new state (saved by the caller), and the matched days with it."""
    was, now = state.status in TAKEN, status in TAKEN
    state.status = status
    if was != now:
        matched_days.count(company.pk, [Place.of(tx)], sign=1 if now else -1)


def _active_total(tx: Transaction) -> Decimal:
    applied = Allocation.objects.filter(match__transaction=tx, match__undone_at__isnull=True)
    return quantize(applied.aggregate(total=Sum("amount"))["total"])


@transaction.atomic
def match_create(
    company: Company,
    tx: Transaction,
    allocations: list[tuple[Invoice, Decimal, Decimal]],
    *,
    user: User | None,
    reasons: list[dict] | None = None,
    via: str = "web",
    confirm_other_customer: bool = False,
) -> Match:
    """Map a payment by hand: (invoice, amount applied, amount written off) per invoice.

    When the payer's IBAN is known for a customer and an invoice is another's, the map
    is refused (OtherCustomer) unless `confirm_other_customer`; such a map teaches nothing."""
    books_lock(company)
    state = _state_for(company, tx)
    if tx.amount <= 0:
        raise ReconciliationError(_("Only incoming payments can be mapped to invoices."))
    if state.status in (TransactionState.Status.MATCHED, TransactionState.Status.IGNORED):
        raise ReconciliationError(_("This payment is already reconciled or ignored; undo that first."))
    if not allocations:
        raise ReconciliationError(_("Choose at least one invoice."))
    invoices = {i.pk: i for i in Invoice.objects.select_for_update().filter(company=company, pk__in=[a[0].pk for a in allocations])}
    if len(invoices) != len(allocations):
        raise ReconciliationError(_("Each invoice can be chosen once, and only the company's own."))
    settled = [i.number for i in invoices.values() if i.amount > 0 and i.open_amount <= 0]
    if settled:  # e.g. a suggestion accepted after the invoice was paid otherwise
        raise ReconciliationError(_("Paid already, nothing open to apply: %(numbers)s.")
                                  % {"numbers": ", ".join(sorted(settled))})
    total = sum((amount for _i, amount, _w in allocations), ZERO)
    if any(amount <= 0 and invoices[i.pk].amount > 0 for i, amount, _w in allocations):
        raise ReconciliationError(_("Amounts applied to invoices must be positive."))
    available = tx.amount - _active_total(tx)
    if total > available:
        raise ReconciliationError(
            _("The amounts (%(total)s) exceed what is left of the payment (%(left)s).")
            % {"total": total, "left": available}
        )
    crossing = _other_customers(company, tx, invoices.values())
    reasons = list(reasons or [MAPPED_BY_HAND])
    if crossing:
        customers, payer, others = crossing
        if not confirm_other_customer:
            raise OtherCustomer(
                _("The payer is known as customer %(payer)s, but %(invoices)s belongs to another customer "
                  "(%(customers)s). Confirm that this payment pays another customer's invoices.")
                % {"payer": payer, "invoices": ", ".join(sorted(i.number for i in others)),
                   "customers": ", ".join(customers)}
            )
        reasons += [app_reason("other_customer", invoice=c, payer=payer) for c in customers]
    match = Match.objects.create(
        company=company, transaction=tx, kind=Match.Kind.MANUAL, reasons=reasons, created_by=user,
    )
    rows = []
    for invoice, amount, write_off in allocations:
        invoice = invoices[invoice.pk]
        if write_off < 0 or write_off > max(invoice.open_amount - amount, ZERO):
            raise ReconciliationError(_("The amount written off must close at most the invoice's rest."))
        rows.append(Allocation(match=match, invoice=invoice, amount=amount, write_off=write_off))
        _apply(invoice, amount + write_off)
        invoice.save(update_fields=["open_amount", "status", "updated_at"])
    Allocation.objects.bulk_create(rows)
    _set_status(company, state, tx,
                TransactionState.Status.MATCHED if total == available else TransactionState.Status.PARTIALLY_MATCHED)
    state.save(update_fields=["status", "updated_at"])
    if not crossing:
        _learn(company, tx, [r.invoice for r in rows], match)
    _match_event(company, match, rows, "match.manual", user, via).save()
    return match


def _iban_key(tx: Transaction) -> str:
    return tx.counterparty_iban.replace(" ", "").upper()


def _payer_keys(tx: Transaction) -> list[tuple[str, str]]:
    """What a map by hand teaches about the payer: (LearnedPayer.Kind, key)."""
    keys = ((LearnedPayer.Kind.IBAN, _iban_key(tx)), (LearnedPayer.Kind.NAME, " ".join(tx.counterparty_name.split())))
    return [(kind, key[:255]) for kind, key in keys if key]


def _other_customers(company: Company, tx: Transaction, invoices) -> tuple[list[str], str, list[Invoice]] | None:
    """When the payer's IBAN is known (from the customers or learned) and some invoices are
    of other customers: (their customer numbers, the payer's customer numbers, the invoices)."""
    iban = _iban_key(tx)
    if not iban:
        return None
    payer = dict(Customer.objects.filter(company=company, iban=iban).values_list("pk", "number"))
    learned = LearnedPayer.objects.filter(company=company, kind=LearnedPayer.Kind.IBAN, key=iban)
    payer.update(learned.values_list("customer_id", "customer__number"))
    others = [inv for inv in invoices if payer and inv.customer_id not in payer]
    if not others:
        return None
    numbers = dict(Customer.objects.filter(pk__in={inv.customer_id for inv in others}).values_list("pk", "number"))
    customers = sorted({numbers[inv.customer_id] for inv in others})
    return customers, ", ".join(sorted(payer.values())), others


def _learn(company: Company, tx: Transaction, invoices: list[Invoice], match: Match) -> None:
    """A map by hand teaches the payer's IBAN and name for the customer (when it is one);
    the learning remembers the map, so undoing it un-learns (`_unlearn`)."""
    customers = {inv.customer_id for inv in invoices}
    if len(customers) != 1:
        return
    customer_id = customers.pop()
    for kind, key in _payer_keys(tx):
        LearnedPayer.objects.update_or_create(
            company=company, kind=kind, key=key, defaults={"customer_id": customer_id, "match": match}
        )


def _unlearn(company: Company, match: Match) -> None:
    """Forget what the undone map taught, unless another map by hand still teaches it: then
    that one (the newest) is what the learning rests on."""
    for learned in LearnedPayer.objects.select_for_update().filter(company=company, match=match):
        teacher = _teacher(company, learned.kind, learned.key)
        if teacher is None:
            learned.delete()
        else:
            learned.match_id, learned.customer_id = teacher
            learned.save(update_fields=["match", "customer"])


def _teacher(company: Company, kind: str, key: str) -> tuple[int, int] | None:
    """The newest active map by hand that teaches `key` for one customer: (match, customer)."""
    field = "transaction__counterparty_iban" if kind == LearnedPayer.Kind.IBAN else "transaction__counterparty_name"
    longest_word = max(key.split(), key=len)
    maps = (
        Match.objects.filter(company=company, kind=Match.Kind.MANUAL, undone_at__isnull=True)
        .filter(**{f"{field}__icontains": longest_word})
        .select_related("transaction")
        .order_by("-created_at", "-id")
    )
    for match in maps:
        if (kind, key) not in _payer_keys(match.transaction) or _crossed(match.reasons):
            continue
        customers = set(match.allocations.values_list("invoice__customer_id", flat=True))
        if len(customers) == 1:
            return match.pk, customers.pop()
    return None


def _crossed(reasons: list[dict]) -> bool:
    """Was the map one across customers (confirmed by a person; it taught nothing)?"""
    return any(is_reason(reason, "other_customer") for reason in reasons)


@transaction.atomic
def match_undo(company: Company, match: Match, *, user: User | None, via: str = "web") -> None:
    """Take a match back: the invoices are open again and the payment is open again."""
    books_lock(company)
    match = Match.objects.select_for_update().get(pk=match.pk, company=company)
    if match.undone_at is not None:
        raise ReconciliationError(_("This match was undone already."))
    allocations = list(match.allocations.select_related("invoice"))
    invoices = Invoice.objects.select_for_update().in_bulk([a.invoice_id for a in allocations])
    for allocation in allocations:
        invoice = invoices[allocation.invoice_id]
        _apply(invoice, -(allocation.amount + allocation.write_off))
        invoice.save(update_fields=["open_amount", "status", "updated_at"])
    match.undone_at = timezone.now()
    match.undone_by = user
    match.save(update_fields=["undone_at", "undone_by"])
    state = _state_for(company, match.transaction)
    _set_status(company, state, match.transaction, TransactionState.Status.PARTIALLY_MATCHED
                if _active_total(match.transaction) else TransactionState.Status.OPEN)
    state.save(update_fields=["status", "updated_at"])
    _remember_undone(company, match, allocations, user)
    _unlearn(company, match)
    event = _match_event(company, match, allocations, "match.undone", user, via)
    event.before, event.after = event.after, None
    event.save()


def _remember_undone(company: Company, match: Match, allocations: list[Allocation], user: User | None) -> None:
    """An undone match is final for the automatic run: the pair is never applied
    automatically again (it may still be suggested, marked). A person may map it again."""
    invoice_ids = sorted((str(a.invoice_id) for a in allocations), key=int)
    known = RejectedSuggestion.objects.filter(company=company, transaction_id=match.transaction_id, undone=True)
    if invoice_ids not in list(known.values_list("invoice_ids", flat=True)):
        RejectedSuggestion.objects.create(
            company=company, transaction_id=match.transaction_id, invoice_ids=invoice_ids, undone=True, created_by=user
        )


def suggestion_accept(
    company: Company, tx: Transaction, rank: int, *, user: User | None, confirm_other_customer: bool = False,
    via: str = "web",
) -> Match:
    """Accept the suggestion at `rank` (1 = best) as it stands (across customers only when
    confirmed, as a map by hand)."""
    state = TransactionState.objects.filter(transaction=tx, company=company).first()
    if state is None or not 1 <= rank <= len(state.suggestions):
        raise ReconciliationError(_("That suggestion is no longer there."))
    proposal = state.suggestions[rank - 1]
    invoices = {i.pk: i for i in Invoice.objects.filter(company=company, pk__in=[int(k) for k in proposal["allocations"]])}
    parts = _parts(
        engine.Proposal(
            allocations={k: Decimal(v) for k, v in proposal["allocations"].items()},
            confidence=proposal["confidence"],
            reasons=tuple(proposal["reasons"]),
            surplus=Decimal(proposal.get("surplus", "0")),
            write_off=Decimal(proposal.get("write_off", "0")),
        ),
        {pk: invoice.open_amount for pk, invoice in invoices.items()},
    )
    return match_create(
        company, tx, [(invoices[p.invoice_id], p.amount, p.write_off) for p in parts], user=user,
        reasons=[SUGGESTION_ACCEPTED, *(r for r in proposal["reasons"] if not _crossed([r]))],
        confirm_other_customer=confirm_other_customer, via=via,
    )


@transaction.atomic
def suggestion_reject(company: Company, tx: Transaction, rank: int, *, user: User | None, via: str = "web") -> None:
    state = _state_for(company, tx)
    if not 1 <= rank <= len(state.suggestions):
        raise ReconciliationError(_("That suggestion is no longer there."))
    proposal = state.suggestions.pop(rank - 1)
    invoice_ids = sorted(proposal["allocations"], key=int)
    RejectedSuggestion.objects.create(company=company, transaction=tx, invoice_ids=invoice_ids, created_by=user)
    state.save(update_fields=["suggestions", "updated_at"])
    record("suggestion.rejected", state, company=company, user=user, via=via,
           after={"transaction": tx.pk, "invoices": invoice_ids})


@transaction.atomic
def transaction_ignore(company: Company, tx: Transaction, reason: str, *, user: User | None, via: str = "web") -> None:
    """Mark a credit as not an invoice payment (a refund, a loan, a grant ...)."""
    state = _state_for(company, tx)
    if state.status != TransactionState.Status.OPEN:
        raise ReconciliationError(_("Only open payments can be marked as not an invoice payment."))
    if not reason.strip():
        raise ReconciliationError(_("Say why this is not an invoice payment."))
    state.status, state.ignore_reason = TransactionState.Status.IGNORED, app_reason("given", text=reason.strip()[:300])
    state.save(update_fields=["status", "ignore_reason", "updated_at"])
    record("transaction.ignored", state, company=company, user=user, via=via,
           before={"status": "open"}, after={"status": "ignored", "reason": state.ignore_reason})


@transaction.atomic
def transaction_unignore(company: Company, tx: Transaction, *, user: User | None, via: str = "web") -> None:
    state = _state_for(company, tx)
    if state.status != TransactionState.Status.IGNORED:
        raise ReconciliationError(_("This payment is not ignored."))
    before = {"status": "ignored", "reason": state.ignore_reason}
    state.status, state.ignore_reason = TransactionState.Status.OPEN, None
    state.save(update_fields=["status", "ignore_reason", "updated_at"])
    record("transaction.unignored", state, company=company, user=user, via=via, before=before, after={"status": "open"})


# -- direct debits: known by their end-to-end id, no guess needed ---------------------------
@transaction.atomic
def debit_collected(company: Company, tx: Transaction, invoice: Invoice, *, mandate_reference: str,
                    via: str = "worker") -> Match | None:
    """A direct debit the company collected for `invoice` was credited as `tx`: an automatic
    match (the end-to-end id says which collection it is). Nothing when the payment is
    reconciled already (matching was quicker) or the invoice has nothing open any more."""
    books_lock(company)
    state = _state_for(company, tx)
    if tx.amount <= 0 or state.status in (TransactionState.Status.MATCHED, TransactionState.Status.IGNORED):
        return None
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, company=company)
    available = tx.amount - _active_total(tx)
    amount = min(available, invoice.open_amount)
    if amount <= 0:
        return None
    match = Match.objects.create(company=company, transaction=tx, kind=Match.Kind.AUTO,
                                 reasons=[app_reason("mandate_collected", mandate=mandate_reference)])
    rows = [Allocation.objects.create(match=match, invoice=invoice, amount=amount, write_off=ZERO)]
    _apply(invoice, amount)
    invoice.save(update_fields=["open_amount", "status", "updated_at"])
    _set_status(company, state, tx,
                TransactionState.Status.MATCHED if amount == available else TransactionState.Status.PARTIALLY_MATCHED)
    state.suggestions = []
    state.save(update_fields=["status", "suggestions", "updated_at"])
    _match_event(company, match, rows, "match.debit_collected", None, via).save()
    return match


@transaction.atomic
def debit_returned(company: Company, credit: Transaction, *, code: str, via: str = "worker") -> None:
    """A collected debit came back (an R-transaction): the invoice it settled is open again,
    and the credit counts as no payment any more (it was paid back), so matching never
    applies it again."""
    books_lock(company)
    for match in Match.objects.filter(company=company, transaction=credit, undone_at__isnull=True):
        match_undo(company, match, user=None, via=via)
    state = _state_for(company, credit)
    before = {"status": state.status}
    _set_status(company, state, credit, TransactionState.Status.IGNORED)
    state.ignore_reason = app_reason("debit_returned", code=code)
    state.suggestions = []
    state.save(update_fields=["status", "ignore_reason", "suggestions", "updated_at"])
    record("transaction.ignored", state, company=company, user=None, via=via, before=before,
           after={"status": "ignored", "reason": state.ignore_reason})


# -- the company's settings ----------------------------------------------------------------

CONFIG_FIELDS = ("criteria", "skonto_percents", "max_fee", "max_overpayment", "allow_multiple", "automation", "interval_minutes")


@transaction.atomic
def matching_config_update(company: Company, *, user: User | None, via: str = "web", **changes) -> MatchingConfig:
    """Change how the company's payments are matched; the audit event keeps before and after."""
    from django.core.exceptions import ValidationError

    unknown = set(changes) - set(CONFIG_FIELDS)
    if unknown:
        raise TypeError(f"not matching settings: {', '.join(sorted(unknown))}")
    config = books_lock(company)
    changed = {name: value for name, value in changes.items() if getattr(config, name) != value}
    if not changed:
        return config
    before = {name: _plain(getattr(config, name)) for name in changed}
    for name, value in changed.items():
        setattr(config, name, value)
    try:
        config.full_clean(exclude=["company"])
        engine_config(config)
    except (ValidationError, ValueError, ArithmeticError) as error:
        raise ReconciliationError(_("These matching settings are not valid.")) from error
    config.save(update_fields=list(changed))
    record("matching_config.updated", config, company=company, user=user, via=via,
           before=before, after={name: _plain(value) for name, value in changed.items()})
    return config


def _plain(value):
    """A setting as the audit trail stores it (JSON: amounts as strings)."""
    return str(value) if isinstance(value, Decimal) else value
