"""SEPA mandates and the company as a creditor: set-up, record, amend, revoke, import, expire.

A mandate is the debtor's signed authority to collect from their account, under the
company's creditor identifier (Gläubiger-ID) and its own reference, unique per creditor
(EPC rulebook, AT-01 and AT-02). No mandate can be recorded before the company has a
creditor id. What changes later (reference, IBAN, creditor id) is an amendment: the original
values are kept in a MandateAmendment and go to the debtor's bank with the next collection
(`amendment_to_send`); a debtor who moved to another bank is sent as "SMNDA".

Each use case is one transaction with its audit event; bad input raises PaymentInvalid with
every problem (field, code, English message, params: the pages word them by code), a state
that no longer allows the step raises StateChanged, a role that does not NotAllowed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from kassenwart.banking.models import BankAccount
from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.core.audit import record
from kassenwart.core.messages import message
from kassenwart.core.models import User
from kassenwart.payments.mandate_csv import MandateFileError, MandateRow, RowError, read_mandates
from kassenwart.payments.models import (
    AccountDebitSettings,
    Collection,
    CollectionPlan,
    CreditorSettings,
    Mandate,
    MandateAmendment,
    Scheme,
)
from kassenwart.payments.sepa.rules import Problem, creditor_id_problems
from kassenwart.payments.sepa.text import BASIC, id_problem, to_sepa_text, unsendable
from kassenwart.payments.state import PaymentInvalid, StateChanged, require
from kassenwart.receivables.models import Customer

State = Mandate.State
EXPIRY_MONTHS = 36  # EPC rulebook: a mandate lapses 36 months after its last collection
PRE_NOTIFICATION_DAYS = (1, 60)  # what a setting or an agreement may say
NAME_MAX = 70
# The DK schema's creditor id, after spaces are removed and letters raised: country, check
# digits, business code (ZZZ when there is none), the national identifier.
CREDITOR_ID_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}")


# -- the company as a creditor ---------------------------------------------------------------
def creditor_settings_update(company: Company, *, creditor_id: str, pre_notification_days: int, mail_from: str,
                             user: User | None, via: str = "web") -> CreditorSettings:
    """The company's creditor id (empty: none yet), the days a debtor is told before a
    collection, and the sender of those e-mails. Admins only."""
    require(company, user, permissions.MANAGE_SETTINGS)
    problems = []
    creditor_id = _creditor_id(problems, "creditor_id", creditor_id, required=False)
    _days(problems, "pre_notification_days", pre_notification_days)
    mail_from = (mail_from or "").strip()
    if mail_from:
        try:
            validate_email(mail_from)
        except ValidationError:
            problems.append(Problem("mail_from", "email_invalid", f"{mail_from} is not an e-mail address.",
                                    {"value": mail_from}))
    if problems:
        raise PaymentInvalid(problems)
    with transaction.atomic():
        settings, _created = CreditorSettings.objects.select_for_update().get_or_create(company=company)
        before = _settings_dict(settings)
        settings.creditor_id, settings.pre_notification_days, settings.mail_from = (
            creditor_id, pre_notification_days, mail_from)
        settings.save()
        record("creditor_settings.updated", settings, company=company, user=user, via=via, before=before,
               after=_settings_dict(settings))
    return settings


def account_debit_settings_update(account: BankAccount, *, creditor_id: str, first_as_frst: bool,
                                  user: User | None, via: str = "web") -> AccountDebitSettings:
    """How one account collects: another creditor id than the company's (empty: the
    company's), and the first collection of a mandate as FRST for banks that still want it."""
    company = account.company
    require(company, user, permissions.MANAGE_SETTINGS)
    problems = []
    creditor_id = _creditor_id(problems, "creditor_id", creditor_id, required=False)
    if problems:
        raise PaymentInvalid(problems)
    with transaction.atomic():
        settings, _created = AccountDebitSettings.objects.select_for_update().get_or_create(account=account)
        before = {"creditor_id": settings.creditor_id, "first_as_frst": settings.first_as_frst}
        settings.creditor_id, settings.first_as_frst = creditor_id, bool(first_as_frst)
        settings.save()
        record("account_debit_settings.updated", settings, company=company, user=user, via=via, before=before,
               after={"account": account.iban, "creditor_id": creditor_id, "first_as_frst": bool(first_as_frst)})
    return settings


