"""Reconciliation use cases: run the engine, apply and undo matches, learn, ignore.

Each service owns its database transaction and writes audit events. The engine itself is
pure (reconciliation.engine); `reconcile_company` feeds it and persists its decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kassenwart.banking.models import Transaction
from kassenwart.companies.models import Company
from kassenwart.core.audit import actor_label, record
from kassenwart.core.bulk import update_many
from kassenwart.core.models import AuditEvent, User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.receivables.models import Invoice
from kassenwart.receivables.services import invoice_status
from kassenwart.reconciliation import engine
from kassenwart.reconciliation.convert import (
    engine_config,
    engine_invoice,
    engine_knowledge,
    engine_transaction,
    proposal_as_json,
)
from kassenwart.reconciliation.models import (
    Allocation,
    LearnedPayer,
    Match,
    MatchingConfig,
    RejectedSuggestion,
    TransactionState,
)

ZERO = Decimal("0.00")
OPEN_INVOICE = [Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID, Invoice.Status.CREDIT_NOTE]
# What the engine reads of a transaction (convert.engine_transaction); the rest stays unloaded.
ENGINE_FIELDS = (
    "id", "company_id", "amount", "currency", "booking_date", "counterparty_name", "counterparty_iban",
    "remittance", "structured_reference", "end_to_end_id", "transaction_code", "dk_code",
    "return_reason", "reversal",
)
SETTLED = [TransactionState.Status.MATCHED, TransactionState.Status.IGNORED, TransactionState.Status.PARTIALLY_MATCHED]


class ReconciliationError(ValueError):
    """A request a person made that cannot be carried out; the message says why."""


@dataclass
class RunResult:
    transactions: int = 0
    auto: int = 0
    open: int = 0


# -- the engine run ------------------------------------------------------------------------


def reconcile_company(company: Company, *, via: str = "system") -> RunResult:
    """Match all open incoming payments of the company against its open invoices."""
    with transaction.atomic():
        config = MatchingConfig.objects.get_or_create(company=company)[0]
        invoices = {
            inv.pk: inv
            for inv in Invoice.objects.filter(company=company, status__in=OPEN_INVOICE)
            .exclude(open_amount=0)
            .select_related("customer")
        }
        credits = list(
            Transaction.objects.filter(company=company, amount__gt=0)
            .exclude(state__status__in=SETTLED)
            .only(*ENGINE_FIELDS)
            .order_by("booking_date", "id")
        )
        decisions = engine.reconcile(
            [engine_invoice(inv) for inv in invoices.values()],
            [engine_transaction(tx) for tx in credits],
            engine_config(config),
            engine_knowledge(company),
        )
        run = _Run(company, invoices, via)
        for tx, decision in zip(credits, decisions, strict=True):
            run.take(tx, decision)
        result = run.save()
        config.last_run_at = timezone.now()
        config.save(update_fields=["last_run_at"])
    _notify_run(company, result)
    return result


class _Run:
    """Collects one run's changes and writes them with few queries."""

    def __init__(self, company: Company, invoices: dict[int, Invoice], via: str):
        self.company, self.invoices, self.via = company, invoices, via
        self.states = {s.pk: s for s in TransactionState.objects.filter(company=company, status=TransactionState.Status.OPEN)}
        self.new_states: list[TransactionState] = []
        self.matches: list[tuple[Match, list[Allocation]]] = []
        self.changed_invoices: dict[int, Invoice] = {}
        self.result = RunResult()

    def take(self, tx: Transaction, decision: engine.Decision) -> None:
        self.result.transactions += 1
        state = self.states.get(tx.pk)
        if state is None:
            state = TransactionState(transaction=tx, company=self.company)
            self.new_states.append(state)
        if decision.status == engine.Status.AUTO:
            match = Match(company=self.company, transaction=tx, kind=Match.Kind.AUTO,
                          confidence=decision.match.confidence, reasons=list(decision.match.reasons))
            allocations = _allocations(decision.match, self.invoices)
            for allocation in allocations:
                allocation.match = match
                _apply(allocation.invoice, allocation.amount + allocation.write_off)
                self.changed_invoices[allocation.invoice.pk] = allocation.invoice
            self.matches.append((match, allocations))
            state.status = TransactionState.Status.MATCHED
            state.suggestions, state.note = [], ""
            self.result.auto += 1
        else:
            state.status = TransactionState.Status.OPEN
            state.suggestions = [proposal_as_json(p) for p in decision.suggestions]
            state.note = decision.note[:300]
            self.result.open += 1

    def save(self) -> RunResult:
        TransactionState.objects.bulk_create(self.new_states, batch_size=1000)
        update_many(list(self.states.values()), ["status", "suggestions", "note", "updated_at"])
        Match.objects.bulk_create([m for m, _ in self.matches], batch_size=1000)
        allocations = [a for _, allocs in self.matches for a in allocs]
        for allocation in allocations:
            allocation.match_id = allocation.match.pk
        Allocation.objects.bulk_create(allocations, batch_size=1000)
        update_many(list(self.changed_invoices.values()), ["open_amount", "status", "updated_at"])
        AuditEvent.objects.bulk_create(
            [_match_event(self.company, m, allocs, "match.auto", None, self.via) for m, allocs in self.matches],
            batch_size=1000,
        )
        return self.result


