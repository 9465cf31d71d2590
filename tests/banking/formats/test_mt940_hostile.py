"""MT940 files made to hurt: a :61: that once made the import backtrack for seconds, amounts
the books cannot hold, and unreadable lines whose text must not reach the log (issue 12)."""

import logging

import mt940
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kassenwart.banking.formats.mt940 import _Statement, parse_mt940
from kassenwart.banking.formats.statement import StatementFormatError, group

CANARY = "KANARIENVOGEL-4711"


def mt940_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def hostile(digits: int) -> bytes:
    """A :61: of thousands of digits after a valid date and mark, then two short lines: the
    library's long-reference pattern tries every division of the digits against the lines
    (8 KB took 11-18 s, and twice the size four times as long)."""
    return mt940_file(":20:HOSTILE", ":25:DE89370400440532013000", ":60F:C261201EUR100,00",
                      ":61:261201C1" + "1" * digits, "AB", "CD", ":62F:C261201EUR100,00")


@pytest.mark.parametrize("digits", [8_000, 100_000])
def test_the_hostile_statement_line_is_refused_with_its_line(digits):
    """The speed is the benchmark's to show (benchmarks/bench_hostile.py): about 3 ms for 8 KB,
    and linear in the size."""
    with pytest.raises(StatementFormatError) as refused:
        list(parse_mt940(hostile(digits)))
    assert refused.value.where == "line 4"
    assert refused.value.message.startswith(":61: not a statement line")


def test_a_statement_line_amount_too_large_for_the_books_is_refused_with_its_line():
    data = mt940_file(":20:X", ":25:DE89370400440532013000", ":60F:C261201EUR0,00",
                      ":61:2612011201C99999999999999,NTRFNONREF", ":62F:C261201EUR0,00")
    with pytest.raises(StatementFormatError) as refused:
        list(parse_mt940(data))
    assert refused.value.where == "line 4"
    assert "too large for an amount" in refused.value.message


# Characters a :61: is made of, and some it is not, to meet every branch of the pattern.
_STATEMENT_LINE_TEXT = st.text(alphabet="0123456789,CDRN /\nAZx ", max_size=70)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["2612011201C", "261201D", "261201RC", "2612011201CE\n", "261201  C"]), _STATEMENT_LINE_TEXT)
def test_the_statement_line_reads_as_the_library_patterns_read_it(start, rest):
    """The linear :61: patterns give what the library's SWIFT pattern, else its GLS pattern,
    gives: the same fields of any value, or no match for both."""
    value = start + rest
    library = mt940.tags.Statement().re.match(value) or mt940.tags.StatementGLS().re.match(value)
    ours = next((found for pattern in _Statement.patterns if (found := pattern.match(value))), None)
    assert (ours and ours.groupdict()) == (library and library.groupdict())


def test_an_unreadable_line_does_not_reach_the_log(caplog):
    """The library logs a value it cannot read in full at ERROR, and every value it reads
    at DEBUG: names and remittance texts would be in the server's log, also when an
    operator sets the library's loggers to DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name in ("mt940", "mt940.tags", "mt940.tags.TransactionDetails", "mt940.tags.Statement"):
        caplog.set_level(logging.DEBUG, logger=name)
    readable = mt940_file(":20:X", ":25:DE89370400440532013000", ":28C:/1" + CANARY,
                          ":60F:C261201EUR0,00", ":61:2612011201C1,00NTRFNONREF",
                          f":86:166?00GUTSCHRIFT?20SVWZ+{CANARY}?32{CANARY} GmbH", ":62F:C261201EUR1,00")
    [(header, [entry])] = list(group(parse_mt940(readable)))
    assert CANARY in entry.remittance and header.warnings  # the :28C: could not be read
    with pytest.raises(StatementFormatError):
        list(parse_mt940(mt940_file(":20:X", ":25:DE89370400440532013000", ":60F:C261201EUR0,00",
                                    f":61:2612011201C1,00NTRF{CANARY}//", "AB", "CD")))
    assert CANARY not in caplog.text