def company_creditor_id(company: Company) -> str:
    """The company's creditor id, or "" when none is set yet."""
    return (CreditorSettings.objects.filter(company=company).values_list("creditor_id", flat=True).first()
            or "")


# -- mandates --------------------------------------------------------------------------------
def mandate_create(company: Company, *, customer: Customer, reference: str, signed_on: date, scheme: str, kind: str,
                   debtor_name: str, iban: str, bic: str = "", pre_notification_days: int | None = None,
                   user: User | None, via: str = "web") -> Mandate:
    """A mandate the customer signed, under the company's creditor id (none set: refused)."""
    require(company, user, permissions.MANAGE_MANDATES)
    creditor_id = _required_creditor_id(company)
    reference = (reference or "").strip()
    problems: list[Problem] = []
    if customer is None or customer.company_id != company.pk:
        problems.append(Problem("customer", "customer_invalid", "Choose one of your customers."))
    iban, bic = _mandate_problems(problems, reference=reference, debtor_name=debtor_name, iban=iban, bic=bic,
                                  signed_on=signed_on, today=timezone.localdate())
    if scheme not in Scheme.values:
        problems.append(Problem("scheme", "scheme_invalid", f"{scheme} is not CORE or B2B.", {"value": scheme}))
    if kind not in Mandate.Kind.values:
        problems.append(Problem("kind", "kind_invalid", f"{kind} is not recurring or one-off.", {"value": kind}))
    if pre_notification_days is not None:
        _days(problems, "pre_notification_days", pre_notification_days)
    if reference and not problems and _taken(company, creditor_id, reference):
        problems.append(_reference_taken(reference))
    if problems:
        raise PaymentInvalid(problems)
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                company=company, customer=customer, reference=reference, creditor_id=creditor_id,
                signed_on=signed_on, scheme=scheme, kind=kind, debtor_name=debtor_name.strip(), iban=iban, bic=bic,
                pre_notification_days=pre_notification_days, created_by=user)
            record("mandate.created", mandate, company=company, user=user, via=via, after=_snapshot(mandate))
    except IntegrityError:  # recorded by someone else meanwhile
        raise PaymentInvalid([_reference_taken(reference)])
    return mandate


def mandate_amend(mandate: Mandate, *, reference: str | None = None, iban: str | None = None, bic: str | None = None,
                  creditor_id: str | None = None, user: User | None, via: str = "web") -> MandateAmendment | None:
    """A new reference, debtor IBAN (and BIC) or creditor id. The original values are kept in
    a MandateAmendment that goes with the next collection (a new IBAN at another bank: SMNDA);
    a BIC alone is no amendment in the rulebook and is only changed. A mandate blocked by a
    return (MD01, AC04, ...) is active again: the person has acted on it. Returns the
    amendment, or None when only the BIC changed."""
    company = mandate.company
    require(company, user, permissions.MANAGE_MANDATES)
    problems: list[Problem] = []
    new = {}
    if reference is not None and reference.strip() != mandate.reference:
        new["reference"] = reference.strip()
        _reference(problems, "reference", new["reference"])
    if iban is not None and "".join(iban.split()).upper() != mandate.iban:
        new["iban"] = _iban(problems, "iban", iban)
    if bic is not None and "".join(bic.split()).upper() != mandate.bic:
        new["bic"] = _bic(problems, "bic", bic)
    if creditor_id is not None and "".join(creditor_id.split()).upper() != mandate.creditor_id:
        new["creditor_id"] = _creditor_id(problems, "creditor_id", creditor_id, required=True)
    if not new and not problems:
        problems.append(Problem("mandate", "nothing_changed", "Nothing was changed."))
    if problems:
        raise PaymentInvalid(problems)
    with transaction.atomic():
        current = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if current.state not in (State.ACTIVE, State.BLOCKED):
            raise StateChanged(_("This mandate is %(state)s; it cannot be amended. Record a new mandate instead.")
                               % {"state": current.get_state_display()})
        key = (new.get("creditor_id", current.creditor_id), new.get("reference", current.reference))
        if ("reference" in new or "creditor_id" in new) and _taken(company, *key, exclude=current.pk):
            raise PaymentInvalid([_reference_taken(key[1])])
        before = _snapshot(current)
        amendment = None
        if new.keys() - {"bic"}:
            moved = "iban" in new and not _same_bank(current.iban, new["iban"])
            amendment = MandateAmendment.objects.create(
                mandate=current, created_by=user,
                original_reference=current.reference if "reference" in new else "",
                original_creditor_id=current.creditor_id if "creditor_id" in new else "",
                original_iban=current.iban if "iban" in new else "", other_bank=moved)
        for name, value in new.items():
            setattr(current, name, value)
        if current.state == State.BLOCKED:
            current.state, current.state_reason = State.ACTIVE, ""
        current.save(update_fields=[*new, "state", "state_reason"])
        after = _snapshot(current)
        if amendment is not None:
            after["smnda"] = amendment.other_bank
        record("mandate.amended", current, company=company, user=user, via=via, before=before, after=after)
    mandate.refresh_from_db()
    return amendment


