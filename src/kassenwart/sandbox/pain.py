"""Reading the pain messages a client submits: pain.001 (transfers) and pain.008 (direct
debits), any version, by local element names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class PainError(ValueError):
    pass


@dataclass(frozen=True)
class Payment:
    end_to_end_id: str
    amount: Decimal
    currency: str
    name: str  # creditor of a transfer, debtor of a direct debit
    iban: str
    bic: str
    remittance: str
    mandate_id: str = ""


@dataclass(frozen=True)
class PaymentInfo:
    """One PmtInf block: our account, the date, the payments."""

    payment_info_id: str
    account_iban: str
    account_name: str
    requested_date: date | None
    batch_booking: bool | None
    payments: tuple[Payment, ...]
    creditor_id: str = ""
    scheme: str = ""  # CORE, COR1, B2B for direct debits


@dataclass(frozen=True)
class PainMessage:
    kind: str  # "transfer" or "debit"
    message_id: str
    blocks: tuple[PaymentInfo, ...]

    @property
    def payments(self) -> list[Payment]:
        return [p for block in self.blocks for p in block.payments]

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))


def text(node, path: str) -> str:
    found = node.find(path) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as e:
        raise PainError(f"invalid date {value!r}") from e


def amount_of(node) -> tuple[Decimal, str]:
    if node is None:
        raise PainError("payment without amount")
    try:
        value = Decimal(node.text.strip())
    except (InvalidOperation, AttributeError) as e:
        raise PainError("invalid amount") from e
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise PainError(f"invalid amount {value}")
    return value, node.get("Ccy", "")


def bic_of(agent) -> str:
    return text(agent, "{*}FinInstnId/{*}BICFI") or text(agent, "{*}FinInstnId/{*}BIC")


def remittance_of(tx) -> str:
    return text(tx, "{*}RmtInf/{*}Ustrd") or text(tx, "{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref")


def transfer(tx) -> Payment:
    value, currency = amount_of(tx.find("{*}Amt/{*}InstdAmt"))
    return Payment(
        end_to_end_id=text(tx, "{*}PmtId/{*}EndToEndId"), amount=value, currency=currency,
        name=text(tx, "{*}Cdtr/{*}Nm"), iban=text(tx, "{*}CdtrAcct/{*}Id/{*}IBAN"),
        bic=bic_of(tx.find("{*}CdtrAgt")), remittance=remittance_of(tx),
    )


def debit(tx) -> Payment:
    value, currency = amount_of(tx.find("{*}InstdAmt"))
    return Payment(
        end_to_end_id=text(tx, "{*}PmtId/{*}EndToEndId"), amount=value, currency=currency,
        name=text(tx, "{*}Dbtr/{*}Nm"), iban=text(tx, "{*}DbtrAcct/{*}Id/{*}IBAN"),
        bic=bic_of(tx.find("{*}DbtrAgt")), remittance=remittance_of(tx),
        mandate_id=text(tx, "{*}DrctDbtTx/{*}MndtRltdInf/{*}MndtId"),
    )


def batch_flag(block) -> bool | None:
    flag = text(block, "{*}BtchBookg").lower()
    return {"true": True, "false": False}.get(flag)


def parse_pain(xml: bytes) -> PainMessage:
    try:
        root = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError as e:
        raise PainError(f"not XML: {e}") from e
    document = root[0] if len(root) else None
    kind = {"CstmrCdtTrfInitn": "transfer", "CstmrDrctDbtInitn": "debit"}.get(
        etree.QName(document).localname if document is not None else "")
    if kind is None:
        raise PainError("neither pain.001 nor pain.008")
    blocks = []
    for block in document.findall("{*}PmtInf"):
        if kind == "transfer":
            payments = tuple(transfer(tx) for tx in block.findall("{*}CdtTrfTxInf"))
            requested = text(block, "{*}ReqdExctnDt/{*}Dt") or text(block, "{*}ReqdExctnDt")
            party, account, scheme_id = "Dbtr", "DbtrAcct", ""
        else:
            payments = tuple(debit(tx) for tx in block.findall("{*}DrctDbtTxInf"))
            requested = text(block, "{*}ReqdColltnDt")
            party, account = "Cdtr", "CdtrAcct"
            scheme_id = text(block, "{*}CdtrSchmeId/{*}Id/{*}PrvtId/{*}Othr/{*}Id")
        if not payments:
            raise PainError("payment information without payments")
        blocks.append(PaymentInfo(
            payment_info_id=text(block, "{*}PmtInfId"),
            account_iban=text(block, f"{{*}}{account}/{{*}}Id/{{*}}IBAN"),
            account_name=text(block, f"{{*}}{party}/{{*}}Nm"),
            requested_date=iso_date(requested),
            batch_booking=batch_flag(block),
            payments=payments,
            creditor_id=scheme_id,
            scheme=text(block, "{*}PmtTpInf/{*}LclInstrm/{*}Cd"),
        ))
    if not blocks:
        raise PainError("no payment information")
    message_id = text(document, "{*}GrpHdr/{*}MsgId")
    if not message_id:
        raise PainError("no message id")
    return PainMessage(kind=kind, message_id=message_id, blocks=tuple(blocks))
