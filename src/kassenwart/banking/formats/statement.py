"""Plain data that every statement parser produces (no Django).

A parser turns a file into a stream: a `StatementHeader`, then that statement's `Entry`
objects, then the next header, and so on. The header is complete before its first entry
(camt puts balances before entries; MT940 files are small enough to read whole), so the
importer can resolve the account first and then write entries in batches without holding a
large statement in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from kassenwart.core.money import to_money

BOOKED = "booked"
PENDING = "pending"


# What a parser says about a file, by code: the English words for the command line, logs and
# tests. The app words the same code in the reader's language (banking/wordings.py, key
# "banking.file.<code>", the same English as msgid).
NOTES = {
    # refusals
    "empty": "the file is empty",
    "utf16": "the file is UTF-16 text; save it as UTF-8 (or Windows-1252) to import it",
    "binary": "not a statement file (binary data)",
    "not_a_statement": "not a camt, MT940 or CSV statement file",
    # warnings
    "no_reference": "line %(line)s: statement without :20: reference",
    "no_account": "line %(line)s: statement without :25: account",
    "second_account": "line %(line)s: another :25: in the statement, ignored",
    "balance_without_currency": "line %(line)s: :%(tag)s: balance without currency, read as %(currency)s "
                                "(the currency of :%(other_tag)s: in line %(other_line)s)",
    "day_after_month_end": "line %(line)s: :%(tag)s: date %(date)s does not exist, read as day %(day)s",
    "column_missing": 'line %(line)s: column "%(column)s" is not in the file',
    "row_without_amount": "line %(line)s: a row without an amount, left out",
    "running_balance_off": "line %(line)s: the running balance does not add up; no balances taken",
    # camt warnings: where (a place note), what; one line per kind, repeats counted
    "at_line": "%(element)s (line %(line)s)",
    "repeated": "%(first)s (also %(places)s)",
    "repeated_more": "%(first)s (also %(places)s and %(more)s more)",
    "camt_no_booking_date": "%(place)s: booked entry without booking date (BookgDt)",
    "camt_batch_sum": "%(place)s: the amounts of its %(count)s TxDtls are missing or do not add up to the entry "
                      "amount; kept as one entry with the details of the first",
    "camt_no_status": "%(place)s: no status (Sts), taken as booked",
    "camt_text_status": "%(place)s: plain-text Sts %(status)s in %(format)s",
    "camt_unknown_status": "%(place)s: unknown status %(status)s, taken as pending",
    "camt_balance_no_indicator": "%(place)s: balance without CdtDbtInd, taken as credit",
    "camt_net_total_no_indicator": "%(place)s: net total without CdtDbtInd, taken as credit",
    "camt_no_currency": "%(place)s: Amt without Ccy, taken as the account currency %(currency)s",
}


class Note(str):
    """A warning or a reason for refusing a file: its English words, with the code and the
    parameters beside, so that the app can word it in the reader's language. Made only when
    something is wrong, never per entry of a good file. A parameter may be a note itself (the
    place of a camt warning) or a list of notes (the places it happened again)."""

    def __new__(cls, text: str, code: str, params: dict):
        made = super().__new__(cls, text)
        made.code = code
        made.params = params
        return made

    def __getnewargs__(self):
        return str(self), self.code, self.params


def note(code: str, **params) -> Note:
    words = {name: ", ".join(value) if isinstance(value, list) else value for name, value in params.items()}
    return Note(NOTES[code] % words, code, params)


class StatementFormatError(ValueError):
    """The file cannot be read as a statement. `where` names the line or element."""

    def __init__(self, message: str, where: str = ""):
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)

    def __reduce__(self):
        # made again from message and place (its args hold the two joined): a refusal
        # found in a child interpreter (camt_child) reaches the importer as found
        return type(self), (self.message, self.where)


def exact_amount(value: Decimal | str, where: str) -> Decimal:
    """An amount as the file states it: at most two decimal places, refused (not rounded)
    when it has more, or when it is too large for the money columns."""
    try:
        return to_money(value)
    except ValueError as error:
        raise StatementFormatError(str(error), where) from error


@dataclass(frozen=True, slots=True)
class BalanceSnapshot:
    amount: Decimal  # signed: negative is a debit balance
    currency: str
    date: date | None
    kind: str  # "opening", "closing", "available", "interim"


@dataclass(slots=True)
class StatementHeader:
    format: str  # e.g. "camt.053.001.08", "mt940", "mt942", "csv:sparkasse"
    account_iban: str = ""  # normalized, upper case, no spaces
    account_number: str = ""  # when the file has no IBAN (MT940 :25: BLZ/number)
    bank_code: str = ""
    account_bic: str = ""
    account_name: str = ""
    account_owner: str = ""
    currency: str = ""
    statement_id: str = ""
    sequence: str = ""
    created_at: datetime | None = None
    period_from: date | None = None
    period_to: date | None = None
    opening: BalanceSnapshot | None = None
    closing: BalanceSnapshot | None = None
    available: BalanceSnapshot | None = None
    # Sum of the entries' amounts the file itself reports (camt TxsSummry), if any.
    reported_total: Decimal | None = None
    warnings: list[str] = field(default_factory=list)  # a Note where the parser has a code for it


@dataclass(slots=True)
class Entry:
    amount: Decimal  # signed: credit positive, debit negative; exact, never float
    currency: str
    booking_date: date | None
    value_date: date | None = None
    status: str = BOOKED  # BOOKED or PENDING
    counterparty_name: str = ""
    counterparty_iban: str = ""  # or the account number when there is no IBAN
    counterparty_bic: str = ""
    ultimate_debtor: str = ""
    ultimate_creditor: str = ""
    remittance: str = ""  # unstructured remittance, the file's lines joined with "\n"
    structured_reference: str = ""  # creditor reference, e.g. ISO 11649 "RF18..."
    end_to_end_id: str = ""
    mandate_id: str = ""
    creditor_id: str = ""
    bank_reference: str = ""  # the bank's own reference (camt AcctSvcrRef, MT940 ref)
    transaction_code: str = ""  # ISO domain/family/sub-family, "PMNT/RCDT/ESCT"
    dk_code: str = ""  # German business transaction code (GVC), "166"
    purpose_code: str = ""  # ISO purpose, "SALA"
    return_reason: str = ""  # e.g. "AC04", "MD06"
    reversal: bool = False
    # Batch booking: the entry of the statement that carries several transactions.
    batch_reference: str = ""
    batch_size: int = 1
    # Where in the file it came from, for messages ("line 12", "Ntry 3").
    source: str = ""
    # A payment provider's own id of the transaction (banking/providers): unique at the
    # provider, so it alone identifies the entry (fingerprint.py), whatever else changes.
    provider_id: str = ""


StatementItem = StatementHeader | Entry


def group(items: Iterator[StatementItem]) -> Iterator[tuple[StatementHeader, list[Entry]]]:
    """Collect a stream into (header, entries) pairs; for tests and small files."""
    header: StatementHeader | None = None
    entries: list[Entry] = []
    for item in items:
        if isinstance(item, StatementHeader):
            if header is not None:
                yield header, entries
            header, entries = item, []
        else:
            if header is None:
                raise StatementFormatError("entry before any statement header")
            entries.append(item)
    if header is not None:
        yield header, entries
