"""Parameter segments the bank must announce but python-fints has no class for.

python-fints only reads their header (type and version) from the BPD; the fields follow
FinTS 3.0 "Messages -- Multibankfähige Geschäftsvorfälle". Defining them here registers
them with the library's parser as well.
"""

from fints.fields import DataElementField, DataElementGroupField
from fints.formals import DataElementGroup
from fints.segments.base import ParameterSegment


class StatementPeriodParameter1(DataElementGroup):
    """Parameter Kontoumsätze/Zeitraum"""

    storage_days = DataElementField(type="num", max_length=4, _d="Speicherzeitraum")
    entry_count_allowed = DataElementField(type="jn", _d="Eingabe Anzahl Einträge erlaubt")
    all_accounts_allowed = DataElementField(type="jn", _d="Alle Konten erlaubt")


class HIKAZS7(ParameterSegment):
    """Kontoumsätze/Zeitraum Parameter, version 7"""

    parameter = DataElementGroupField(type=StatementPeriodParameter1, _d="Parameter Kontoumsätze/Zeitraum")


class HISALS7(ParameterSegment):
    """Saldenabfrage Parameter, version 7"""


class HICCSS1(ParameterSegment):
    """SEPA-Einzelüberweisung Parameter, version 1"""
