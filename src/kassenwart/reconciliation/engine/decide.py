"""Turn scored candidates into a decision: auto only when one answer is alone at the top of
a safe tier; otherwise the ranked suggestions for a person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from .model import Automation, Decision, Knowledge, MatchingConfig, Status, Transaction
from .reasons import reason
from .scoring import Scored

NO_FIT = reason("no_fit")


def rank(tx: Transaction, scored: Iterable[Scored], knowledge: Knowledge) -> list[Scored]:
    """Best first, without what a person rejected; what a person undid stays, marked."""
    kept = [s for s in scored if (tx.id, s.invoice_ids) not in knowledge.rejected]
    if knowledge.undone:
        for s in kept:
            s.undone = (tx.id, s.invoice_ids) in knowledge.undone
    if len(kept) > 1:
        kept.sort(key=Scored.rank_key)
    return kept


def decide(
    tx: Transaction,
    ranked: list[Scored],
    open_amounts: Mapping[str, Decimal],
    config: MatchingConfig,
) -> Decision:
    if not ranked:
        return Decision(tx.id, Status.OPEN, note=NO_FIT)
    best = ranked[0]
    alone = len(ranked) == 1 or ranked[1].tier < best.tier
    if config.automation == Automation.AUTOMATIC and best.safe and alone:
        return Decision(tx.id, Status.AUTO, match=best.proposal(tx, open_amounts, config))
    shown = ranked[: config.max_suggestions]
    suggestions = tuple(s.proposal(tx, open_amounts, config) for s in shown)
    return Decision(tx.id, Status.OPEN, suggestions=suggestions)
