"""pain.001.001.09 and pain.008.001.08 messages for the tests, valid against the XSDs in
../shared/xsd: transfers from the product's builder (payments.sepa), direct debits built here
with lxml (sepaxml recompiles its XSD on every export: too slow here).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from lxml import etree

from kassenwart.banking.fints.client import BankClient
from kassenwart.core.business_days import is_business_day
from kassenwart.payments.sepa import CreditTransfer, Party, TransferMessage, pain001, schemas
from kassenwart.sandbox.scenarios import OWNER

from shared_data import SHARED, shared_missing

TAN = "123456"
XSD_DIR = SHARED / "xsd"
PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
PAIN_008 = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"
CREDITOR_ID = "DE98ZZZ09999999999"
AS_SOON_AS_POSSIBLE = date(1999, 1, 1)  # a date in the past: the sandbox executes on its today


@dataclass(frozen=True)
class Line:
    name: str
    iban: str
    amount: str
    end_to_end_id: str
    remittance: str = "Rechnung"
    bic: str = ""
    mandate_id: str = ""


def schema(name: str) -> etree.XMLSchema:
    path = XSD_DIR / f"{name}.xsd"
    if not path.exists():
        shared_missing(path)
    return etree.XMLSchema(etree.parse(str(path)))


def sub(parent, path: str, text: str | None = None, **attributes):
    """Create the elements of a slash-separated path below parent; text on the last."""
    namespace = etree.QName(parent).namespace
    node = parent
    for tag in path.split("/"):
        node = etree.SubElement(node, f"{{{namespace}}}{tag}")
    node.text = text
    node.attrib.update(attributes)
    return node


def agent(parent, path: str, bic: str) -> None:
    if bic:
        sub(parent, f"{path}/FinInstnId/BICFI", bic)
    else:
        sub(parent, f"{path}/FinInstnId/Othr/Id", "NOTPROVIDED")


def document(namespace: str, root: str, message_id: str, lines: list[Line]):
    doc = etree.Element(f"{{{namespace}}}Document", nsmap={None: namespace})
    body = sub(doc, root)
    total = sum(Decimal(line.amount) for line in lines)
    header = sub(body, "GrpHdr")
    sub(header, "MsgId", message_id)
    sub(header, "CreDtTm", datetime.now().replace(microsecond=0).isoformat())
    sub(header, "NbOfTxs", str(len(lines)))
    sub(header, "CtrlSum", f"{total:.2f}")
    sub(header, "InitgPty/Nm", OWNER)
    return doc, body, total


def payment_info(body, message_id: str, method: str, lines: list[Line], batch: bool):
    block = sub(body, "PmtInf")
    sub(block, "PmtInfId", f"{message_id}-1")
    sub(block, "PmtMtd", method)
    sub(block, "BtchBookg", "true" if batch else "false")
    sub(block, "NbOfTxs", str(len(lines)))
    sub(block, "CtrlSum", f"{sum(Decimal(line.amount) for line in lines):.2f}")
    return block


def pain_001(account, lines: list[Line], message_id: str, batch: bool = True) -> tuple[str, Decimal]:
    """The product's own pain.001 (payments.sepa) for the lines, "as soon as possible"."""
    message = TransferMessage(
        message_id=message_id, created_at=datetime.now().replace(microsecond=0), initiator=OWNER,
        debtor=Party(OWNER, account.iban, account.bic or ""), payment_info_id=f"{message_id}-1",
        requested_date=AS_SOON_AS_POSSIBLE, batch_booking=batch,
        transfers=tuple(CreditTransfer(line.end_to_end_id, Decimal(line.amount), Party(line.name, line.iban, line.bic),
                                       line.remittance) for line in lines),
    )
    xml = pain001.build(message, today=AS_SOON_AS_POSSIBLE)
    schemas.check(xml, pain001.MESSAGE, XSD_DIR)  # ISO always; DK GBIC_4 too when ../shared is here
    return xml.decode(), message.control_sum


def pain_008(account, lines: list[Line], message_id: str, collection: date, scheme: str = "CORE",
             creditor_id: str = CREDITOR_ID, validate: bool = True) -> tuple[str, Decimal]:
    """`validate=False` for the faulty messages a bank must refuse (no mandate reference)."""
    doc, body, total = document(PAIN_008, "CstmrDrctDbtInitn", message_id, lines)
    block = payment_info(body, message_id, "DD", lines, batch=True)
    sub(block, "PmtTpInf/SvcLvl/Cd", "SEPA")
    sub(block.find("{*}PmtTpInf"), "LclInstrm/Cd", scheme)
    sub(block.find("{*}PmtTpInf"), "SeqTp", "RCUR")
    sub(block, "ReqdColltnDt", collection.isoformat())
    sub(block, "Cdtr/Nm", OWNER)
    sub(block, "CdtrAcct/Id/IBAN", account.iban)
    agent(block, "CdtrAgt", account.bic)
    sub(block, "ChrgBr", "SLEV")
    creditor = sub(block, "CdtrSchmeId/Id/PrvtId/Othr")
    sub(creditor, "Id", creditor_id)
    sub(creditor, "SchmeNm/Prtry", "SEPA")
    for line in lines:
        tx = sub(block, "DrctDbtTxInf")
        sub(tx, "PmtId/EndToEndId", line.end_to_end_id)
        sub(tx, "InstdAmt", line.amount, Ccy="EUR")
        mandate = sub(tx, "DrctDbtTx/MndtRltdInf")
        sub(mandate, "MndtId", line.mandate_id)
        sub(mandate, "DtOfSgntr", "2025-01-15")
        agent(tx, "DbtrAgt", line.bic)
        sub(tx, "Dbtr/Nm", line.name)
        sub(tx, "DbtrAcct/Id/IBAN", line.iban)
        sub(tx, "RmtInf/Ustrd", line.remittance)
    if validate:
        schema("pain.008.001.08").assertValid(doc)
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8").decode(), total


def send_transfer(client, account, lines: list[Line], message_id: str, **options):
    """HKCCS for one line, HKCCM for several, as the product submits its own pain files."""
    xml, total = pain_001(account, lines, message_id, batch=not options.get("book_as_single"))
    if len(lines) == 1:
        return client.sepa_transfer(account, xml, pain_descriptor=PAIN_001)
    return client.sepa_transfer(account, xml, multiple=True, pain_descriptor=PAIN_001,
                                control_sum=options.get("control_sum", total),
                                book_as_single=options.get("book_as_single", False))


def business_day_after(day: date, n: int) -> date:
    """The n-th TARGET business day after `day` (as the sandbox counts them)."""
    while n:
        day += timedelta(days=1)
        n -= is_business_day(day)
    return day


def send_b2b(client, account, xml: str, total: Decimal | None = None):
    """B2B direct debit: HKBSE for one, HKBME (with the sum) for several.

    python-fints has no method for it: this is the product adapter's (kassenwart.banking.fints
    .client.BankClient.sepa_debit_b2b), which uses only what any python-fints client has.
    """
    return BankClient.sepa_debit_b2b(client, account, xml, multiple=total is not None, control_sum=total,
                                     pain_descriptor=PAIN_008)
