"""camt parsed in a child interpreter (camt_child): the same items, warnings and refusals as
parse_camt in this process."""

from __future__ import annotations

import io
import os

import pytest

from kassenwart.banking.formats import camt_child
from kassenwart.banking.formats.camt import parse_camt
from kassenwart.banking.formats.camt_child import parse_camt_in_child, readable_in_child
from kassenwart.banking.formats.statement import Entry, StatementFormatError, StatementHeader

from camt_files import camt, entry
from shared_data import shared_path


def outcome(items):
    """Everything a stream gives, in order, or how it refused the file; each header's
    warnings as the importer reads them: when the next header (or the end) comes."""
    seen, header, warnings = [], None, []
    try:
        for item in items:
            if isinstance(item, StatementHeader):
                if header is not None:
                    warnings.append(list(header.warnings))
                header = item
            seen.append(item)
    except StatementFormatError as error:
        return "refused", type(error.message), error.message, error.where
    if header is not None:
        warnings.append(list(header.warnings))
    return seen, warnings


def both(path):
    with open(path, "rb") as file:
        here = outcome(parse_camt(file))
    with open(path, "rb") as file:
        there = outcome(parse_camt_in_child(file))
    return here, there


def with_warnings(tmp_path, name="warned.xml"):
    """Two statements whose entries have what camt warns about (no status, an amount without
    currency) at places of their own: each statement's warnings name its own entries."""
    first = camt([entry(f"{i}.00") for i in range(1, 8)]).getvalue()
    second = camt([entry(f"{i}.50") for i in range(1, 5)], iban="DE02120300000000202051",
                  statement_id="S-2").getvalue()
    first = first.replace(b"<Sts><Cd>BOOK</Cd></Sts>", b"", 3).replace(b'<Amt Ccy="EUR">5.00', b"<Amt>5.00")
    second = second.replace(b"<Sts><Cd>BOOK</Cd></Sts>", b"", 1)
    start, end = second.index(b"<Stmt>"), second.index(b"</Stmt>") + len(b"</Stmt>")
    path = tmp_path / name
    path.write_bytes(first.replace(b"</Stmt>", b"</Stmt>" + second[start:end], 1))
    return path


@pytest.mark.parametrize("batch", [2, 1000])
def test_warnings_found_in_entries_reach_the_header_as_in_process(tmp_path, monkeypatch, batch):
    # in batches of 2 the header has left the child before its entries' warnings were found
    monkeypatch.setattr(camt_child, "BATCH", batch)
    here, there = both(with_warnings(tmp_path))
    assert there == here
    items, warnings = there
    assert [type(item) for item in items].count(StatementHeader) == 2
    assert sum(isinstance(item, Entry) for item in items) == 11
    kinds = [[kind(warning) for warning in statement] for statement in warnings]
    assert kinds == [[("repeated", "camt_no_status"), "camt_no_currency"], ["camt_no_status"]]
    assert "Ntry 1 " in warnings[0][0] and "also Ntry 2 " in warnings[0][0]  # the first place, then the repeats
    assert "Ntry 5 " in warnings[0][1] and "Ntry 1 " in warnings[1][0]


def kind(warning):
    """A warning's code (the notes that came through the child keep theirs)."""
    if warning.code == "repeated":
        return warning.code, warning.params["first"].code
    return warning.code


def test_a_refusal_in_the_child_is_raised_here_with_its_message_and_place(tmp_path):
    good = camt([entry(f"{i}.00") for i in range(1, 3000)]).getvalue()
    path = tmp_path / "broken.xml"
    path.write_bytes(good.replace(b">2990.00<", b">2990,00x<"))
    here, there = both(path)
    assert there == here
    assert there[0] == "refused" and "2990,00x" in there[2] and there[3].startswith("line ")


def test_the_files_position_is_left_where_it_was(tmp_path):
    path = with_warnings(tmp_path)
    with open(path, "rb") as file:
        file.seek(10)
        assert sum(1 for _ in parse_camt_in_child(file)) == 13
        assert file.tell() == 10


def test_only_files_on_disk_are_read_in_a_child(tmp_path):
    path = with_warnings(tmp_path)
    with open(path, "rb") as file:
        assert readable_in_child(file)
    assert not readable_in_child(io.BytesIO(path.read_bytes()))


def test_every_corpus_file_gives_the_same_through_the_child():
    folder = shared_path("bankfiles", "camt")
    files = sorted(path for path in folder.rglob("*") if path.is_file() and path.suffix != ".md")
    assert len(files) >= 90
    refused = 0
    for path in files:
        here, there = both(path)
        assert there == here, path
        refused += here[0] == "refused"
    assert 0 < refused < len(files)


@pytest.mark.parametrize("count", [0, 1])
def test_a_stream_left_early_stops_the_child(tmp_path, count):
    path = with_warnings(tmp_path)
    with open(path, "rb") as file:
        items = parse_camt_in_child(file)
        for _item in zip(range(count), items):
            pass
        items.close()
        with pytest.raises(ProcessLookupError):  # ended, and waited for
            os.kill(items.pid, 0)
        assert file.read(5) == b"<?xml"  # the file is this process's again