def _allocations(proposal: engine.Proposal, invoices: dict[int, Invoice]) -> list[Allocation]:
    """Turn the engine's proposal into allocations: a surplus goes to the first invoice
    (it becomes overpaid), a write-off (Skonto, fee) closes the invoices' shortfalls."""
    rows = [Allocation(invoice=invoices[int(i)], amount=amount) for i, amount in proposal.allocations.items()]
    if proposal.surplus > 0 and rows:
        rows[0].amount += proposal.surplus
    left = proposal.write_off
    for row in rows:
        shortfall = row.invoice.open_amount - row.amount
        if left > 0 and shortfall > 0:
            row.write_off = min(shortfall, left)
            left -= row.write_off
    return rows


def _apply(invoice: Invoice, settled: Decimal) -> None:
    invoice.open_amount -= settled
    invoice.status = invoice_status(invoice.amount, invoice.open_amount)


def _match_event(company, match: Match, allocations, action: str, user, via) -> AuditEvent:
    return AuditEvent(
        company=company,
        actor=user,
        actor_label=actor_label(user, via),
        action=action,
        object_type="reconciliation.match",
        object_id=str(match.pk),
        after={
            "transaction": match.transaction_id,
            "kind": match.kind,
            "reasons": match.reasons,
            "allocations": [
                {"invoice": a.invoice.number, "amount": str(a.amount), "write_off": str(a.write_off)}
                for a in allocations
            ],
        },
    )


