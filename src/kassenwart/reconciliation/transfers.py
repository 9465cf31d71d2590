"""Transfers between the company's own accounts that no IBAN reveals: a payment provider
(Stripe, PayPal) paying its balance out to the company's bank account. The provider's sync
books the payout as a debit on the provider account (transaction_code PAYOUT, the payout id
as batch_reference); the bank's statement books the credit. `payouts_pair` finds, for each
payout not paired yet, the one bank credit of the same amount and currency, booked from a
day before to a week after it, on another of the company's accounts, whose name or
remittance names the provider or the payout, and records them as one InternalTransfer: the
credit leaves the Open list (ignored, the transfer as its reason) and the overview counts
neither side as money in or out. A payout with no such credit, or with several, waits (the
bank's statement may come later; a person can still map it by hand).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from kassenwart.banking.models import Transaction
from kassenwart.banking.providers import PAYOUT
from kassenwart.companies.models import Company
from kassenwart.core.audit import record
from kassenwart.reconciliation.models import InternalTransfer, TransactionState
from kassenwart.reconciliation.reasons import app_reason
from kassenwart.reconciliation.services import books_lock

EARLIEST = timedelta(days=1)  # a payout's booking day at the provider and at the bank differ by time zone
LATEST = timedelta(days=7)  # SEPA payouts arrive in one to three business days; PayPal's withdrawals may take longer
PROVIDER_WORDS = {"stripe": ("stripe",), "paypal": ("paypal",)}


@transaction.atomic
def payouts_pair(company: Company, *, via: str = "worker") -> int:
    """Pair the company's unpaired payouts with their bank credits; returns how many were paired.
    Under the books' lock, like every change of what is paid: a matching run meanwhile would
    otherwise give a paired credit a state of its own."""
    books_lock(company)
    paired = 0
    payouts = (Transaction.objects.filter(company=company, transaction_code=PAYOUT, amount__lt=0)
               .exclude(transfer_out__isnull=False).select_related("account"))
    for payout in payouts:
        credit = _arrival(company, payout)
        if credit is None:
            continue
        provider = payout.account.bank_code
        transfer = InternalTransfer.objects.create(company=company, outgoing=payout, incoming=credit)
        state, _created = TransactionState.objects.get_or_create(transaction=credit, defaults={"company": company})
        state.status = TransactionState.Status.IGNORED
        state.ignore_reason = app_reason("internal_transfer", provider=provider.title(),
                                         payout=payout.batch_reference or payout.bank_reference)
        state.suggestions = []
        state.save(update_fields=["status", "ignore_reason", "suggestions", "updated_at"])
        record("transfer.paired", transfer, company=company, user=None, via=via,
               after={"outgoing": payout.pk, "incoming": credit.pk, "amount": str(credit.amount)})
        paired += 1
    return paired


def _arrival(company: Company, payout: Transaction) -> Transaction | None:
    day = payout.booking_date
    if day is None:
        return None
    words = PROVIDER_WORDS.get(payout.account.bank_code, (payout.account.bank_code,))
    named = Q()
    for word in (*words, payout.batch_reference):
        if word:
            named |= Q(counterparty_name__icontains=word) | Q(remittance__icontains=word)
    candidates = list(
        Transaction.objects.filter(company=company, amount=-payout.amount, currency=payout.currency,
                                   booking_date__gte=day - EARLIEST, booking_date__lte=day + LATEST)
        .exclude(account=payout.account).exclude(transfer_in__isnull=False)
        .exclude(state__status__in=[TransactionState.Status.MATCHED, TransactionState.Status.PARTIALLY_MATCHED])
        .filter(named)[:2]
    )
    return candidates[0] if len(candidates) == 1 else None
