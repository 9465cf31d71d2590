"""SEPA files, pure Python (no Django): the message model, the banks' rules, the pain.001
and pain.008 builders and XSD validation.

    from kassenwart.payments.sepa import (CreditTransfer, Party, TransferMessage, new_id,
                                          pain001, schemas, SepaInvalid)

    message = TransferMessage(new_id("MSG"), now, "Nordlicht GmbH", debtor, new_id("PMT"),
                              date.today(), (CreditTransfer(new_id("E2E"), amount, creditor, "RE-1"),))
    xml = pain001.build(message)                 # SepaInvalid: .problems, each with a code
    names = schemas.check(xml, pain001.MESSAGE, xsd_dir)   # ISO always, DK GBIC_4 with xsd_dir

    debits = DirectDebitMessage(new_id("MSG"), now, "Nordlicht GmbH", creditor, "DE98ZZZ09999999999",
                                new_id("PMT"), collection_date, CORE, RECURRING,
                                (DirectDebit(new_id("E2E"), amount, debtor,
                                             MandateRelatedInfo("M-1", signed)),))
    xml = pain008.build(debits)
    names = schemas.check(xml, pain008.MESSAGE, xsd_dir)
"""

from . import pain001, pain008, schemas
from .model import (
    B2B,
    CORE,
    FINAL,
    FIRST,
    ONE_OFF,
    RECURRING,
    SCHEMES,
    SEQUENCE_TYPES,
    CreditTransfer,
    DirectDebit,
    DirectDebitMessage,
    MandateAmendment,
    MandateRelatedInfo,
    Party,
    TransferMessage,
)
from .rules import (
    Problem,
    SepaInvalid,
    check,
    creditor_id_problems,
    creditor_id_valid,
    mandate_reference_valid,
    problems,
    sendable,
)
from .text import new_id, to_sepa_text

__all__ = [
    "B2B", "CORE", "FINAL", "FIRST", "ONE_OFF", "RECURRING", "SCHEMES", "SEQUENCE_TYPES",
    "CreditTransfer", "DirectDebit", "DirectDebitMessage", "MandateAmendment", "MandateRelatedInfo", "Party",
    "Problem", "SepaInvalid", "TransferMessage", "check", "creditor_id_problems", "creditor_id_valid",
    "mandate_reference_valid", "new_id", "pain001", "pain008", "problems", "schemas", "sendable", "to_sepa_text",
]
