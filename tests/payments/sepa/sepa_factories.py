"""Valid SEPA messages to start from; tests change one thing and see what the rules say.
Also the Hypothesis strategies the property tests draw messages from."""

import string
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from hypothesis import strategies as st

from kassenwart.payments.sepa import (
    CORE,
    RECURRING,
    CreditTransfer,
    DirectDebit,
    DirectDebitMessage,
    MandateRelatedInfo,
    Party,
    TransferMessage,
)

TODAY = date(2026, 11, 23)
DEBTOR = Party("Nordlicht Software GmbH", "DE89370400440532013000", "COBADEFFXXX")
CREDITORS = (
    Party("Stahlhandel Nord GmbH", "DE02120300000000202051", "BYLADEM1001"),
    Party("Kärntner Holzbau GmbH", "AT611904300234573201", "BKAUATWW"),
    Party("Uhrenmanufaktur Gerber AG", "CH9300762011623852957", "UBSWCHZH80A"),
    Party("Boulangerie Éclair SARL", "FR1420041010050500013M02606", ""),
    Party("Van der Berg B.V.", "NL91ABNA0417164300", "ABNANL2A"),
)


def transfer(n: int = 1, **changes) -> CreditTransfer:
    base = CreditTransfer(f"E2E-{n}", Decimal("100.00") * n, CREDITORS[(n - 1) % len(CREDITORS)], f"Rechnung RE-{n}")
    return replace(base, **changes)


def message(transfers=None, **changes) -> TransferMessage:
    base = TransferMessage(
        message_id="MSG-1", created_at=datetime(2026, 11, 23, 9, 30, 0), initiator=DEBTOR.name,
        debtor=DEBTOR, payment_info_id="PMT-1", requested_date=TODAY,
        transfers=tuple(transfers) if transfers is not None else (transfer(1),),
    )
    return replace(base, **changes)


def with_transfer(index: int, count: int = 3, **changes) -> TransferMessage:
    """A message of `count` transfers, transfer `index` (0-based) changed."""
    transfers = [transfer(n + 1) for n in range(count)]
    transfers[index] = replace(transfers[index], **changes)
    return message(transfers)


# -- direct debits --------------------------------------------------------------------------
CREDITOR = DEBTOR  # the company collects into the account it pays from
# The Bundesbank's example creditor id, and two more with check digits by ISO 7064 mod 97-10.
CREDITOR_ID = "DE98ZZZ09999999999"
OTHER_CREDITOR_IDS = ("DE79ZZZ01234567890", "AT92ZZZ00000012345")
DEBTORS = (
    Party("Gärtnerei Ölmühle", "DE02120300000000202051", "BYLADEM1001"),
    Party("Anna Berger", "AT611904300234573201", ""),
    Party("Café Lumière & Co", "FR1420041010050500013M02606", "BNPAFRPP"),
)
# Another account at the bank of two of the DEBTORS above (same bank code), for amendments.
SAME_BANK = {
    "DE02120300000000202051": "DE64120300000000202099",
    "AT611904300234573201": "AT491904300234573999",
}
SIGNED = date(2024, 3, 1)


def debit(n: int = 1, **changes) -> DirectDebit:
    base = DirectDebit(f"E2E-{n}", Decimal("10.00") * n, DEBTORS[(n - 1) % len(DEBTORS)],
                       MandateRelatedInfo(f"MNDT-{n}", SIGNED), f"Beitrag 11/2026 Nr. {n}")
    return replace(base, **changes)


def debit_message(debits=None, **changes) -> DirectDebitMessage:
    base = DirectDebitMessage(
        message_id="MSG-1", created_at=datetime(2026, 11, 23, 9, 30, 0), initiator=CREDITOR.name,
        creditor=CREDITOR, creditor_id=CREDITOR_ID, payment_info_id="PMT-1", collection_date=date(2026, 11, 27),
        scheme=CORE, sequence_type=RECURRING, debits=tuple(debits) if debits is not None else (debit(1),),
    )
    return replace(base, **changes)


def with_debit(index: int, count: int = 3, **changes) -> DirectDebitMessage:
    """A message of `count` debits, debit `index` (0-based) changed."""
    debits = [debit(n + 1) for n in range(count)]
    debits[index] = replace(debits[index], **changes)
    return debit_message(debits)


def amended(n: int = 1, **amendment) -> DirectDebit:
    """Debit `n` under a mandate amended as given (MandateAmendment fields)."""
    from kassenwart.payments.sepa import MandateAmendment

    base = debit(n)
    return replace(base, mandate=replace(base.mandate, amendment=MandateAmendment(**amendment)))


# -- Hypothesis strategies ------------------------------------------------------------------
IBANS = ("DE02120300000000202051", "AT611904300234573201", "CH9300762011623852957",
         "FR1420041010050500013M02606", "NL91ABNA0417164300", "ES9121000418450200051332",
         "IT60X0542811101000000123456", "BE68539007547034", "GB33BUKB20201555555555")
BICS = ("", "BYLADEM1001", "BKAUATWW", "UBSWCHZH80A", "ABNANL2A", "DEUTDEFF500")
# Characters a CRM sends; each becomes at most four when transliterated ("@" -> "(at)").
LATIN = (string.ascii_letters + string.digits + " /-?:().,'+&ÄÖÜäöüßéèêáàâçñøØæÆœŒåÅłŁšŠžŽčČğĞıİ"
         "–—“”„‘’«»…€\t\n!@#_;\"ð")
LETTERS = string.ascii_letters + "ÄÖÜäöüÉøÆß"


def sepa_text(first: str, most: int):
    """Text that ends up between 1 and 1 + 4 * `most` characters long."""
    return st.builds(lambda a, b: a + b, st.sampled_from(first), st.text(LATIN, max_size=most))


ids = st.from_regex(r"[A-Za-z0-9?:().,'+ -]{1,35}", fullmatch=True)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)
