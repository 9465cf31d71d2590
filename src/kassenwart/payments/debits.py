"""Direct debits as payment orders: a debit run is one order of one account, scheme, sequence
type and collection date (one pain.008 message, one batch at the bank), released by an
approver who drafted none of its collections.

The mandate's sequence state is derived, never stored: a mandate is "used" once one of its
collections was accepted by the bank (or booked); a rejected or returned one does not count,
so the state goes back by itself. Amendments travel with the next collection of the mandate
(`sent_with`) and are done once that collection's order was accepted.

After the bank: a collection whose end-to-end id is credited on the collecting account is
collected; one that comes back with a return reason (an R-transaction) is returned, for good:
nothing collects it again by itself. A return that says the account or mandate is wrong blocks
the mandate until it is amended.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kassenwart.banking.fints import orders as bank
from kassenwart.banking.models import BankAccount, BankConnection, Transaction
from kassenwart.companies.models import Company, Role
from kassenwart.core.audit import record
from kassenwart.core.business_days import add_business_days, business_days_between
from kassenwart.core.messages import message
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.payments.mandates import amendment_to_send
from kassenwart.payments.models import (
    AccountDebitSettings,
    Collection,
    CreditorSettings,
    Mandate,
    MandateAmendment,
    PaymentOrder,
    SequenceType,
)
from kassenwart.payments.sepa import DirectDebit, DirectDebitMessage, MandateRelatedInfo, Party, rules
from kassenwart.payments.sepa import MandateAmendment as AmendmentInfo
from kassenwart.payments.state import (
    Ids,
    PaymentInvalid,
    StateChanged,
    delivery_for,
    digest,
    invalid,
    notify_waiting,
    transition,
)

State = PaymentOrder.State
MIN_LEAD = 1  # TARGET2 business days before the collection date, CORE and B2B (EPC rulebooks since 2016)
MAX_LEAD_DAYS = 14  # calendar days ahead: conservative, many banks take debits at most 14 days before
USED = [State.ACCEPTED, State.BOOKED, State.UNKNOWN]  # the bank has (or may have) the collection

# The return reasons of SEPA direct debits (EPC guidance on reason codes), in a person's words.
RETURN_REASONS = {
    "AC01": gettext_lazy("the IBAN is wrong"),
    "AC04": gettext_lazy("the account is closed"),
    "AC06": gettext_lazy("the account is blocked"),
    "AC13": gettext_lazy("the debtor is a consumer (not allowed for B2B)"),
    "AG01": gettext_lazy("direct debits are not allowed on this account"),
    "AG02": gettext_lazy("wrong transaction code or file format"),
    "AM04": gettext_lazy("not enough money on the account"),
    "AM05": gettext_lazy("collected twice"),
    "BE05": gettext_lazy("the creditor is not known to the debtor's bank"),
    "CNOR": gettext_lazy("the creditor's bank is not reachable"),
    "DNOR": gettext_lazy("the debtor's bank is not reachable"),
    "FF01": gettext_lazy("the file or its format is wrong"),
    "MD01": gettext_lazy("there is no mandate (or it was revoked)"),
    "MD02": gettext_lazy("mandate data missing or wrong"),
    "MD06": gettext_lazy("the debtor asked for a refund (within 8 weeks)"),
    "MD07": gettext_lazy("the debtor has died"),
    "MS02": gettext_lazy("refused by the debtor"),
    "MS03": gettext_lazy("refused by the bank, no reason given"),
    "RC01": gettext_lazy("the BIC is wrong"),
    "RR01": gettext_lazy("missing debtor account or identification (regulatory)"),
    "RR02": gettext_lazy("missing debtor name or address (regulatory)"),
    "RR03": gettext_lazy("missing creditor name or address (regulatory)"),
    "RR04": gettext_lazy("regulatory reason"),
    "SL01": gettext_lazy("a service of the debtor's bank (e.g. a blocked creditor)"),
}
# Returns that say the mandate or the account is wrong: no further collection until amended.
BLOCKING_RETURNS = {"AC01", "AC04", "AC06", "AG01", "MD01", "MD02", "MD07", "RC01"}


def return_reason_text(code: str) -> str:
    """The reason in the reader's language, with its code: "the account is closed (AC04)"."""
    reason = RETURN_REASONS.get(code)
    return f"{reason} ({code})" if reason else code


# -- the rules a debit run is built with ----------------------------------------------------
def creditor_id_of(account: BankAccount) -> str:
    """The creditor id the account collects under: its own, else the company's ("" = none)."""
    own = AccountDebitSettings.objects.filter(account=account).values_list("creditor_id", flat=True).first()
    return own or CreditorSettings.objects.filter(company_id=account.company_id).values_list(
        "creditor_id", flat=True).first() or ""


