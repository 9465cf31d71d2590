"""pain.001.001.09: a SEPA credit-transfer message, valid against the ISO schema and the
German DK subset (pain.001.001.09_GBIC_4: Anlage 3 of the DFÜ-Abkommen, SCT and SCTinst).

    xml = build(message)                         # bytes, UTF-8 with declaration
    for name in SCHEMAS: schemas.validate(xml, name, xsd_dir)

What the DK subset asks for beyond ISO, and how it is met here: CtrlSum in the group header
and the payment information; names at most 70 characters; InitgPty/Nm and Dbtr/Nm given;
PmtTpInf/SvcLvl/Cd SEPA (and LclInstrm/Cd INST for an instant transfer); ChrgBr SLEV; the
debtor's agent as BICFI or, without a BIC, Othr/Id NOTPROVIDED; the creditor's agent only
as BICFI, so it is left out without a BIC; ReqdExctnDt/Dt; ids in the basic character set.
"""

from __future__ import annotations

from datetime import date

from lxml import etree
from schwifty import BIC, IBAN

from .model import CreditTransfer, Party, TransferMessage
from .rules import check
from .text import to_sepa_text

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
SCHEMAS = ("pain.001.001.09", "pain.001.001.09_GBIC_4")


def build(message: TransferMessage, *, today: date | None = None, dk: bool = True) -> bytes:
    """The pain.001 document for `message`; raises SepaInvalid when the rules refuse it.
    `today` (for "not in the past") defaults to the day the message was created."""
    check(message, today=today or message.created_at.date(), dk=dk)
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _add(root, "CstmrCdtTrfInitn")

    header = _add(initiation, "GrpHdr")
    _add(header, "MsgId", message.message_id)
    _add(header, "CreDtTm", message.created_at.replace(microsecond=0).isoformat())
    _add(header, "NbOfTxs", str(message.count))
    _add(header, "CtrlSum", _amount(message.control_sum))
    _add(header, "InitgPty/Nm", to_sepa_text(message.initiator, dk))

    block = _add(initiation, "PmtInf")
    _add(block, "PmtInfId", message.payment_info_id)
    _add(block, "PmtMtd", "TRF")
    _add(block, "BtchBookg", "true" if message.batch_booking else "false")
    _add(block, "NbOfTxs", str(message.count))
    _add(block, "CtrlSum", _amount(message.control_sum))
    payment_type = _add(block, "PmtTpInf")
    _add(payment_type, "SvcLvl/Cd", "SEPA")
    if message.instant:
        _add(payment_type, "LclInstrm/Cd", "INST")
    _add(block, "ReqdExctnDt/Dt", message.requested_date.isoformat())
    _party(block, "Dbtr", message.debtor, dk)
    _agent(block, "DbtrAgt", message.debtor.bic, required=True)
    _add(block, "ChrgBr", "SLEV")
    for transfer in message.transfers:
        _transfer(block, transfer, dk)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _transfer(block, transfer: CreditTransfer, dk: bool) -> None:
    node = _add(block, "CdtTrfTxInf")
    _add(node, "PmtId/EndToEndId", transfer.end_to_end_id)
    _add(node, "Amt/InstdAmt", _amount(transfer.amount)).set("Ccy", transfer.currency)
    _agent(node, "CdtrAgt", transfer.creditor.bic, required=False)
    _party(node, "Cdtr", transfer.creditor, dk)
    remittance = to_sepa_text(transfer.remittance, dk)
    if remittance:
        _add(node, "RmtInf/Ustrd", remittance)


def _party(parent, role: str, party: Party, dk: bool) -> None:
    """Name, then the account: Dbtr + DbtrAcct or Cdtr + CdtrAcct."""
    _add(parent, f"{role}/Nm", to_sepa_text(party.name, dk))
    _add(parent, f"{role}Acct/Id/IBAN", IBAN(party.iban).compact)


def _agent(parent, tag: str, bic: str | None, required: bool) -> None:
    if (bic or "").strip():
        _add(parent, f"{tag}/FinInstnId/BICFI", BIC(bic).compact)
    elif required:
        _add(parent, f"{tag}/FinInstnId/Othr/Id", "NOTPROVIDED")


def _amount(value) -> str:
    return f"{value:.2f}"


def _add(parent, path: str, text: str | None = None):
    """Append the elements of a slash-separated path to `parent`; `text` goes on the last."""
    node = parent
    for tag in path.split("/"):
        node = etree.SubElement(node, f"{{{NAMESPACE}}}{tag}")
    node.text = text
    return node