def mandate_revoke(mandate: Mandate, *, user: User | None, via: str = "web", reason: str = "") -> None:
    """The debtor (or the company) ended the mandate. It stays with its history; nothing is
    collected under it any more."""
    require(mandate.company, user, permissions.MANAGE_MANDATES)
    with transaction.atomic():
        moved = Mandate.objects.filter(pk=mandate.pk, state__in=[State.ACTIVE, State.BLOCKED]).update(
            state=State.REVOKED, state_reason="")
        before = mandate.state
        mandate.refresh_from_db(fields=["state", "state_reason"])
        if not moved:
            raise StateChanged(_("This mandate is %(state)s already.") % {"state": mandate.get_state_display()})
        record("mandate.revoked", mandate, company=mandate.company, user=user, via=via, before={"state": before},
               after={"state": State.REVOKED, "reason": reason.strip()})
        _nothing_more_under(mandate, user=user, via=via)


def _nothing_more_under(mandate: Mandate, *, user: User | None, via: str) -> None:
    """A mandate that ended (revoked, expired) collects nothing more: its plans stop and its
    collections that did not go to a bank are cancelled (those at a bank run their course)."""
    for plan in mandate.plans.filter(active=True):
        CollectionPlan.objects.filter(pk=plan.pk).update(active=False)
        record("plan.stopped", plan, company=mandate.company, user=user, via=via,
               after={"reason": message("payments.mandate_ended", state=mandate.state)})
    waiting = [Collection.State.PLANNED, Collection.State.HELD]
    for collection in mandate.collections.filter(state__in=waiting):
        if Collection.objects.filter(pk=collection.pk, state__in=waiting).update(state=Collection.State.CANCELLED):
            record("collection.cancelled", collection, company=mandate.company, user=user, via=via,
                   before={"state": collection.state},
                   after={"state": Collection.State.CANCELLED,
                          "note": message("payments.mandate_ended", state=mandate.state)})


def mandates_expire(today: date | None = None) -> int:
    """The clock's job: a mandate without a collection for 36 months expires (counted from
    its last collection, or from its signature when it was never used). One with a collection
    at the bank right now waits for its outcome. Returns how many expired."""
    today = today or timezone.localdate()
    cutoff = months_before(today, EXPIRY_MONTHS)
    due = (Mandate.objects.filter(state__in=[State.ACTIVE, State.BLOCKED])
           .annotate(last_used=Coalesce("last_collected_on", "signed_on")).filter(last_used__lte=cutoff)
           .exclude(collections__state=Collection.State.ORDERED)
           .select_related("company"))
    expired = 0
    for mandate in due:
        with transaction.atomic():
            if Mandate.objects.filter(pk=mandate.pk, state=mandate.state).update(state=State.EXPIRED):
                record("mandate.expired", mandate, company=mandate.company, via="clock",
                       before={"state": mandate.state},
                       after={"state": State.EXPIRED, "last_used": mandate.last_used.isoformat()})
                mandate.state = State.EXPIRED
                _nothing_more_under(mandate, user=None, via="clock")
                expired += 1
    return expired


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier; the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# -- what the next collection carries ----------------------------------------------------------
@dataclass(frozen=True)
class AmendmentToSend:
    """What the next collection under a mandate tells the debtor's bank (amendment indicator
    with the original values, EPC AT-24); `ids` are the amendments it sends."""

    original_reference: str  # "" when unchanged
    original_creditor_id: str
    original_iban: str  # the IBAN at the same bank; "" when unchanged or when the bank changed
    other_bank: bool  # SMNDA: the debtor moved to another bank
    ids: tuple[int, ...]