def creditor_id_for(account: BankAccount) -> str:
    """`creditor_id_of`, and PaymentInvalid when there is none."""
    creditor_id = creditor_id_of(account)
    if not creditor_id:
        raise invalid("creditor_id", "creditor_id_not_set", _(
            "No creditor identifier (Gläubiger-ID) is set up, so no direct debit can be created. "
            "An admin enters it under Settings, Direct debits."))
    return creditor_id


def mandate_used(mandate: Mandate) -> bool:
    """Whether a collection under the mandate reached the bank and was not turned down (or,
    for a mandate collected before Kassenwart knew it, whether it was ever collected)."""
    if mandate.collections.filter(Q(state=Collection.State.COLLECTED)
                                  | Q(state=Collection.State.ORDERED, order__state__in=USED)).exists():
        return True
    went_out = [Collection.State.ORDERED, Collection.State.COLLECTED, Collection.State.RETURNED]
    return mandate.last_collected_on is not None and not mandate.collections.filter(state__in=went_out).exists()


def sequence_type_for(mandate: Mandate, account: BankAccount) -> str:
    """OOFF for a one-off mandate; FRST for the first collection of a mandate (and the first
    after the debtor moved to another bank) where the account's bank still wants it; RCUR
    otherwise, which EPC allows from the first collection since November 2016."""
    if mandate.kind == Mandate.Kind.ONE_OFF:
        return SequenceType.ONE_OFF
    wants_first = AccountDebitSettings.objects.filter(account=account, first_as_frst=True).exists()
    if wants_first and (not mandate_used(mandate) or _pending_amendments(mandate).filter(other_bank=True).exists()):
        # (before 2016 the first collection after the debtor moved to another bank was FRST too)
        return SequenceType.FIRST
    return SequenceType.RECURRING


def lead_days(account: BankAccount | None, scheme: str, *, batch: bool) -> tuple[int, int]:
    """Business days the collection date must be ahead at least, and calendar days at most:
    what the bank's FinTS parameters say, else the scheme's minimum (no account: the scheme's)."""
    connection = account.connection if account is not None else None
    if connection is not None and connection.kind == BankConnection.Kind.FINTS:
        found = bank.debit_lead_days(connection, scheme, batch=batch)
        if found is not None:
            return found
    return MIN_LEAD, MAX_LEAD_DAYS


