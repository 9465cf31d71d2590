"""XRechnung / EN 16931 in the UN/CEFACT CII syntax (`rsm:CrossIndustryInvoice`), which is
also the XML inside a ZUGFeRD 2.x / Factur-X PDF. Type code 381 (and 396, 261, 262) is a
credit note; its amounts stay positive.
"""

from __future__ import annotations

from decimal import Decimal

from .bill import CREDIT_NOTE, INVOICE, BillRefused, Line, Party, ReadBill, TaxSubtotal, Totals, money, number
from .checks import Places, check
from .skonto import skonto_terms
from .xml import Walk, cii_date

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
ROOT = f"{{{RSM}}}CrossIndustryInvoice"
CREDIT_CODES = {"381", "396", "261", "262"}
W = Walk({"rsm": RSM, "ram": RAM, "udt": UDT})
TOP = "/rsm:CrossIndustryInvoice"
TRADE = f"{TOP}/rsm:SupplyChainTradeTransaction"
SETTLEMENT = f"{TRADE}/ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def read(root, syntax: str = "cii") -> ReadBill:
    trade = W.one(root, "rsm:SupplyChainTradeTransaction")
    settlement = W.one(trade, "ram:ApplicableHeaderTradeSettlement")
    summation = W.one(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if summation is None:
        raise BillRefused(SUMMATION, "BR-12", "the document totals are missing")
    currency = W.text(settlement, "ram:InvoiceCurrencyCode")
    zero = Decimal("0.00")

    def amount(node, relative, where, default=None):
        found = W.one(node, relative)
        if found is None and default is not None:
            return default
        return money(found.text if found is not None else None, f"{where}/{relative}")

    tax = zero
    for node in W.all(summation, "ram:TaxTotalAmount"):
        if node.get("currencyID", currency) == currency:  # not BT-111, the VAT in accounting currency
            tax = money(node.text, f"{SUMMATION}/ram:TaxTotalAmount")
    totals = Totals(
        lines=amount(summation, "ram:LineTotalAmount", SUMMATION),
        allowances=amount(summation, "ram:AllowanceTotalAmount", SUMMATION, zero),
        charges=amount(summation, "ram:ChargeTotalAmount", SUMMATION, zero),
        net=amount(summation, "ram:TaxBasisTotalAmount", SUMMATION),
        tax=tax,
        gross=amount(summation, "ram:GrandTotalAmount", SUMMATION),
        prepaid=amount(summation, "ram:TotalPrepaidAmount", SUMMATION, zero),
        rounding=amount(summation, "ram:RoundingAmount", SUMMATION, zero),
        payable=amount(summation, "ram:DuePayableAmount", SUMMATION),
    )
    taxes = []
    for position, node in enumerate(W.all(settlement, "ram:ApplicableTradeTax"), start=1):
        at = f"{SETTLEMENT}/ram:ApplicableTradeTax[{position}]"
        percent = W.text(node, "ram:RateApplicablePercent")
        taxes.append(TaxSubtotal(
            category=W.text(node, "ram:CategoryCode"),
            percent=number(percent, f"{at}/ram:RateApplicablePercent") if percent else None,
            taxable=amount(node, "ram:BasisAmount", at),
            tax=amount(node, "ram:CalculatedAmount", at),
        ))
    lines = []
    for position, node in enumerate(W.all(trade, "ram:IncludedSupplyChainTradeLineItem"), start=1):
        at = f"{TRADE}/ram:IncludedSupplyChainTradeLineItem[{position}]"
        quantity = W.one(node, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
        line_tax = "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
        percent = W.text(node, f"{line_tax}/ram:RateApplicablePercent")
        lines.append(Line(
            number=W.text(node, "ram:AssociatedDocumentLineDocument/ram:LineID"),
            name=W.text(node, "ram:SpecifiedTradeProduct/ram:Name"),
            quantity=number(quantity.text if quantity is not None else "0",
                            f"{at}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
            unit=quantity.get("unitCode", "") if quantity is not None else "",
            net_amount=amount(node, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation"
                                    "/ram:LineTotalAmount", at),
            tax_category=W.text(node, f"{line_tax}/ram:CategoryCode"),
            tax_percent=number(percent, f"{at}/{line_tax}/ram:RateApplicablePercent") if percent else None,
        ))
    iban = bic = ""
    for node in W.all(settlement, "ram:SpecifiedTradeSettlementPaymentMeans"):
        iban = iban or W.text(node, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID").replace(" ", "").upper()
        bic = bic or W.text(node, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID")
    terms = W.all(settlement, "ram:SpecifiedTradePaymentTerms")
    terms_text = "\n".join(W.text(node, "ram:Description") for node in terms).strip()
    due = ""
    for node in terms:
        due = due or W.text(node, "ram:DueDateDateTime/udt:DateTimeString")
    agreement = W.one(trade, "ram:ApplicableHeaderTradeAgreement")
    type_code = W.text(root, "rsm:ExchangedDocument/ram:TypeCode")
    bill = ReadBill(
        syntax=syntax,
        kind=CREDIT_NOTE if type_code in CREDIT_CODES else INVOICE,
        profile=W.text(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        invoice_number=W.text(root, "rsm:ExchangedDocument/ram:ID"),
        issue_date=cii_date(W.text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
                            f"{TOP}/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
        due_date=cii_date(due, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
        currency=currency,
        seller=_party(W.one(agreement, "ram:SellerTradeParty")),
        buyer=_party(W.one(agreement, "ram:BuyerTradeParty")),
        iban=iban,
        bic=bic,
        payment_reference=W.text(settlement, "ram:PaymentReference"),
        lines=tuple(lines),
        taxes=tuple(taxes),
        totals=totals,
        payable=totals.payable,
        payment_terms=terms_text,
        skonto=skonto_terms(terms_text, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:Description"),
        notes=tuple(W.text(node, "ram:Content") for node in W.all(root, "rsm:ExchangedDocument/ram:IncludedNote")),
    )
    agreement_at = f"{TRADE}/ram:ApplicableHeaderTradeAgreement"
    return check(bill, Places(
        number=f"{TOP}/rsm:ExchangedDocument/ram:ID",
        issue_date=f"{TOP}/rsm:ExchangedDocument/ram:IssueDateTime", currency=f"{SETTLEMENT}/ram:InvoiceCurrencyCode",
        seller=f"{agreement_at}/ram:SellerTradeParty/ram:Name", buyer=f"{agreement_at}/ram:BuyerTradeParty/ram:Name",
        lines=f"{TRADE}/ram:IncludedSupplyChainTradeLineItem", line_total=f"{SUMMATION}/ram:LineTotalAmount",
        net=f"{SUMMATION}/ram:TaxBasisTotalAmount", tax=f"{SUMMATION}/ram:TaxTotalAmount",
        gross=f"{SUMMATION}/ram:GrandTotalAmount", payable=f"{SUMMATION}/ram:DuePayableAmount",
        subtotal=f"{SETTLEMENT}/ram:ApplicableTradeTax[%(n)s]/ram:CalculatedAmount",
        due=f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime",
    ))


def _party(node) -> Party | None:
    if node is None:
        return None
    vat_id = ""
    for registration in W.all(node, "ram:SpecifiedTaxRegistration/ram:ID"):
        if registration.get("schemeID") == "VA":
            vat_id = (registration.text or "").strip()
    return Party(
        name=W.text(node, "ram:Name"),
        vat_id=vat_id,
        street=W.text(node, "ram:PostalTradeAddress/ram:LineOne"),
        postcode=W.text(node, "ram:PostalTradeAddress/ram:PostcodeCode"),
        city=W.text(node, "ram:PostalTradeAddress/ram:CityName"),
        country=W.text(node, "ram:PostalTradeAddress/ram:CountryID"),
    )
