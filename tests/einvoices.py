"""E-invoices the tests make themselves: XRechnung in UBL (Invoice, CreditNote) and CII, a
Factur-X PDF (with the `factur-x` package) and GiroCode pictures (with segno). No sample file
of a third party is kept in the repository.

`Spec` says what the invoice holds; the writers produce the XML with lxml, totals computed
from the lines so that a test changes one value to break one rule.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

CENT = Decimal("0.01")
UBL_NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"


@dataclass(frozen=True)
class Spec:
    number: str = "RE-2026-0042"
    issue: date = date(2026, 12, 1)
    due: date | None = date(2026, 12, 31)
    seller: str = "Bürobedarf Müller GmbH"
    seller_vat: str = "DE123456789"
    buyer: str = "Beispiel AG"
    iban: str = "DE02120300000000202051"
    bic: str = "BYLADEM1001"
    reference: str = ""
    lines: tuple = (("Papier A4", Decimal("10"), Decimal("25.00")), ("Toner", Decimal("2"), Decimal("40.00")))
    percent: Decimal = Decimal("19")
    terms: str = "#SKONTO#TAGE=14#PROZENT=2.00#\nZahlbar innerhalb 30 Tagen netto"
    credit_note: bool = False
    prepaid: Decimal = Decimal("0.00")
    overrides: dict = field(default_factory=dict)  # total name -> value written instead

    def with_(self, **changes) -> Spec:
        return replace(self, **changes)

    @property
    def line_total(self) -> Decimal:
        return sum((quantity * price).quantize(CENT) for _name, quantity, price in self.lines)

    @property
    def tax(self) -> Decimal:
        return (self.line_total * self.percent / 100).quantize(CENT, ROUND_HALF_UP)

    def total(self, name: str) -> Decimal:
        values = {"lines": self.line_total, "net": self.line_total, "tax": self.tax,
                  "gross": self.line_total + self.tax, "prepaid": self.prepaid,
                  "payable": self.line_total + self.tax - self.prepaid}
        return Decimal(self.overrides.get(name, values[name]))


def _sub(parent, tag, text=None, ns=UBL_NS, **attributes):
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{ns[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = str(text)
    return element


def ubl(spec: Spec = Spec()) -> bytes:
    kind = "CreditNote" if spec.credit_note else "Invoice"
    root_ns = f"urn:oasis:names:specification:ubl:schema:xsd:{kind}-2"
    root = etree.Element(f"{{{root_ns}}}{kind}", nsmap={None: root_ns, **UBL_NS})
    _sub(root, "cbc:CustomizationID", XRECHNUNG)
    _sub(root, "cbc:ID", spec.number)
    _sub(root, "cbc:IssueDate", spec.issue.isoformat())
    if spec.due and not spec.credit_note:
        _sub(root, "cbc:DueDate", spec.due.isoformat())
    _sub(root, f"cbc:{kind}TypeCode", "381" if spec.credit_note else "380")
    _sub(root, "cbc:DocumentCurrencyCode", "EUR")
    _sub(root, "cbc:BuyerReference", "04011000-12345-03")
    for role, name, vat in (("Supplier", spec.seller, spec.seller_vat), ("Customer", spec.buyer, "")):
        party = _sub(_sub(root, f"cac:Accounting{role}Party"), "cac:Party")
        address = _sub(party, "cac:PostalAddress")
        _sub(address, "cbc:StreetName", "Hauptstraße 1")
        _sub(address, "cbc:CityName", "Berlin")
        _sub(address, "cbc:PostalZone", "10115")
        _sub(_sub(address, "cac:Country"), "cbc:IdentificationCode", "DE")
        if vat:
            scheme = _sub(party, "cac:PartyTaxScheme")
            _sub(scheme, "cbc:CompanyID", vat)
            _sub(_sub(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
        _sub(_sub(party, "cac:PartyLegalEntity"), "cbc:RegistrationName", name)
    means = _sub(root, "cac:PaymentMeans")
    _sub(means, "cbc:PaymentMeansCode", "58")
    if spec.due and spec.credit_note:
        _sub(means, "cbc:PaymentDueDate", spec.due.isoformat())
    if spec.reference:
        _sub(means, "cbc:PaymentID", spec.reference)
    if spec.iban:
        account = _sub(means, "cac:PayeeFinancialAccount")
        _sub(account, "cbc:ID", spec.iban)
        if spec.bic:
            _sub(_sub(account, "cac:FinancialInstitutionBranch"), "cbc:ID", spec.bic)
    if spec.terms:
        _sub(_sub(root, "cac:PaymentTerms"), "cbc:Note", spec.terms)
    tax_total = _sub(root, "cac:TaxTotal")
    _sub(tax_total, "cbc:TaxAmount", spec.total("tax"), currencyID="EUR")
    subtotal = _sub(tax_total, "cac:TaxSubtotal")
    _sub(subtotal, "cbc:TaxableAmount", spec.line_total, currencyID="EUR")
    _sub(subtotal, "cbc:TaxAmount", spec.overrides.get("subtotal_tax", spec.tax), currencyID="EUR")
    category = _sub(subtotal, "cac:TaxCategory")
    _sub(category, "cbc:ID", "S")
    _sub(category, "cbc:Percent", spec.percent)
    _sub(_sub(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    totals = _sub(root, "cac:LegalMonetaryTotal")
    for tag, name in (("LineExtensionAmount", "lines"), ("TaxExclusiveAmount", "net"),
                      ("TaxInclusiveAmount", "gross"), ("PrepaidAmount", "prepaid"), ("PayableAmount", "payable")):
        _sub(totals, f"cbc:{tag}", spec.total(name), currencyID="EUR")
    line_tag, quantity_tag = ("CreditNoteLine", "CreditedQuantity") if spec.credit_note else ("InvoiceLine",
                                                                                             "InvoicedQuantity")
    for position, (name, quantity, price) in enumerate(spec.lines, start=1):
        line = _sub(root, f"cac:{line_tag}")
        _sub(line, "cbc:ID", position)
        _sub(line, f"cbc:{quantity_tag}", quantity, unitCode="C62")
        _sub(line, "cbc:LineExtensionAmount", (quantity * price).quantize(CENT), currencyID="EUR")
        item = _sub(line, "cac:Item")
        _sub(item, "cbc:Name", name)
        tax = _sub(item, "cac:ClassifiedTaxCategory")
        _sub(tax, "cbc:ID", "S")
        _sub(tax, "cbc:Percent", spec.percent)
        _sub(_sub(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
        _sub(_sub(line, "cac:Price"), "cbc:PriceAmount", price, currencyID="EUR")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


CII_NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
          "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
          "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}


def cii(spec: Spec = Spec(), guideline: str = XRECHNUNG) -> bytes:
    def sub(parent, tag, text=None, **attributes):
        return _sub(parent, tag, text, CII_NS, **attributes)

    def day(parent, tag, value: date):
        sub(sub(parent, tag), "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")

    root = etree.Element(f"{{{CII_NS['rsm']}}}CrossIndustryInvoice", nsmap=CII_NS)
    sub(sub(sub(root, "rsm:ExchangedDocumentContext"), "ram:GuidelineSpecifiedDocumentContextParameter"),
        "ram:ID", guideline)
    document = sub(root, "rsm:ExchangedDocument")
    sub(document, "ram:ID", spec.number)
    sub(document, "ram:TypeCode", "381" if spec.credit_note else "380")
    day(document, "ram:IssueDateTime", spec.issue)
    trade = sub(root, "rsm:SupplyChainTradeTransaction")
    for position, (name, quantity, price) in enumerate(spec.lines, start=1):
        item = sub(trade, "ram:IncludedSupplyChainTradeLineItem")
        sub(sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", position)
        sub(sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", name)
        sub(sub(sub(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice"), "ram:ChargeAmount",
            price)
        sub(sub(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", quantity, unitCode="C62")
        settlement = sub(item, "ram:SpecifiedLineTradeSettlement")
        tax = sub(settlement, "ram:ApplicableTradeTax")
        sub(tax, "ram:TypeCode", "VAT")
        sub(tax, "ram:CategoryCode", "S")
        sub(tax, "ram:RateApplicablePercent", spec.percent)
        sub(sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
            (quantity * price).quantize(CENT))
    agreement = sub(trade, "ram:ApplicableHeaderTradeAgreement")
    sub(agreement, "ram:BuyerReference", "04011000-12345-03")
    for role, name, vat in (("Seller", spec.seller, spec.seller_vat), ("Buyer", spec.buyer, "")):
        party = sub(agreement, f"ram:{role}TradeParty")
        sub(party, "ram:Name", name)
        address = sub(party, "ram:PostalTradeAddress")
        sub(address, "ram:PostcodeCode", "10115")
        sub(address, "ram:LineOne", "Hauptstraße 1")
        sub(address, "ram:CityName", "Berlin")
        sub(address, "ram:CountryID", "DE")
        if vat:
            sub(sub(party, "ram:SpecifiedTaxRegistration"), "ram:ID", vat, schemeID="VA")
    sub(trade, "ram:ApplicableHeaderTradeDelivery")
    settlement = sub(trade, "ram:ApplicableHeaderTradeSettlement")
    if spec.reference:
        sub(settlement, "ram:PaymentReference", spec.reference)
    sub(settlement, "ram:InvoiceCurrencyCode", "EUR")
    means = sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    sub(means, "ram:TypeCode", "58")
    if spec.iban:
        sub(sub(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", spec.iban)
    if spec.bic:
        sub(sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", spec.bic)
    tax = sub(settlement, "ram:ApplicableTradeTax")
    sub(tax, "ram:CalculatedAmount", spec.overrides.get("subtotal_tax", spec.tax))
    sub(tax, "ram:TypeCode", "VAT")
    sub(tax, "ram:BasisAmount", spec.line_total)
    sub(tax, "ram:CategoryCode", "S")
    sub(tax, "ram:RateApplicablePercent", spec.percent)
    if spec.terms or spec.due:
        terms = sub(settlement, "ram:SpecifiedTradePaymentTerms")
        if spec.terms:
            sub(terms, "ram:Description", spec.terms)
        if spec.due:
            day(terms, "ram:DueDateDateTime", spec.due)
    summation = sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    sub(summation, "ram:LineTotalAmount", spec.total("lines"))
    sub(summation, "ram:TaxBasisTotalAmount", spec.total("net"))
    sub(summation, "ram:TaxTotalAmount", spec.total("tax"), currencyID="EUR")
    sub(summation, "ram:GrandTotalAmount", spec.total("gross"))
    sub(summation, "ram:TotalPrepaidAmount", spec.total("prepaid"))
    sub(summation, "ram:DuePayableAmount", spec.total("payable"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def blank_pdf() -> bytes:
    """A one-page PDF with nothing on it (the visible invoice a Factur-X file carries)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(out, "PDF")
    return out.getvalue()


