"""SEPA files, pure Python (no Django): the message model, the banks' rules, the pain.001
builder and XSD validation.

    from kassenwart.payments.sepa import (CreditTransfer, Party, TransferMessage, new_id,
                                          pain001, schemas, SepaInvalid)

    message = TransferMessage(new_id("MSG"), now, "Nordlicht GmbH", debtor, new_id("PMT"),
                              date.today(), (CreditTransfer(new_id("E2E"), amount, creditor, "RE-1"),))
    xml = pain001.build(message)                 # SepaInvalid: .problems, each with a code
    for name in pain001.SCHEMAS:
        validated = schemas.validate(xml, name, xsd_dir)   # False: no schema to check with
"""

from . import pain001, schemas
from .model import CreditTransfer, Party, TransferMessage
from .rules import Problem, SepaInvalid, check, problems
from .text import new_id, to_sepa_text

__all__ = ["CreditTransfer", "Party", "Problem", "SepaInvalid", "TransferMessage", "check",
           "new_id", "pain001", "problems", "schemas", "to_sepa_text"]
