"""Writing a pain document as text, the way lxml's pretty printer lays it out.

The builders write the XML text directly instead of building an element tree: a file of
100,000 payments has over two million elements, and making each one through lxml costs
more than checking, writing and validating the whole file. The layout (declaration, two
spaces per level, one element per line) is that of `etree.tostring(..., pretty_print=True)`,
so a document written here is byte for byte the one the earlier lxml builder made.

Every value reaches the text through `escape`. The rules admit only the SEPA character set
(`text.py`), so no control character or other character XML 1.0 forbids gets this far;
& < > are escaped all the same.
"""

from __future__ import annotations

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"


def opening(namespace: str, initiation: str, sent, method: str) -> list[str]:
    """The document up to the payment-information block's own data, the same in pain.001 and
    pain.008: group header (message id, time, count, control sum, initiating party), then the
    block's id, method (TRF, DD), batch booking, count and control sum."""
    total = amount(sent.control_sum)
    return [
        DECLARATION,
        f'<Document xmlns="{namespace}">\n',
        f"  <{initiation}>\n",
        "    <GrpHdr>\n",
        f"      <MsgId>{escape(sent.message_id)}</MsgId>\n",
        f"      <CreDtTm>{sent.created_at.replace(microsecond=0).isoformat()}</CreDtTm>\n",
        f"      <NbOfTxs>{sent.count}</NbOfTxs>\n",
        f"      <CtrlSum>{total}</CtrlSum>\n",
        name("InitgPty", sent.initiator, 3),
        "    </GrpHdr>\n",
        "    <PmtInf>\n",
        f"      <PmtInfId>{escape(sent.payment_info_id)}</PmtInfId>\n",
        f"      <PmtMtd>{method}</PmtMtd>\n",
        f"      <BtchBookg>{'true' if sent.batch_booking else 'false'}</BtchBookg>\n",
        f"      <NbOfTxs>{sent.count}</NbOfTxs>\n",
        f"      <CtrlSum>{total}</CtrlSum>\n",
    ]


def escape(value: str) -> str:
    """`value` as XML character data."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def amount(value) -> str:
    """A Decimal with exactly two places, as SEPA writes amounts."""
    return f"{value:.2f}"


def agent(tag: str, bic: str, depth: int, required: bool) -> str:
    """A financial institution by BIC (BICFI); without one "NOTPROVIDED" when the element is
    required, else nothing. `bic` is already compact (rules.sendable)."""
    pad = "  " * depth
    if bic:
        return (f"{pad}<{tag}>\n{pad}  <FinInstnId>\n{pad}    <BICFI>{bic}</BICFI>\n"
                f"{pad}  </FinInstnId>\n{pad}</{tag}>\n")
    if required:
        return (f"{pad}<{tag}>\n{pad}  <FinInstnId>\n{pad}    <Othr>\n{pad}      <Id>NOTPROVIDED</Id>\n"
                f"{pad}    </Othr>\n{pad}  </FinInstnId>\n{pad}</{tag}>\n")
    return ""


def account(tag: str, iban: str, depth: int) -> str:
    pad = "  " * depth
    return f"{pad}<{tag}>\n{pad}  <Id>\n{pad}    <IBAN>{iban}</IBAN>\n{pad}  </Id>\n{pad}</{tag}>\n"


def name(tag: str, text: str, depth: int) -> str:
    pad = "  " * depth
    return f"{pad}<{tag}>\n{pad}  <Nm>{escape(text)}</Nm>\n{pad}</{tag}>\n"


def remittance(text: str, depth: int) -> str:
    """Unstructured remittance information; nothing when there is none."""
    if not text:
        return ""
    pad = "  " * depth
    return f"{pad}<RmtInf>\n{pad}  <Ustrd>{escape(text)}</Ustrd>\n{pad}</RmtInf>\n"


def sepa_scheme_id(tag: str, creditor_id: str, depth: int, name_text: str = "") -> str:
    """A creditor scheme id (CdtrSchmeId, OrgnlCdtrSchmeId): the creditor id as a private
    identification in the scheme "SEPA"; a name before it where one is given (an amended
    creditor name)."""
    pad = "  " * depth
    out = [f"{pad}<{tag}>\n"]
    if name_text:
        out.append(f"{pad}  <Nm>{escape(name_text)}</Nm>\n")
    if creditor_id:
        out.append(f"{pad}  <Id>\n{pad}    <PrvtId>\n{pad}      <Othr>\n"
                   f"{pad}        <Id>{escape(creditor_id)}</Id>\n"
                   f"{pad}        <SchmeNm>\n{pad}          <Prtry>SEPA</Prtry>\n{pad}        </SchmeNm>\n"
                   f"{pad}      </Othr>\n{pad}    </PrvtId>\n{pad}  </Id>\n")
    out.append(f"{pad}</{tag}>\n")
    return "".join(out)