def amendment_to_send(mandate: Mandate, amendments=None) -> AmendmentToSend | None:
    """The amendments (default: all not sent yet) folded into one: per value, the original is
    the one the debtor's bank last saw (the earliest), compared with the mandate as it is now.
    None when nothing is left to tell (no amendment, or values changed and changed back)."""
    source = mandate.amendments.filter(sent_with__isnull=True) if amendments is None else amendments
    pending = list(source.order_by("pk"))
    if not pending:
        return None

    def original(name: str, current: str) -> str:
        first = next((getattr(a, name) for a in pending if getattr(a, name)), "")
        return "" if first == current else first

    reference = original("original_reference", mandate.reference)
    creditor_id = original("original_creditor_id", mandate.creditor_id)
    iban = original("original_iban", mandate.iban)
    other_bank = bool(iban) and not _same_bank(iban, mandate.iban)
    if not (reference or creditor_id or iban):
        return None
    return AmendmentToSend(reference, creditor_id, "" if other_bank else iban, other_bank,
                           tuple(a.pk for a in pending))


# -- import ----------------------------------------------------------------------------------
@dataclass
class MandateImportResult:
    created: int
    unchanged: int  # already there with the same data

    def as_dict(self) -> dict:
        return {"created": self.created, "unchanged": self.unchanged}


# A problem of a mandate's field -> the column of the file it came from.
_COLUMN_OF = {"reference": "mandate_reference", "debtor_name": "debtor_name", "iban": "debtor_iban",
              "bic": "debtor_bic", "signed_on": "signed_on", "customer": "customer_number"}


def mandate_import(company: Company, data: bytes, *, file_name: str = "", user: User | None,
                   via: str = "web") -> MandateImportResult:
    """Mandates from a CSV file (mandate_csv), all or none: MandateFileError lists every
    problem by line and column, and nothing is written then. A reference already recorded
    with the same data is skipped (counted); with other data it is a problem of its line:
    amendments go through the mandate's page."""
    require(company, user, permissions.MANAGE_MANDATES)
    creditor_id = _required_creditor_id(company)
    try:
        rows, errors = read_mandates(data), []
    except MandateFileError as invalid:
        rows, errors = invalid.rows, list(invalid.errors)
    customers = dict(Customer.objects.filter(company=company).values_list("number", "pk"))
    existing = {m.reference: m for m in Mandate.objects.filter(company=company, creditor_id=creditor_id)}
    today = timezone.localdate()
    new, unchanged, first_line = [], 0, {}
    for row in rows:
        found = _row_problems(row, customers, today)
        errors += found
        if not row.reference:
            continue
        if row.reference in first_line:
            errors.append(RowError(row.line, "mandate_reference", "reference_duplicate",
                                   f"{row.reference} is also on line {first_line[row.reference]}",
                                   {"reference": row.reference, "line": first_line[row.reference]}))
            continue
        first_line[row.reference] = row.line
        mandate = existing.get(row.reference)
        if mandate is not None:
            differ = _differences(mandate, row, customers)
            if differ:
                errors.append(RowError(row.line, "mandate_reference", "reference_changed",
                                       f"{row.reference} is already recorded with other data ({', '.join(differ)}); "
                                       "amend it on the mandate's page",
                                       {"reference": row.reference, "columns": ", ".join(differ)}))
            else:
                unchanged += 1
        elif not found:
            new.append(row)
    if errors:
        raise MandateFileError(errors, rows)
    try:
        with transaction.atomic():
            Mandate.objects.bulk_create([
                Mandate(company=company, customer_id=customers[row.customer_number], reference=row.reference,
                        creditor_id=creditor_id, signed_on=row.signed_on, scheme=row.scheme, kind=row.kind,
                        debtor_name=row.debtor_name, iban=row.iban, bic=row.bic, created_by=user)
                for row in new
            ], batch_size=500)
            result = MandateImportResult(created=len(new), unchanged=unchanged)
            record("mandates.imported", company, company=company, user=user, via=via,
                   after={"file": file_name, **result.as_dict(), "references": [row.reference for row in new]})
    except IntegrityError:
        raise StateChanged(_("Some of these mandates were recorded meanwhile; import the file again."))
    return result


