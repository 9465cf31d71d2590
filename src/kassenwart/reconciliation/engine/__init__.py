"""The reconciliation engine: incoming payments against open invoices, pure Python.

    from kassenwart.reconciliation.engine import reconcile, MatchingConfig, Knowledge

    decisions = reconcile(invoices, transactions, MatchingConfig(), Knowledge())

`reconcile` takes the open `Invoice`s and the unreconciled `Transaction`s of one company
(ids unique within each) and returns one `Decision` per transaction, in input order:

- `Status.AUTO` with `match`, a `Proposal`: `allocations` (invoice id -> Decimal applied,
  summing to the transaction amount minus `surplus`), `write_off` (Skonto or fee accepted),
  a `confidence` in [0, 1] and `reasons` ("invoice number RE-2026-01234 in remittance,
  1 transposition", "payer IBAN known for customer 10234", "Skonto 2 % (16.01 deducted)").
- `Status.OPEN` with up to `config.max_suggestions` ranked `suggestions` (each a `Proposal`,
  several invoices for a collective payment), or none and a `note`.

The invoice number's shape is learned from the invoices themselves, never assumed; the
remittance is searched for anything of that shape in any spelling (see invoice_numbers).
Other evidence: ISO 11649 RF references, the payer's IBAN and name (from the CRM or from
`Knowledge` learned by earlier matches), customer numbers in the text, and the amount
(exact, Skonto, bank fee, installment, partial, overpaid, sums of several invoices and
credit notes). A match is applied automatically only when it is alone in the best safe
tier (see scoring); everything ambiguous goes to a person. Suggestions a person rejected
(`Knowledge.rejected`) are never proposed again for that transaction.

Outgoing payments, returns and reversals are never matched. Within one run, references
are matched first, then the rest; each automatic match reduces the invoices' open amounts
for the transactions after it (installments, collective payments).

Cost is linear in invoices plus transactions: every lookup goes through the indexes built
once per run (index). Nothing here imports Django.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from .candidates import Evidence, candidates, gather, named, read_typos, similar_names
from .decide import decide, rank
from .index import Index, build_index
from .model import (
    Automation,
    Criterion,
    Decision,
    Invoice,
    Knowledge,
    MatchingConfig,
    Proposal,
    Status,
    Transaction,
)
from .scoring import REFERENCED_EXACT, Scored, score

__all__ = [
    "Automation",
    "Criterion",
    "Decision",
    "Invoice",
    "Knowledge",
    "MatchingConfig",
    "Proposal",
    "Status",
    "Transaction",
    "reconcile",
]

# ISO sub-families of reversals and returns, and the German GVC of a returned transfer.
_RETURN_CODE = re.compile(r"(?:^|[/+ ])(?:RRTN|RPCR|UPDD|PRDD|159)(?:$|[/+ ])")


def reconcile(
    invoices: Sequence[Invoice],
    transactions: Sequence[Transaction],
    config: MatchingConfig = MatchingConfig(),
    knowledge: Knowledge = Knowledge(),
) -> list[Decision]:
    """One decision per transaction, in the order given. See the module docstring."""
    with _collector_paused():
        return _reconcile(invoices, transactions, config, knowledge)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The run allocates millions of small acyclic objects; letting the cyclic garbage
    collector scan them over and over costs a sixth of the time and finds nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _reconcile(
    invoices: Sequence[Invoice],
    transactions: Sequence[Transaction],
    config: MatchingConfig,
    knowledge: Knowledge,
) -> list[Decision]:
    index = build_index(invoices, knowledge)
    open_amounts = {inv.id: inv.open_amount for inv in invoices}
    decisions: dict[str, Decision] = {}
    evidence: dict[str, Evidence] = {}
    for tx in transactions:
        reason = _not_a_payment(tx)
        if reason:
            decisions[tx.id] = Decision(tx.id, Status.OPEN, note=reason)
        else:
            evidence[tx.id] = gather(tx, index, config)
    payments = [tx for tx in transactions if tx.id in evidence]
    payments.sort(key=lambda tx: (not evidence[tx.id].has_strong_ref, tx.booking_date or date.min, tx.id))
    for tx in payments:
        decision = _match(tx, evidence[tx.id], index, open_amounts, config, knowledge)
        if decision.match is not None:
            _settle(decision.match, open_amounts)
        decisions[tx.id] = decision
    return [decisions[tx.id] for tx in transactions]


def _not_a_payment(tx: Transaction) -> str:
    if tx.amount <= 0:
        return "outgoing payment"
    if _RETURN_CODE.search(tx.bank_transaction_code.upper()):
        return "return or reversal"
    return ""


def _match(
    tx: Transaction,
    evidence: Evidence,
    index: Index,
    open_amounts: dict[str, Decimal],
    config: MatchingConfig,
    knowledge: Knowledge,
) -> Decision:
    """The named invoices first (enough for most payments), then every candidate, then
    also mistyped numbers."""
    ranked = _ranked(tx, named, evidence, index, open_amounts, config, knowledge)
    if ranked and ranked[0].tier == REFERENCED_EXACT:
        return decide(tx, ranked, open_amounts, config)
    similar_names(tx, index, config, evidence)
    ranked = _ranked(tx, candidates, evidence, index, open_amounts, config, knowledge)
    uncertain = not ranked or ranked[0].tier < REFERENCED_EXACT
    if uncertain and evidence.typo_sources and read_typos(tx, index, open_amounts, evidence):
        similar_names(tx, index, config, evidence)
        ranked = _ranked(tx, candidates, evidence, index, open_amounts, config, knowledge)
    return decide(tx, ranked, open_amounts, config)


def _ranked(
    tx: Transaction,
    propose: Callable[..., set[frozenset[str]]],
    evidence: Evidence,
    index: Index,
    open_amounts: dict[str, Decimal],
    config: MatchingConfig,
    knowledge: Knowledge,
) -> list[Scored]:
    found = propose(tx, evidence, index, open_amounts, config)
    scored = (score(tx, ids, evidence, index, open_amounts, config) for ids in found)
    return rank(tx, (s for s in scored if s is not None), knowledge)


def _settle(match: Proposal, open_amounts: dict[str, Decimal]) -> None:
    for invoice_id, applied in match.allocations.items():
        open_amounts[invoice_id] = Decimal(0) if match.write_off else open_amounts[invoice_id] - applied