def facturx_pdf(spec: Spec = Spec()) -> bytes:
    from facturx import generate_from_binary

    xml = cii(spec, guideline="urn:cen.eu:en16931:2017")
    return generate_from_binary(blank_pdf(), xml, flavor="factur-x", level="en16931", check_xsd=False)


def girocode_payload(name="Stadtwerke Beispiel", iban="DE02120300000000202051", bic="BYLADEM1001",
                     amount="EUR123.45", text="Rechnung 4711", reference="", version="002") -> str:
    return "\n".join(["BCD", version, "1", "SCT", bic, name, iban, amount, "", reference, text])


def girocode_picture(payload: str | None = None, kind: str = "png") -> bytes:
    import segno

    code = segno.make_qr(payload or girocode_payload(), error="m", encoding="utf-8")
    out = io.BytesIO()
    if kind == "png":
        code.save(out, kind="png", scale=6, border=4)
        return out.getvalue()
    from PIL import Image

    png = io.BytesIO()
    code.save(png, kind="png", scale=6, border=4)
    picture = Image.open(io.BytesIO(png.getvalue())).convert("RGB")
    if kind == "pdf":
        canvas = Image.new("RGB", (1240, 1754), "white")
        canvas.paste(picture, (800, 1200))
        canvas.save(out, "PDF", resolution=150)
    else:
        picture.save(out, "JPEG", quality=90)
    return out.getvalue()
