"""Business transactions that only read: SEPA accounts, balance, transactions (MT940 and
camt.052), status protocol, TAN media. Long answers come in pages; the client asks for the
next page with the touchdown point (Aufsetzpunkt) the bank returned with code 3040. The
last page of transactions carries the pending ones too: MT942 in HIKAZ, a camt.052 with
PDNG entries in HICAZ. Each is answered in the version the customer asked (HKSAL 5 gets
an HISAL 5).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from fints.formals import (
    KTI1,
    KTZ1,
    Account2,
    Account3,
    Amount1,
    Balance1,
    Balance2,
    BookedCamtStatements1,
    CreditDebit2,
    ReferenceMessage,
    TANMedia4,
    TANMedia5,
    TANMediaClass3,
    TANMediaClass4,
    TANMediumStatus,
    TANUsageOption,
)
from fints.segments.accounts import HISPA1
from fints.segments.auth import HITAB4, HITAB5
from fints.segments.journal import HIPRO3, HIPRO4
from fints.segments.saldo import HISAL5, HISAL6, HISAL7
from fints.segments.statement import HICAZ1, HIKAZ5, HIKAZ6, HIKAZ7

from . import camt, mt940_writer
from .bpd import CAMT_052, STORAGE_DAYS, bank_id
from .ledger import Booking, money
from .protocol import Refused
from .tan import METHODS

TOUCHDOWN_PREFIX = "KW"
HIKAZ = {5: HIKAZ5, 6: HIKAZ6, 7: HIKAZ7}
HIPRO = {3: HIPRO3, 4: HIPRO4}


def take(items: list, touchdown: str | None, limit: int, weight=lambda item: 1):
    """One page of `items` from the touchdown point on: the page and the next point or None."""
    start = 0
    if touchdown:
        digits = touchdown.removeprefix(TOUCHDOWN_PREFIX)
        if not touchdown.startswith(TOUCHDOWN_PREFIX) or not digits.isdigit() or int(digits) > len(items):
            raise Refused("Aufsetzpunkt ungültig.", "9210")
        start = int(digits)
    end, used = start, 0
    while end < len(items) and (used == 0 or used + weight(items[end]) <= limit):
        used += weight(items[end])
        end += 1
    return items[start:end], (f"{TOUCHDOWN_PREFIX}{end}" if end < len(items) else None)


def answer_page(ctx, segment, next_touchdown: str | None) -> None:
    if next_touchdown:
        ctx.reply.answer(segment, "3040", "Es liegen weitere Informationen vor.", next_touchdown)
    else:
        ctx.reply.answer(segment, "0020", "Auftrag ausgeführt.")


def sepa_accounts(ctx, segment) -> None:
    """HKSPA: the SEPA details of the accounts it names, or of all when it names none."""
    wanted = {a.account_number for a in segment.accounts or ()}
    accounts = [
        KTZ1(is_sepa=True, iban=a.iban, bic=a.bic, account_number=a.number,
             subaccount_number=a.subaccount, bank_identifier=bank_id(ctx.settings.bank_code))
        for a in ctx.customer.accounts if not wanted or a.number in wanted
    ]
    ctx.reply.add(HISPA1(accounts=accounts), reference=segment)
    ctx.reply.answer(segment, "0020", "Auftrag ausgeführt.")


def balance(ctx, segment) -> None:
    account = ctx.account(segment.account, "HKSAL")
    now = ctx.now
    booked = ctx.ledger.balance(account.iban, now.date())
    currency = account.currency
    sign = CreditDebit2.DEBIT if booked < 0 else CreditDebit2.CREDIT
    at = now.time().replace(microsecond=0)
    version = segment.header.version
    common = dict(
        account_product=account.product[:30],
        currency=currency,
        line_of_credit=Amount1(account.credit_line, currency) if account.credit_line else None,
        available_amount=Amount1(max(booked + account.credit_line, money(0)), currency),
    )
    if version == 5:  # national account, the amount and its currency side by side
        bank_code = ctx.settings.bank_code
        answer = HISAL5(account=Account2(account.number, account.subaccount, bank_id(bank_code).country_identifier,
                                         bank_code),
                        balance_booked=Balance1(sign, abs(booked), currency, now.date(), at), **common)
    elif version == 6:  # national account with the bank's identifier
        answer = HISAL6(account=Account3(account.number, account.subaccount, bank_id(ctx.settings.bank_code)),
                        balance_booked=Balance2(sign, Amount1(abs(booked), currency), now.date(), at), **common)
    else:
        answer = HISAL7(account=KTI1(iban=account.iban, bic=account.bic),
                        balance_booked=Balance2(sign, Amount1(abs(booked), currency), now.date(), at), **common)
    ctx.reply.add(answer, reference=segment)
    ctx.reply.answer(segment, "0020", "Auftrag ausgeführt.")


def period(ctx, iban: str, segment) -> tuple[date, date]:
    today = ctx.now.date()
    earliest = max(ctx.ledger.history_start(iban), today - timedelta(days=STORAGE_DAYS))
    start = max(segment.date_start or earliest, earliest)
    end = min(segment.date_end or today, today)
    return start, end


def days_of(bookings: list[Booking]) -> list[tuple[date, list[Booking]]]:
    return [(day, list(group)) for day, group in groupby(bookings, key=lambda b: b.booking_date)]


def statement_pages(ctx, segment, operation: str):
    """The account, this page of booking days, and the next touchdown point."""
    account = ctx.account(segment.account, operation)
    start, end = period(ctx, account.iban, segment)
    days = days_of(ctx.ledger.booked(account.iban, start, end))
    page, next_touchdown = take(days, segment.touchdown_point, ctx.settings.page_size,
                                weight=lambda day: len(day[1]))
    return account, (start, end), page, next_touchdown


def pending_of(ctx, account, next_touchdown) -> list[Booking]:
    """The pending bookings, sent with the last page."""
    return ctx.ledger.pending(account.iban, ctx.now.date()) if next_touchdown is None else []


def nothing_booked(ctx, segment, pending) -> bool:
    if pending:
        return False
    ctx.reply.answer(segment, "3010", "Keine Umsätze im angegebenen Zeitraum vorhanden.")
    return True


def transactions_mt940(ctx, segment) -> None:
    account, _, page, next_touchdown = statement_pages(ctx, segment, "HKKAZ")
    pending = pending_of(ctx, account, next_touchdown)
    if not page and nothing_booked(ctx, segment, pending):
        return
    data = b""
    if page:
        opening = ctx.ledger.balance(account.iban, page[0][0] - timedelta(days=1))
        data = mt940_writer.statements(account, ctx.settings.bank_code, opening, page)
    interim = mt940_writer.interim(account, ctx.settings.bank_code, pending, ctx.now) if pending else None
    answer = HIKAZ[segment.header.version]
    ctx.reply.add(answer(statement_booked=data, statement_pending=interim), reference=segment)
    answer_page(ctx, segment, next_touchdown)


def transactions_camt(ctx, segment) -> None:
    if not ctx.settings.camt:
        raise Refused("Geschäftsvorfall wird nicht unterstützt.")
    if CAMT_052 not in segment.supported_camt_messages.expected_type:
        raise Refused("Angefordertes camt-Format wird nicht unterstützt.")
    account, (start, end), page, next_touchdown = statement_pages(ctx, segment, "HKCAZ")
    pending = pending_of(ctx, account, next_touchdown)
    if not page and nothing_booked(ctx, segment, pending):
        return
    first = page[0][0] if segment.touchdown_point else start
    last = page[-1][0] if next_touchdown else end
    opening = ctx.ledger.balance(account.iban, first - timedelta(days=1))
    bookings = [b for _, day in page for b in day]
    created = ctx.now.replace(microsecond=0)
    xml = camt.report(account, opening, bookings, first, last, created, ctx.ledger.next_reference("CAMT"))
    ctx.reply.add(HICAZ1(
        account=KTI1(iban=account.iban, bic=account.bic), camt_descriptor=CAMT_052,
        statement_booked=BookedCamtStatements1(camt_statements=[xml]),
        statement_pending=camt.pending_report(account, pending, created, ctx.ledger.next_reference("CAMT"))
        if pending else None,
    ), reference=segment)
    answer_page(ctx, segment, next_touchdown)


def status_protocol(ctx, segment) -> None:
    entries = [e for e in ctx.journal
               if (segment.date_start or date.min) <= e.at.date() <= (segment.date_end or date.max)]
    page, next_touchdown = take(entries, segment.touchdown_point, ctx.settings.page_size)
    answer = HIPRO[segment.header.version]
    for entry in page:
        ctx.reply.add(answer(
            reference_message=ReferenceMessage(entry.dialog_id, entry.message_number),
            reference=entry.segment_number, date=entry.at.date(),
            time=entry.at.time().replace(microsecond=0), responses=entry.response,
        ), reference=segment)
    answer_page(ctx, segment, next_touchdown)


def tan_media(ctx, segment) -> None:
    """HKTAB: the customer's TAN media. Each names the account it belongs to (the current
    account): python-fints misreads the list when that group is left out. Version 4 has no
    TAN method per medium."""
    wanted = segment.tan_media_class.value
    main = ctx.customer.accounts[0]
    account = Account3(account_number=main.number, subaccount_number=None,
                       bank_identifier=bank_id(ctx.settings.bank_code))
    version4 = segment.header.version == 4
    media = []
    for medium in ctx.customer.media:
        medium_class = METHODS[medium.security_function].medium_class
        if wanted not in ("A", medium_class):
            continue
        common = dict(status=TANMediumStatus.ACTIVE, card_number=medium.card_number or None, account=account,
                      tan_medium_name=medium.name, mobile_number_masked=medium.mobile_number_masked or None)
        if version4:
            media.append(TANMedia4(tan_medium_class=TANMediaClass3(medium_class), **common))
        else:
            media.append(TANMedia5(tan_medium_class=TANMediaClass4(medium_class),
                                   security_function=medium.security_function, **common))
    answer = HITAB4 if version4 else HITAB5
    ctx.reply.add(answer(tan_usage_option=TANUsageOption.ALL_ACTIVE, tan_media_list=media), reference=segment)
    ctx.reply.answer(segment, "0020", "Auftrag ausgeführt.")