def _row_problems(row: MandateRow, customers: dict, today: date) -> list[RowError]:
    """The checks of mandate_create on one row; empty values the reader reported already."""
    problems: list[Problem] = []
    if row.customer_number and row.customer_number not in customers:
        problems.append(Problem("customer", "customer_unknown", f"No customer {row.customer_number}.",
                                {"number": row.customer_number}))
    if row.reference:
        _reference(problems, "reference", row.reference)
    if row.debtor_name:
        _name(problems, "debtor_name", row.debtor_name)
    if row.iban:
        _iban(problems, "iban", row.iban)
    _bic(problems, "bic", row.bic)
    if row.signed_on is not None:
        _signed_on(problems, "signed_on", row.signed_on, today)
    return [RowError(row.line, _COLUMN_OF[p.field], p.code, p.message, p.params) for p in problems]


def _differences(mandate: Mandate, row: MandateRow, customers: dict) -> list[str]:
    """The file's columns whose values differ from the recorded mandate."""
    pairs = {"customer_number": (mandate.customer_id, customers.get(row.customer_number)),
             "debtor_name": (mandate.debtor_name, row.debtor_name), "debtor_iban": (mandate.iban, row.iban),
             "debtor_bic": (mandate.bic, row.bic), "signed_on": (mandate.signed_on, row.signed_on),
             "scheme": (mandate.scheme, row.scheme), "kind": (mandate.kind, row.kind)}
    return [column for column, (recorded, given) in pairs.items() if recorded != given]


# -- checks ----------------------------------------------------------------------------------
def _required_creditor_id(company: Company) -> str:
    creditor_id = company_creditor_id(company)
    if not creditor_id:
        raise PaymentInvalid([Problem("creditor_id", "creditor_id_not_set", (
            "The company has no SEPA creditor identifier yet; no mandate or debit can be recorded without one. "
            "An administrator enters it in the direct debit settings."))])
    return creditor_id


def _mandate_problems(problems: list[Problem], *, reference: str, debtor_name: str, iban: str, bic: str,
                      signed_on: date | None, today: date) -> tuple[str, str]:
    """Checks a mandate's own values; its IBAN and BIC in their compact form."""
    _reference(problems, "reference", reference)
    _name(problems, "debtor_name", debtor_name)
    iban = _iban(problems, "iban", iban)
    bic = _bic(problems, "bic", bic)
    if signed_on is None:
        problems.append(Problem("signed_on", "signed_on_missing", "The signature date is missing."))
    else:
        _signed_on(problems, "signed_on", signed_on, today)
    return iban, bic


def _reference(problems: list[Problem], field: str, value: str) -> None:
    why = id_problem(value)
    if why == "missing":
        problems.append(Problem(field, "reference_missing", "The mandate reference is missing."))
    elif why == "too_long":
        problems.append(Problem(field, "reference_too_long",
                                f"The mandate reference has {len(value)} characters; at most 35 are allowed.",
                                {"length": len(value), "limit": 35}))
    elif why == "charset":
        bad = " ".join(dict.fromkeys(c for c in value if c not in BASIC))
        problems.append(Problem(field, "reference_charset",
                                f"The mandate reference contains characters that cannot be sent: {bad}.",
                                {"characters": bad}))
    elif why == "slash":
        problems.append(Problem(field, "reference_slash",
                                "The mandate reference must not start or end with '/' or contain '//'."))