def _notify_run(company: Company, result: RunResult) -> None:
    if result.auto:
        notify(
            company,
            Notification.Kind.AUTO_MATCHED,
            ngettext(
                "%(count)d payment was reconciled automatically.",
                "%(count)d payments were reconciled automatically.",
                result.auto,
            )
            % {"count": result.auto},
            link="/reconciliation/matched/",
        )
    if result.open:
        notify(
            company,
            Notification.Kind.NEEDS_PERSON,
            ngettext("%(count)d payment needs a person.", "%(count)d payments need a person.", result.open)
            % {"count": result.open},
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


def _active_total(tx: Transaction) -> Decimal:
    return sum(
        (a.amount for a in Allocation.objects.filter(match__transaction=tx, match__undone_at__isnull=True)), ZERO
    )


@transaction.atomic
def match_create(
    company: Company,
    tx: Transaction,
    allocations: list[tuple[Invoice, Decimal, Decimal]],
    *,
    user: User | None,
    reasons: list[str] | None = None,
    via: str = "web",
) -> Match:
    """Map a payment by hand: (invoice, amount applied, amount written off) per invoice."""
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
    total = sum((amount for _i, amount, _w in allocations), ZERO)
    if any(amount <= 0 and invoices[i.pk].amount > 0 for i, amount, _w in allocations):
        raise ReconciliationError(_("Amounts applied to invoices must be positive."))
    available = tx.amount - _active_total(tx)
    if total > available:
        raise ReconciliationError(
            _("The amounts (%(total)s) exceed what is left of the payment (%(left)s).")
            % {"total": total, "left": available}
        )
    match = Match.objects.create(
        company=company, transaction=tx, kind=Match.Kind.MANUAL, reasons=reasons or [_("mapped by hand")],
        created_by=user,
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
    state.status = TransactionState.Status.MATCHED if total == available else TransactionState.Status.PARTIALLY_MATCHED
    state.save(update_fields=["status", "updated_at"])
    _learn(company, tx, [r.invoice for r in rows])
    _match_event(company, match, rows, "match.manual", user, via).save()
    return match


def _learn(company: Company, tx: Transaction, invoices: list[Invoice]) -> None:
    """A map by hand teaches the payer's IBAN and name for the customer (when it is one)."""
    customers = {inv.customer_id for inv in invoices}
    if len(customers) != 1:
        return
    customer_id = customers.pop()
    for kind, key in ((LearnedPayer.Kind.IBAN, tx.counterparty_iban.replace(" ", "").upper()),
                      (LearnedPayer.Kind.NAME, " ".join(tx.counterparty_name.split()))):
        if key:
            LearnedPayer.objects.update_or_create(
                company=company, kind=kind, key=key[:255], defaults={"customer_id": customer_id}
            )


@transaction.atomic
def match_undo(company: Company, match: Match, *, user: User | None, via: str = "web") -> None:
    """Take a match back: the invoices are open again and the payment is open again."""
    match = Match.objects.select_for_update().get(pk=match.pk, company=company)
    if match.undone_at is not None:
        raise ReconciliationError(_("This match was undone already."))
    allocations = list(match.allocations.select_related("invoice"))
    for allocation in allocations:
        invoice = Invoice.objects.select_for_update().get(pk=allocation.invoice_id)
        _apply(invoice, -(allocation.amount + allocation.write_off))
        invoice.save(update_fields=["open_amount", "status", "updated_at"])
    match.undone_at = timezone.now()
    match.undone_by = user
    match.save(update_fields=["undone_at", "undone_by"])
    state = _state_for(company, match.transaction)
    state.status = TransactionState.Status.PARTIALLY_MATCHED if _active_total(match.transaction) else TransactionState.Status.OPEN
    state.save(update_fields=["status", "updated_at"])
    event = _match_event(company, match, allocations, "match.undone", user, via)
    event.before, event.after = event.after, None
    event.save()


def suggestion_accept(company: Company, tx: Transaction, rank: int, *, user: User | None) -> Match:
    """Accept the suggestion at `rank` (1 = best) as it stands."""
    state = TransactionState.objects.filter(transaction=tx, company=company).first()
    if state is None or not 1 <= rank <= len(state.suggestions):
        raise ReconciliationError(_("That suggestion is no longer there."))
    proposal = state.suggestions[rank - 1]
    invoices = {i.pk: i for i in Invoice.objects.filter(company=company, pk__in=[int(k) for k in proposal["allocations"]])}
    plan = _allocations(
        engine.Proposal(
            allocations={k: Decimal(v) for k, v in proposal["allocations"].items()},
            confidence=proposal["confidence"],
            reasons=tuple(proposal["reasons"]),
            surplus=Decimal(proposal.get("surplus", "0")),
            write_off=Decimal(proposal.get("write_off", "0")),
        ),
        invoices,
    )
    return match_create(
        company, tx, [(a.invoice, a.amount, a.write_off) for a in plan], user=user,
        reasons=[_("suggestion accepted"), *proposal["reasons"]],
    )


@transaction.atomic
def suggestion_reject(company: Company, tx: Transaction, rank: int, *, user: User | None) -> None:
    state = _state_for(company, tx)
    if not 1 <= rank <= len(state.suggestions):
        raise ReconciliationError(_("That suggestion is no longer there."))
    proposal = state.suggestions.pop(rank - 1)
    invoice_ids = sorted(proposal["allocations"], key=int)
    RejectedSuggestion.objects.create(company=company, transaction=tx, invoice_ids=invoice_ids, created_by=user)
    state.save(update_fields=["suggestions", "updated_at"])
    record("suggestion.rejected", state, company=company, user=user, via="web",
           after={"transaction": tx.pk, "invoices": invoice_ids})


@transaction.atomic
def transaction_ignore(company: Company, tx: Transaction, reason: str, *, user: User | None) -> None:
    """Mark a credit as not an invoice payment (a refund, a loan, a grant ...)."""
    state = _state_for(company, tx)
    if state.status != TransactionState.Status.OPEN:
        raise ReconciliationError(_("Only open payments can be marked as not an invoice payment."))
    if not reason.strip():
        raise ReconciliationError(_("Say why this is not an invoice payment."))
    state.status, state.ignore_reason = TransactionState.Status.IGNORED, reason.strip()[:300]
    state.save(update_fields=["status", "ignore_reason", "updated_at"])
    record("transaction.ignored", state, company=company, user=user, via="web",
           before={"status": "open"}, after={"status": "ignored", "reason": state.ignore_reason})


@transaction.atomic
def transaction_unignore(company: Company, tx: Transaction, *, user: User | None) -> None:
    state = _state_for(company, tx)
    if state.status != TransactionState.Status.IGNORED:
        raise ReconciliationError(_("This payment is not ignored."))
    before = {"status": "ignored", "reason": state.ignore_reason}
    state.status, state.ignore_reason = TransactionState.Status.OPEN, ""
    state.save(update_fields=["status", "ignore_reason", "updated_at"])
    record("transaction.unignored", state, company=company, user=user, via="web", before=before, after={"status": "open"})


# -- the company's settings ----------------------------------------------------------------

CONFIG_FIELDS = ("criteria", "skonto_percents", "max_fee", "max_overpayment", "allow_multiple", "automation", "interval_minutes")


@transaction.atomic
def matching_config_update(company: Company, *, user: User | None, via: str = "web", **changes) -> MatchingConfig:
    """Change how the company's payments are matched; the audit event keeps before and after."""
    from django.core.exceptions import ValidationError

    unknown = set(changes) - set(CONFIG_FIELDS)
    if unknown:
        raise TypeError(f"not matching settings: {', '.join(sorted(unknown))}")
    config = MatchingConfig.objects.select_for_update().get_or_create(company=company)[0]
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
