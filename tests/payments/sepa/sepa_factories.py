"""Valid SEPA messages to start from; tests change one thing and see what the rules say."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from kassenwart.payments.sepa import CreditTransfer, Party, TransferMessage

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