def _name(problems: list[Problem], field: str, value: str) -> None:
    text = to_sepa_text(value or "")
    if not text:
        problems.append(Problem(field, "name_missing", "The account holder's name is missing."))
    elif len(text) > NAME_MAX:
        problems.append(Problem(field, "name_too_long",
                                f"The name has {len(text)} characters; at most {NAME_MAX} are allowed.",
                                {"length": len(text), "limit": NAME_MAX}))
    bad = " ".join(unsendable(text))
    if bad:
        problems.append(Problem(field, "name_charset", f"The name contains characters that cannot be sent: {bad}.",
                                {"characters": bad}))


def _iban(problems: list[Problem], field: str, value: str) -> str:
    value = "".join((value or "").split()).upper()
    if not value:
        problems.append(Problem(field, "iban_missing", "The IBAN is missing."))
        return ""
    try:
        iban = IBAN(value)
    except SchwiftyException as error:
        problems.append(Problem(field, "iban_invalid", f"{value} is not a valid IBAN: {error}.",
                                {"value": value, "reason": str(error)}))
        return value
    if not iban.in_sepa_zone:
        problems.append(Problem(field, "iban_not_sepa", f"{value} is from {iban.country_code}, outside SEPA.",
                                {"value": value, "country": iban.country_code}))
    return str(iban.compact)


def _bic(problems: list[Problem], field: str, value: str) -> str:
    value = "".join((value or "").split()).upper()
    if not value:
        return ""  # optional: the bank finds it from the IBAN
    try:
        return str(BIC(value).compact)
    except SchwiftyException as error:
        problems.append(Problem(field, "bic_invalid", f"{value} is not a valid BIC: {error}.",
                                {"value": value, "reason": str(error)}))
        return value


def _signed_on(problems: list[Problem], field: str, value: date, today: date) -> None:
    if value > today:
        problems.append(Problem(field, "signed_in_future",
                                f"The mandate is signed on {value.isoformat()}, after today.",
                                {"date": value.isoformat()}))


def _creditor_id(problems: list[Problem], field: str, value: str, *, required: bool) -> str:
    """A creditor id checked with its check digits (sepa.rules); compact, upper case. Empty is
    allowed unless `required` (an account without its own uses the company's)."""
    compact = "".join((value or "").split()).upper()
    if compact or required:
        problems.extend(creditor_id_problems(value or "", field))
    return compact


def _days(problems: list[Problem], field: str, value) -> None:
    low, high = PRE_NOTIFICATION_DAYS
    if not isinstance(value, int) or not low <= value <= high:
        problems.append(Problem(field, "pre_notification_range",
                                f"The pre-notification must be between {low} and {high} days.",
                                {"low": low, "high": high}))


def _taken(company: Company, creditor_id: str, reference: str, exclude: int | None = None) -> bool:
    found = Mandate.objects.filter(company=company, creditor_id=creditor_id, reference=reference)
    return found.exclude(pk=exclude).exists() if exclude else found.exists()


def _reference_taken(reference: str) -> Problem:
    return Problem("reference", "reference_taken",
                   f"The mandate reference {reference} is already used under this creditor id.",
                   {"reference": reference})


def _same_bank(first: str, second: str) -> bool:
    """True unless the two IBANs are provably at different banks (country or bank code)."""
    try:
        a, b = IBAN(first), IBAN(second)
    except SchwiftyException:
        return False
    if a.country_code != b.country_code:
        return False
    return not (a.bank_code and b.bank_code) or a.bank_code == b.bank_code


def _snapshot(mandate: Mandate) -> dict:
    return {"reference": mandate.reference, "creditor_id": mandate.creditor_id,
            "customer": mandate.customer_id, "signed_on": mandate.signed_on.isoformat(),
            "scheme": mandate.scheme, "kind": mandate.kind, "debtor_name": mandate.debtor_name,
            "iban": mandate.iban, "bic": mandate.bic, "state": mandate.state,
            "pre_notification_days": mandate.pre_notification_days}


def _settings_dict(settings: CreditorSettings) -> dict:
    return {"creditor_id": settings.creditor_id, "pre_notification_days": settings.pre_notification_days,
            "mail_from": settings.mail_from}
