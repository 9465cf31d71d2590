"""pain.008.001.08: a SEPA direct-debit message (CORE or B2B), valid against the ISO schema
and the German DK subset (pain.008.001.08_GBIC_4: Anlage 3 of the DFÜ-Abkommen, SDD).

    xml = build(message)                         # bytes, UTF-8 with declaration
    schemas.check(xml, MESSAGE, xsd_dir)         # ISO always, GBIC_4 where xsd_dir has it

One payment-information block per message: one creditor account, scheme, sequence type and
collection date (banks refuse mixed batches; the DK schema says "sortenrein").

What the DK subset asks for beyond ISO, and how it is met here: CtrlSum and NbOfTxs in the
group header and the payment information; names at most 70 characters; PmtTpInf at the
payment information with SvcLvl/Cd SEPA, LclInstrm/Cd CORE or B2B and SeqTp; ChrgBr SLEV;
the creditor id once, in PmtInf/CdtrSchmeId (Id/PrvtId/Othr with SchmeNm/Prtry SEPA); both
agents as BICFI or, without a BIC, Othr/Id NOTPROVIDED; every debit with MndtId and
DtOfSgntr. An amended mandate carries AmdmntInd true and AmdmntInfDtls with the original
values: OrgnlMndtId for a new reference, OrgnlCdtrSchmeId for a new creditor id or name,
OrgnlDbtrAcct/Id/IBAN for a new account at the same bank, and for a move to another bank
OrgnlDbtrAcct/Id/Othr/Id "SMNDA" (same mandate, new debtor account). OrgnlDbtrAgt is not
written: GBIC_4 says it is not to be used with SMNDA (the DK file format before 2016,
pain.008.003.02, put SMNDA there; pain.008.001.08 does not).

The document is written as text (see xmltext.py for why and how), from the message as
`rules.sendable` returns it: every value checked and in the form it is sent in.
"""

from __future__ import annotations

from datetime import date

from . import xmltext
from .model import DirectDebit, DirectDebitMessage, MandateAmendment
from .rules import sendable
from .xmltext import account, agent, escape, name, remittance, sepa_scheme_id

MESSAGE = "pain.008.001.08"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{MESSAGE}"
SAME_MANDATE_NEW_DEBTOR_ACCOUNT = "SMNDA"


def build(message: DirectDebitMessage, *, today: date | None = None, dk: bool = True) -> bytes:
    """The pain.008 document for `message`; raises SepaInvalid when the rules refuse it.
    `today` (for "not in the past", "not signed in the future") defaults to the day the
    message was created."""
    sent = sendable(message, today=today or message.created_at.date(), dk=dk)
    head = [
        *xmltext.opening(NAMESPACE, "CstmrDrctDbtInitn", sent, "DD"),
        "      <PmtTpInf>\n        <SvcLvl>\n          <Cd>SEPA</Cd>\n        </SvcLvl>\n",
        f"        <LclInstrm>\n          <Cd>{sent.scheme}</Cd>\n        </LclInstrm>\n",
        f"        <SeqTp>{sent.sequence_type}</SeqTp>\n",
        "      </PmtTpInf>\n",
        f"      <ReqdColltnDt>{sent.collection_date.isoformat()}</ReqdColltnDt>\n",
        name("Cdtr", sent.creditor.name, 3),
        account("CdtrAcct", sent.creditor.iban, 3),
        agent("CdtrAgt", sent.creditor.bic, 3, required=True),
        "      <ChrgBr>SLEV</ChrgBr>\n",
        sepa_scheme_id("CdtrSchmeId", sent.creditor_id, 3),
    ]
    # UTF-8 piece by piece: a file of 100,000 payments is never held as text and as bytes at once
    out = ["".join(head).encode()]
    for debit in sent.debits:
        out.append(_debit(debit).encode())
    out.append(b"    </PmtInf>\n  </CstmrDrctDbtInitn>\n</Document>\n")
    return b"".join(out)


def _debit(debit: DirectDebit) -> str:
    mandate = debit.mandate
    debtor = debit.debtor
    return (
        "      <DrctDbtTxInf>\n"
        f"        <PmtId>\n          <EndToEndId>{escape(debit.end_to_end_id)}</EndToEndId>\n        </PmtId>\n"
        f'        <InstdAmt Ccy="{debit.currency}">{debit.amount:.2f}</InstdAmt>\n'
        "        <DrctDbtTx>\n"
        "          <MndtRltdInf>\n"
        f"            <MndtId>{escape(mandate.reference)}</MndtId>\n"
        f"            <DtOfSgntr>{mandate.signature_date.isoformat()}</DtOfSgntr>\n"
        f"{_amendment(mandate.amendment) if mandate.amendment else ''}"
        "          </MndtRltdInf>\n"
        "        </DrctDbtTx>\n"
        f"{agent('DbtrAgt', debtor.bic, 4, required=True)}"
        f"        <Dbtr>\n          <Nm>{escape(debtor.name)}</Nm>\n        </Dbtr>\n"
        f"        <DbtrAcct>\n          <Id>\n            <IBAN>{debtor.iban}</IBAN>\n"
        "          </Id>\n        </DbtrAcct>\n"
        f"{remittance(debit.remittance, 4)}"
        "      </DrctDbtTxInf>\n"
    )


def _amendment(amendment: MandateAmendment) -> str:
    pad = "  " * 7
    out = ["            <AmdmntInd>true</AmdmntInd>\n", "            <AmdmntInfDtls>\n"]
    if amendment.original_reference:
        out.append(f"{pad}<OrgnlMndtId>{escape(amendment.original_reference)}</OrgnlMndtId>\n")
    if amendment.original_creditor_id or amendment.original_creditor_name:
        out.append(sepa_scheme_id("OrgnlCdtrSchmeId", amendment.original_creditor_id, 7,
                                  amendment.original_creditor_name))
    if amendment.new_debtor_bank:
        out.append(f"{pad}<OrgnlDbtrAcct>\n{pad}  <Id>\n{pad}    <Othr>\n"
                   f"{pad}      <Id>{SAME_MANDATE_NEW_DEBTOR_ACCOUNT}</Id>\n"
                   f"{pad}    </Othr>\n{pad}  </Id>\n{pad}</OrgnlDbtrAcct>\n")
    elif amendment.original_debtor_iban:
        out.append(account("OrgnlDbtrAcct", amendment.original_debtor_iban, 7))
    out.append("            </AmdmntInfDtls>\n")
    return "".join(out)
