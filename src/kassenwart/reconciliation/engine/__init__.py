"""The reconciliation engine: incoming payments against open invoices, pure Python.

    from kassenwart.reconciliation.engine import reconcile, MatchingConfig, Knowledge

    decisions = reconcile(invoices, transactions, MatchingConfig(), Knowledge())

`reconcile` takes the open `Invoice`s and the unreconciled `Transaction`s of one company
(ids unique within each) and returns one `Decision` per transaction, in input order
(`decisions` yields the same ones as they are decided, in the engine's own order):

- `Status.AUTO` with `match`, a `Proposal`: `allocations` (invoice id -> Decimal applied,
  summing to the transaction amount minus `surplus`), `write_off` (Skonto or fee accepted),
  a `confidence` in [0, 1] and `reasons` ("invoice number RE-2026-01234 in remittance,
  1 transposition", "payer IBAN known for customer 10234", "Skonto 2 % (16.01 deducted)"),
  each a `reasons.Reason`: the English words with a key and parameters for the app to store.
- `Status.OPEN` with up to `config.max_suggestions` ranked `suggestions` (each a `Proposal`,
  several invoices for a collective payment), or none and a `note` (a `Reason` too).

The invoice number's shape is learned from the invoices themselves, never assumed; the
remittance is searched for anything of that shape in any spelling (see invoice_numbers).
Other evidence: ISO 11649 RF references, the payer's IBAN and name (from the CRM or from
`Knowledge` learned by earlier matches), customer numbers in the text, and the amount
(exact, Skonto, bank fee, installment, partial, overpaid, sums of several invoices and
credit notes). A match is applied automatically only when it is alone in the best safe
tier (see scoring); everything ambiguous goes to a person. Suggestions a person rejected
(`Knowledge.rejected`) are never proposed again for that transaction.

Outgoing payments, returns and reversals are never matched. Within one run, transactions
that name an invoice are matched first, in the order given, then the rest; each automatic
match reduces the invoices' open amounts for the transactions after it (installments,
collective payments), so give transactions in booking order.

Cost is linear in invoices plus transactions: every lookup goes through the indexes built
once per run (index); benchmarks/bench_match.py measures it. The cyclic garbage collector
is paused while a run lasts (it only creates acyclic objects). Nothing here imports Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from functools import lru_cache

from kassenwart.core.gc_pause import gc_paused

from .candidates import Evidence, candidates, gather, named, read_more
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
from .reasons import Reason, reason
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
    "decisions",
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
    # The run allocates millions of small acyclic objects; letting the cyclic garbage
    # collector scan them over and over costs a sixth of the time and finds nothing.
    with gc_paused():
        decided = {d.transaction_id: d for d in decisions(invoices, transactions, config, knowledge)}
    return [decided[tx.id] for tx in transactions]


def decisions(
    invoices: Sequence[Invoice],
    transactions: Iterable[Transaction],
    config: MatchingConfig = MatchingConfig(),
    knowledge: Knowledge = Knowledge(),
) -> Iterator[Decision]:
    """One decision per transaction as soon as it is decided, in the order the engine decides
    them: in one pass over the transactions, those that are no payment and those that name an
    invoice strongly (number, RF reference); then the rest, in the order given. A caller that
    follows the open amounts (installments, write-offs) must take them in this order: it is
    the order in which each match lowered them. `transactions` is read once, after the
    invoices' index is built: it may be an iterator still being filled meanwhile (a child
    process receiving them). Pause the garbage collector around the loop as `reconcile`
    does (a generator cannot pause it for its caller without pausing it between its items)."""
    index = build_index(invoices, knowledge)
    open_amounts = {inv.id: inv.open_amount for inv in invoices}
    unreferenced: list[tuple[Transaction, Evidence]] = []
    for tx in transactions:
        note = _not_a_payment(tx)
        if note:
            yield Decision(tx.id, Status.OPEN, note=note)
            continue
        evidence = gather(tx, index, config)
        if evidence.has_strong_ref:
            yield _match(tx, evidence, index, open_amounts, config, knowledge)
        else:
            unreferenced.append((tx, evidence))
    for tx, evidence in unreferenced:
        yield _match(tx, evidence, index, open_amounts, config, knowledge)


_OUTGOING = reason("outgoing")
_RETURN = reason("return_or_reversal")


def _not_a_payment(tx: Transaction) -> Reason | str:
    if tx.amount <= 0:
        return _OUTGOING
    if _is_return(tx.bank_transaction_code):
        return _RETURN
    return ""


@lru_cache(maxsize=1024)
def _is_return(code: str) -> bool:
    """A statement has few distinct codes: each is read once."""
    return _RETURN_CODE.search(code.upper()) is not None


def _match(
    tx: Transaction,
    evidence: Evidence,
    index: Index,
    open_amounts: dict[str, Decimal],
    config: MatchingConfig,
    knowledge: Knowledge,
) -> Decision:
    """The named invoices first: enough for most payments. Only sets of fully named
    invoices can reach the best tier, so when they do not, everything else is read (customer
    numbers, mistyped numbers, similar names) and every candidate is scored. An automatic
    match lowers the open amounts the next transactions see."""
    ranked = _ranked(tx, named, evidence, index, open_amounts, config, knowledge)
    if not ranked or ranked[0].tier < REFERENCED_EXACT:
        read_more(tx, index, open_amounts, config, evidence)
        ranked = _ranked(tx, candidates, evidence, index, open_amounts, config, knowledge)
    decision = decide(tx, ranked, open_amounts, config)
    if decision.match is not None:
        _settle(decision.match, open_amounts)
    return decision


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
    """Lower the open amounts by what the match applied; a Skonto or fee shortfall settles."""
    for invoice_id, applied in match.allocations.items():
        rest = open_amounts[invoice_id] - applied
        open_amounts[invoice_id] = Decimal(0) if match.write_off else rest
