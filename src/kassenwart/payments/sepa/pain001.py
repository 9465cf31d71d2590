"""pain.001.001.09: a SEPA credit-transfer message, valid against the ISO schema and the
German DK subset (pain.001.001.09_GBIC_4: Anlage 3 of the DFÜ-Abkommen, SCT and SCTinst).

    xml = build(message)                         # bytes, UTF-8 with declaration
    schemas.check(xml, MESSAGE, xsd_dir)         # ISO always, GBIC_4 where xsd_dir has it

What the DK subset asks for beyond ISO, and how it is met here: CtrlSum in the group header
and the payment information; names at most 70 characters; InitgPty/Nm and Dbtr/Nm given;
PmtTpInf/SvcLvl/Cd SEPA (and LclInstrm/Cd INST for an instant transfer); ChrgBr SLEV; the
debtor's agent as BICFI or, without a BIC, Othr/Id NOTPROVIDED; the creditor's agent only
as BICFI, so it is left out without a BIC; ReqdExctnDt/Dt; ids in the basic character set.

The document is written as text (see xmltext.py for why and how), from the message as
`rules.sendable` returns it: every value checked and in the form it is sent in.
"""

from __future__ import annotations

from datetime import date

from . import xmltext
from .model import CreditTransfer, TransferMessage
from .rules import sendable
from .xmltext import account, agent, escape, name, remittance

MESSAGE = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{MESSAGE}"


def build(message: TransferMessage, *, today: date | None = None, dk: bool = True) -> bytes:
    """The pain.001 document for `message`; raises SepaInvalid when the rules refuse it.
    `today` (for "not in the past") defaults to the day the message was created."""
    sent = sendable(message, today=today or message.created_at.date(), dk=dk)
    head = [
        *xmltext.opening(NAMESPACE, "CstmrCdtTrfInitn", sent, "TRF"),
        "      <PmtTpInf>\n        <SvcLvl>\n          <Cd>SEPA</Cd>\n        </SvcLvl>\n",
        "        <LclInstrm>\n          <Cd>INST</Cd>\n        </LclInstrm>\n" if sent.instant else "",
        "      </PmtTpInf>\n",
        f"      <ReqdExctnDt>\n        <Dt>{sent.requested_date.isoformat()}</Dt>\n      </ReqdExctnDt>\n",
        name("Dbtr", sent.debtor.name, 3),
        account("DbtrAcct", sent.debtor.iban, 3),
        agent("DbtrAgt", sent.debtor.bic, 3, required=True),
        "      <ChrgBr>SLEV</ChrgBr>\n",
    ]
    # UTF-8 piece by piece: a file of 100,000 payments is never held as text and as bytes at once
    out = ["".join(head).encode()]
    for transfer in sent.transfers:
        out.append(_transfer(transfer).encode())
    out.append(b"    </PmtInf>\n  </CstmrCdtTrfInitn>\n</Document>\n")
    return b"".join(out)


def _transfer(transfer: CreditTransfer) -> str:
    creditor = transfer.creditor
    return (
        "      <CdtTrfTxInf>\n"
        f"        <PmtId>\n          <EndToEndId>{escape(transfer.end_to_end_id)}</EndToEndId>\n"
        "        </PmtId>\n"
        f'        <Amt>\n          <InstdAmt Ccy="{transfer.currency}">{transfer.amount:.2f}</InstdAmt>\n'
        "        </Amt>\n"
        f"{agent('CdtrAgt', creditor.bic, 4, required=False)}"
        f"        <Cdtr>\n          <Nm>{escape(creditor.name)}</Nm>\n        </Cdtr>\n"
        f"        <CdtrAcct>\n          <Id>\n            <IBAN>{creditor.iban}</IBAN>\n"
        "          </Id>\n        </CdtrAcct>\n"
        f"{remittance(transfer.remittance, 4)}"
        "      </CdtTrfTxInf>\n"
    )