def earliest_collection_date(account: BankAccount, scheme: str, *, batch: bool, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return add_business_days(today, lead_days(account, scheme, batch=batch)[0])


def check_lead_time(account: BankAccount, scheme: str, collection_date: date, *, batch: bool,
                    today: date | None = None) -> None:
    today = today or timezone.localdate()
    least, most = lead_days(account, scheme, batch=batch)
    if business_days_between(today, collection_date) < least:
        raise invalid("requested_date", "collection_too_soon", _(
            "The collection date %(date)s is too soon: the bank needs the order %(days)s business day(s) "
            "before. Move the collection to %(earliest)s or later.")
            % {"date": collection_date.strftime("%d.%m.%Y"), "days": least,
               "earliest": add_business_days(today, least).strftime("%d.%m.%Y")},
            earliest=add_business_days(today, least).isoformat())
    if collection_date - today > timedelta(days=most):
        raise invalid("requested_date", "collection_too_far", _(
            "The collection date %(date)s is too far ahead: the bank takes orders at most %(days)s days before.")
            % {"date": collection_date.strftime("%d.%m.%Y"), "days": most})


# -- a debit run ---------------------------------------------------------------------------
def debit_order_create(company: Company, *, account: BankAccount, scheme: str, sequence_type: str,
                       collection_date: date, collections: list[Collection], creditor_id: str,
                       user: User | None = None, via: str = "worker", today: date | None = None) -> PaymentOrder:
    """Planned collections of one account, scheme, sequence type and collection date become one
    debit run, waiting for an approver (who drafted none of them). The collections must still
    be planned and in no order (else StateChanged: another run took them). Checked as the bank
    would (the message with placeholder ids), so a collection the bank would refuse shows now.
    `today`: the day the caller (the clock) works on."""
    if not collections:
        raise invalid("collections", "no_collections", _("Choose at least one collection."))
    if any(c.company_id != company.pk or c.account_id != account.pk for c in collections):
        raise invalid("account", "account_unknown", _("The collections belong to another account."))
    operation = f"debit_{scheme.lower()}" + ("_batch" if len(collections) > 1 else "")
    delivery = delivery_for(account, operation)
    today = today or timezone.localdate()
    check_lead_time(account, scheme, collection_date, batch=len(collections) > 1, today=today)
    with transaction.atomic():
        locked = list(Collection.objects.select_for_update().select_related("mandate")
                      .filter(pk__in=[c.pk for c in collections], state=Collection.State.PLANNED,
                              order__isnull=True).order_by("due_date", "pk"))
        if len(locked) != len(collections):
            raise StateChanged(_("Some of these collections were put into another run or changed meanwhile."))
        creator = user or locked[0].drafted_by
        order = PaymentOrder.objects.create(
            company=company, account=account, kind=PaymentOrder.Kind.DEBIT, delivery=delivery, scheme=scheme,
            sequence_type=sequence_type, creditor_id=creditor_id, requested_date=collection_date, created_by=creator)
        for position, collection in enumerate(locked, start=1):
            Collection.objects.filter(pk=collection.pk).update(order=order, position=position,
                                                               state=Collection.State.ORDERED,
                                                               sequence_type=sequence_type, hold_reason="")
            _pending_amendments(collection.mandate).update(sent_with=collection)
        try:
            rules.check(message_for(order, Ids.placeholders(len(locked)), collection_date), today=today)
        except rules.SepaInvalid as refused:
            raise PaymentInvalid(refused.problems) from refused
        record("payment.created", order, company=company, user=user, via=via,
               after={"kind": order.kind, "collections": [c.pk for c in locked], "scheme": scheme,
                      "sequence_type": sequence_type, "collection_date": collection_date.isoformat()})
        transition(order, [State.DRAFT], State.PENDING_APPROVAL, user, via, payload_hash=digest(order))
        notify_waiting(order)
    return order


def message_for(order: PaymentOrder, ids: Ids, collection_date: date) -> DirectDebitMessage:
    """The pain.008 message of a debit run with these ids."""
    account = order.account
    collections = list(order.collections.select_related("mandate").order_by("position", "pk"))
    return DirectDebitMessage(
        message_id=ids.message_id, created_at=timezone.now(), initiator=order.company.name,
        creditor=Party(account.owner or order.company.name, account.iban, account.bic),
        creditor_id=order.creditor_id, payment_info_id=ids.payment_info_id, collection_date=collection_date,
        scheme=order.scheme, sequence_type=order.sequence_type,
        debits=tuple(
            DirectDebit(end_to_end_id=end_to_end, amount=c.amount,
                        debtor=Party(c.mandate.debtor_name, c.mandate.iban, c.mandate.bic),
                        mandate=MandateRelatedInfo(c.mandate.reference, c.mandate.signed_on, _amendment(c)),
                        remittance=c.remittance, currency=c.currency)
            for c, end_to_end in zip(collections, ids.end_to_end_ids, strict=True)
        ),
    )


def _amendment(collection: Collection) -> AmendmentInfo | None:
    """What changed on the mandate since the debtor's bank last saw it: the amendments this
    collection carries, folded into the values from before the first of them."""
    folded = amendment_to_send(collection.mandate, MandateAmendment.objects.filter(sent_with=collection))
    if folded is None:
        return None
    return AmendmentInfo(original_reference=folded.original_reference,
                         original_creditor_id=folded.original_creditor_id,
                         original_debtor_iban=folded.original_iban, new_debtor_bank=folded.other_bank)


def _pending_amendments(mandate: Mandate):
    """Amendments no collection carries yet (one whose run was turned down gives them back)."""
    return MandateAmendment.objects.filter(mandate=mandate, sent_with__isnull=True)


# -- what the bank's answer means for the collections ---------------------------------------
def debits_accepted(order: PaymentOrder) -> None:
    """The bank took the run: its mandates were used on the collection date (36 months run from
    there)."""
    if not order.is_debit:
        return
    for collection in order.collections.select_related("mandate"):
        mandate = collection.mandate
        if mandate.last_collected_on is None or mandate.last_collected_on < collection.due_date:
            Mandate.objects.filter(pk=mandate.pk).update(last_collected_on=collection.due_date)


def debits_released(order: PaymentOrder, *, user: User | None = None, via: str = "worker") -> int:
    """The run did not reach the bank's books (rejected, cancelled): its collections are held
    for a person (never ordered again by themselves), and the amendments they carried wait for
    the next collection. Returns how many were held."""
    if not order.is_debit:
        return 0
    reason = "order_rejected" if order.state == State.REJECTED else "order_cancelled"
    held = 0
    for collection in order.collections.filter(state=Collection.State.ORDERED):
        if Collection.objects.filter(pk=collection.pk, state=Collection.State.ORDERED).update(
                state=Collection.State.HELD, hold_reason=reason):
            MandateAmendment.objects.filter(sent_with=collection).update(sent_with=None)
            record("collection.held", collection, company=order.company, user=user, via=via,
                   before={"state": Collection.State.ORDERED},
                   after={"state": Collection.State.HELD, "hold_reason": reason})
            held += 1
    return held


# -- after the bank -------------------------------------------------------------------------
RETURN_WATCH = timedelta(days=60)  # returns come within days; a refund request (MD06) within 8 weeks


def debits_follow_statements(company: Company, *, via: str = "worker") -> dict:
    """Debit runs on the collecting account's statement, by end-to-end id: a credit collects a
    collection, a debit with a return reason returns it. A run whose every collection was seen
    is booked. Returns the counts and, for matching, the pairs (collection id, transaction id)
    newly collected and the pairs (collection id, credit transaction id, return code) newly
    returned."""
    recent = timezone.now() - RETURN_WATCH
    orders = PaymentOrder.objects.filter(company=company, kind=PaymentOrder.Kind.DEBIT).filter(
        Q(state__in=[State.ACCEPTED, State.UNKNOWN]) | Q(state=State.BOOKED, booked_at__gte=recent)
        | Q(state=State.REJECTED, finished_at__gte=recent))
    watched = {(c.account_id, c.end_to_end_id): c for c in Collection.objects.filter(
        order__in=orders, state__in=[Collection.State.ORDERED, Collection.State.COLLECTED]).exclude(end_to_end_id="")}
    result = {"collected": [], "returned": [], "booked": 0}
    ids = sorted({end_to_end for _, end_to_end in watched})
    credits: dict[int, int] = {}
    returns: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        rows = Transaction.objects.filter(company=company, end_to_end_id__in=ids[start:start + 500]).values_list(
            "pk", "account_id", "end_to_end_id", "amount", "return_reason")
        for pk, account_id, end_to_end, amount, reason in rows:
            collection = watched.get((account_id, end_to_end))
            if collection is None:
                continue
            if amount > 0:
                credits.setdefault(collection.pk, pk)
            elif reason:
                returns[collection.pk] = reason
    for collection in watched.values():
        with transaction.atomic():
            if collection.pk in returns:
                if _collection_returned(collection, returns[collection.pk], via):
                    result["returned"].append((collection.pk, credits.get(collection.pk), returns[collection.pk]))
            elif collection.pk in credits and collection.state == Collection.State.ORDERED:
                moved = Collection.objects.filter(pk=collection.pk, state=Collection.State.ORDERED).update(
                    state=Collection.State.COLLECTED)
                if moved:
                    record("collection.collected", collection, company=company, user=None, via=via,
                           after={"transaction": credits[collection.pk]})
                    result["collected"].append((collection.pk, credits[collection.pk]))
    for order in orders.exclude(state=State.BOOKED):
        order.company = company
        if not order.collections.filter(state=Collection.State.ORDERED).exists():
            try:
                with transaction.atomic():
                    transition(order, [State.ACCEPTED, State.UNKNOWN, State.REJECTED], State.BOOKED, None, via,
                               booked_at=timezone.now())
                    debits_accepted(order)
                result["booked"] += 1
            except StateChanged:
                pass  # a person moved it on meanwhile; the next statement looks again
    return result


def _collection_returned(collection: Collection, code: str, via: str) -> bool:
    moved = Collection.objects.filter(pk=collection.pk, state__in=[Collection.State.ORDERED,
                                                                   Collection.State.COLLECTED]).update(
        state=Collection.State.RETURNED, return_reason=code[:8])
    if not moved:
        return False
    company = collection.company
    record("collection.returned", collection, company=company, user=None, via=via,
           before={"state": collection.state}, after={"state": "returned", "return_reason": code})
    mandate = collection.mandate
    if code in BLOCKING_RETURNS and mandate.state == Mandate.State.ACTIVE:
        Mandate.objects.filter(pk=mandate.pk).update(state=Mandate.State.BLOCKED, state_reason=code[:8])
        record("mandate.blocked", mandate, company=company, user=None, via=via,
               before={"state": mandate.state}, after={"state": "blocked", "reason": code})
    notify(company, Notification.Kind.NEEDS_PERSON,
           message("payments.debit_returned", amount=collection.amount, debtor=mandate.debtor_name, reason=code),
           link=reverse("payment_detail", args=[collection.order_id]), roles=(Role.APPROVER, Role.ADMIN))
    return True
