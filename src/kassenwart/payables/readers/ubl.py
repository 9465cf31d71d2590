"""XRechnung / EN 16931 in the UBL 2.1 syntax: an `Invoice` or a `CreditNote` document.

Reads the business terms a payment and its check need (BT numbers of EN 16931 beside each),
then runs the common checks (checks.py). A credit note's amounts stay positive; its kind says
what it is.
"""

from __future__ import annotations

from decimal import Decimal

from .bill import CREDIT_NOTE, INVOICE, BillRefused, Line, Party, ReadBill, TaxSubtotal, Totals, money, number
from .checks import Places, check
from .skonto import skonto_terms
from .xml import Walk, iso_date

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
ROOTS = {f"{{{INVOICE_NS}}}Invoice": INVOICE, f"{{{CREDIT_NOTE_NS}}}CreditNote": CREDIT_NOTE}
W = Walk({"cac": CAC, "cbc": CBC})


def read(root) -> ReadBill:
    kind = ROOTS[root.tag]
    top = "/Invoice" if kind == INVOICE else "/CreditNote"
    line_tag = "cac:InvoiceLine" if kind == INVOICE else "cac:CreditNoteLine"
    quantity_tag = "cbc:InvoicedQuantity" if kind == INVOICE else "cbc:CreditedQuantity"
    total = W.one(root, "cac:LegalMonetaryTotal")
    if total is None:
        raise BillRefused(f"{top}/cac:LegalMonetaryTotal", "BR-12", "the document totals are missing")

    def amount(node, relative, where, default=None):
        found = W.one(node, relative)
        if found is None and default is not None:
            return default
        return money(found.text if found is not None else None, f"{where}/{relative}")

    totals_at = f"{top}/cac:LegalMonetaryTotal"
    zero = Decimal("0.00")
    totals = Totals(
        lines=amount(total, "cbc:LineExtensionAmount", totals_at),
        allowances=amount(total, "cbc:AllowanceTotalAmount", totals_at, zero),
        charges=amount(total, "cbc:ChargeTotalAmount", totals_at, zero),
        net=amount(total, "cbc:TaxExclusiveAmount", totals_at),
        tax=zero,
        gross=amount(total, "cbc:TaxInclusiveAmount", totals_at),
        prepaid=amount(total, "cbc:PrepaidAmount", totals_at, zero),
        rounding=amount(total, "cbc:PayableRoundingAmount", totals_at, zero),
        payable=amount(total, "cbc:PayableAmount", totals_at),
    )
    currency = W.text(root, "cbc:DocumentCurrencyCode")
    taxes, tax_total = [], zero
    for tax_total_node in W.all(root, "cac:TaxTotal"):
        amount_node = W.one(tax_total_node, "cbc:TaxAmount")
        if amount_node is not None and amount_node.get("currencyID", currency) != currency:
            continue  # BT-111: the VAT in the accounting currency, beside the invoice's
        tax_total = amount(tax_total_node, "cbc:TaxAmount", f"{top}/cac:TaxTotal")
        for position, sub in enumerate(W.all(tax_total_node, "cac:TaxSubtotal"), start=1):
            at = f"{top}/cac:TaxTotal/cac:TaxSubtotal[{position}]"
            percent = W.text(sub, "cac:TaxCategory/cbc:Percent")
            taxes.append(TaxSubtotal(
                category=W.text(sub, "cac:TaxCategory/cbc:ID"),
                percent=number(percent, f"{at}/cac:TaxCategory/cbc:Percent") if percent else None,
                taxable=amount(sub, "cbc:TaxableAmount", at),
                tax=amount(sub, "cbc:TaxAmount", at),
            ))
    totals = Totals(**{**totals.__dict__, "tax": tax_total})
    lines = []
    for position, node in enumerate(W.all(root, line_tag), start=1):
        at = f"{top}/{line_tag}[{position}]"
        quantity = W.one(node, quantity_tag)
        percent = W.text(node, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")
        lines.append(Line(
            number=W.text(node, "cbc:ID"),
            name=W.text(node, "cac:Item/cbc:Name"),
            quantity=number(quantity.text if quantity is not None else "0", f"{at}/{quantity_tag}"),
            unit=quantity.get("unitCode", "") if quantity is not None else "",
            net_amount=amount(node, "cbc:LineExtensionAmount", at),
            tax_category=W.text(node, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
            tax_percent=number(percent, f"{at}/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent") if percent else None,
        ))
    means = W.all(root, "cac:PaymentMeans")
    iban = bic = reference = ""
    due = W.text(root, "cbc:DueDate")
    for node in means:
        iban = iban or W.text(node, "cac:PayeeFinancialAccount/cbc:ID").replace(" ", "").upper()
        bic = bic or W.text(node, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID")
        reference = reference or W.text(node, "cbc:PaymentID")
        due = due or W.text(node, "cbc:PaymentDueDate")  # where a UBL 2.1 credit note has it
    terms_text = "\n".join(W.text(node, "cbc:Note") for node in W.all(root, "cac:PaymentTerms")).strip()
    bill = ReadBill(
        syntax="ubl",
        kind=kind,
        profile=W.text(root, "cbc:CustomizationID"),
        invoice_number=W.text(root, "cbc:ID"),
        issue_date=iso_date(W.text(root, "cbc:IssueDate"), f"{top}/cbc:IssueDate"),
        due_date=iso_date(due, f"{top}/cbc:DueDate"),
        currency=currency,
        seller=_party(W.one(root, "cac:AccountingSupplierParty/cac:Party")),
        buyer=_party(W.one(root, "cac:AccountingCustomerParty/cac:Party")),
        iban=iban,
        bic=bic,
        payment_reference=reference,
        lines=tuple(lines),
        taxes=tuple(taxes),
        totals=totals,
        payable=totals.payable,
        payment_terms=terms_text,
        skonto=skonto_terms(terms_text, f"{top}/cac:PaymentTerms/cbc:Note"),
        notes=tuple(node.text.strip() for node in W.all(root, "cbc:Note") if node.text and node.text.strip()),
    )
    party = f"{top}/cac:Accounting%sParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"
    return check(bill, Places(
        number=f"{top}/cbc:ID", issue_date=f"{top}/cbc:IssueDate", currency=f"{top}/cbc:DocumentCurrencyCode",
        seller=party % "Supplier", buyer=party % "Customer", lines=f"{top}/{line_tag}",
        line_total=f"{totals_at}/cbc:LineExtensionAmount", net=f"{totals_at}/cbc:TaxExclusiveAmount",
        tax=f"{top}/cac:TaxTotal/cbc:TaxAmount", gross=f"{totals_at}/cbc:TaxInclusiveAmount",
        payable=f"{totals_at}/cbc:PayableAmount", subtotal=f"{top}/cac:TaxTotal/cac:TaxSubtotal[%(n)s]/cbc:TaxAmount",
        due=f"{top}/cbc:DueDate",
    ))


def _party(node) -> Party | None:
    if node is None:
        return None
    name = W.text(node, "cac:PartyLegalEntity/cbc:RegistrationName") or W.text(node, "cac:PartyName/cbc:Name")
    vat_id = ""
    for scheme in W.all(node, "cac:PartyTaxScheme"):
        if W.text(scheme, "cac:TaxScheme/cbc:ID") in ("VAT", ""):
            vat_id = W.text(scheme, "cbc:CompanyID")
            break
    return Party(
        name=name,
        vat_id=vat_id,
        street=W.text(node, "cac:PostalAddress/cbc:StreetName"),
        postcode=W.text(node, "cac:PostalAddress/cbc:PostalZone"),
        city=W.text(node, "cac:PostalAddress/cbc:CityName"),
        country=W.text(node, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
    )
