"""Segments python-fints has no class for: parameter segments the bank must announce (in
every version it offers), and the B2B direct debits (HKBSE, HKBME) with their answers.

python-fints only reads the header (type and version) of parameter segments from the BPD;
the fields follow FinTS 3.0 "Messages -- Multibankfähige Geschäftsvorfälle". Defining them
here registers them with the library's parser as well, so a client in the same process
can send HKBSE/HKBME with these classes.
"""

from fints.fields import DataElementField, DataElementGroupField
from fints.formals import (
    KTI1,
    DataElementGroup,
    ScheduledBatchDebitParameter2,
    ScheduledDebitParameter2,
)
from fints.segments.base import FinTS3Segment, ParameterSegment, ParameterSegment_22
from fints.segments.debit import BatchDebitBase, DebitResponseBase


class StatementPeriodParameter1(DataElementGroup):
    """Parameter Kontoumsätze/Zeitraum"""

    storage_days = DataElementField(type="num", max_length=4, _d="Speicherzeitraum")
    entry_count_allowed = DataElementField(type="jn", _d="Eingabe Anzahl Einträge erlaubt")
    all_accounts_allowed = DataElementField(type="jn", _d="Alle Konten erlaubt")


class HIKAZS5(ParameterSegment_22):
    """Kontoumsätze/Zeitraum Parameter, version 5 (no security class yet, like all version 5)"""

    parameter = DataElementGroupField(type=StatementPeriodParameter1, _d="Parameter Kontoumsätze/Zeitraum")


class HIKAZS6(ParameterSegment):
    """Kontoumsätze/Zeitraum Parameter, version 6"""

    parameter = DataElementGroupField(type=StatementPeriodParameter1, _d="Parameter Kontoumsätze/Zeitraum")


class HIKAZS7(ParameterSegment):
    """Kontoumsätze/Zeitraum Parameter, version 7"""

    parameter = DataElementGroupField(type=StatementPeriodParameter1, _d="Parameter Kontoumsätze/Zeitraum")


class HISALS5(ParameterSegment_22):
    """Saldenabfrage Parameter, version 5 (no security class yet)"""


class HISALS6(ParameterSegment):
    """Saldenabfrage Parameter, version 6"""


class HISALS7(ParameterSegment):
    """Saldenabfrage Parameter, version 7"""


class HICCSS1(ParameterSegment):
    """SEPA-Einzelüberweisung Parameter, version 1"""


class HIIPZS1(ParameterSegment):
    """SEPA-Instant-Einzelüberweisung Parameter, version 1"""


class HITABS4(ParameterSegment):
    """TAN-Medien anzeigen Parameter, version 4"""


class HITABS5(ParameterSegment):
    """TAN-Medien anzeigen Parameter, version 5"""


class HIWPDS6(ParameterSegment):
    """Depotaufstellung Parameter, version 6"""


class HKBSE1(FinTS3Segment):
    """Terminierte SEPA-Firmeneinzellastschrift (B2B) einreichen, version 1"""

    account = DataElementGroupField(type=KTI1, _d="Kontoverbindung international")
    sepa_descriptor = DataElementField(type="an", max_length=256, _d="SEPA Descriptor")
    sepa_pain_message = DataElementField(type="bin", _d="SEPA pain message")


class HIBSE1(DebitResponseBase):
    """Einreichung terminierter SEPA-Firmeneinzellastschrift bestätigen, version 1"""


class HIBSES1(ParameterSegment):
    """Terminierte SEPA-Firmeneinzellastschrift einreichen Parameter, version 1"""

    parameter = DataElementGroupField(type=ScheduledDebitParameter2, _d="Parameter")


class HKBME1(BatchDebitBase):
    """Terminierte SEPA-Firmensammellastschrift (B2B) einreichen, version 1"""


class HIBME1(DebitResponseBase):
    """Einreichung terminierter SEPA-Firmensammellastschrift bestätigen, version 1"""


class HIBMES1(ParameterSegment):
    """Terminierte SEPA-Firmensammellastschrift einreichen Parameter, version 1"""

    parameter = DataElementGroupField(type=ScheduledBatchDebitParameter2, _d="Parameter")

