"""A large camt file is parsed in a child interpreter while the import writes
(settings.KASSENWART_CAMT_IN_CHILD_FROM, banking/formats/camt_child.py): the import is the same as when
the file is parsed in this process, and a failure of the child writes nothing."""

from __future__ import annotations

import io
import os
import resource
import signal
import sys
import threading
import time
from pathlib import Path

from offload_children import offload_children

from kassenwart.banking import importer
from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.companies.services import company_create

from camt_files import camt, entry

IN_PROCESS = 1 << 40  # bytes: a threshold no file reaches


def import_file(company, path: Path, settings, threshold: int, user=None):
    """The import of `path`, and whether a child process ran for it."""
    settings.KASSENWART_CAMT_IN_CHILD_FROM = threshold
    before = _children_cpu()
    result = statement_import(company, path, user=user, via="test")
    return result, _children_cpu() > before


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended (a child that ran adds some)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def with_warnings(tmp_path: Path) -> Path:
    """A statement whose entries carry what camt warns about, late in the file (after the
    batches of the header and the first entries)."""
    lines = [entry(f"{number}.00", text=f"Rechnung RE-{number}") for number in range(1, 3001)]
    data = camt(lines).getvalue()
    tail = data.index(b">2900.00<")  # no status and no currency from entry 2900 on
    data = data[:tail] + data[tail:].replace(b"<Sts><Cd>BOOK</Cd></Sts>", b"", 3).replace(
        b'<Amt Ccy="EUR">2950.00', b"<Amt>2950.00")
    path = tmp_path / "warned.xml"
    path.write_bytes(data)
    return path


def rows(company):
    fields = [field.name for field in Transaction._meta.concrete_fields
              if field.name not in ("id", "company", "account", "statement_import", "created_at")]
    return list(Transaction.objects.filter(company=company).order_by("id").values_list(*fields))


def test_a_large_camt_file_imports_through_the_child_as_in_this_process(company, settings, tmp_path):
    path = with_warnings(tmp_path)
    other = company_create("Zweite GmbH", via="test")
    in_child, child_ran = import_file(company, path, settings, threshold=0)
    in_process, child_ran_too = import_file(other, path, settings, threshold=IN_PROCESS)
    assert (child_ran, child_ran_too) == (True, False)
    assert (in_child.status, in_child.added, in_child.balance_ok) == ("imported", 3000, True)
    assert in_child.as_dict() | {"file": "-"} == in_process.as_dict() | {"file": "-"}
    warnings = in_child.as_dict()["warnings"]
    assert len(warnings) == 2 and "Ntry 2900" in warnings[0] and "Ntry 2950" in warnings[1]
    assert rows(company) == rows(other)
    details = StatementImport.objects.get(pk=in_child.import_id).details
    assert details == StatementImport.objects.get(pk=in_process.import_id).details


def test_small_files_and_files_in_memory_are_parsed_here(company, settings, tmp_path):
    path = with_warnings(tmp_path)
    result, child_ran = import_file(company, path, settings, threshold=path.stat().st_size + 1)
    assert (result.added, child_ran) == (3000, False)
    settings.KASSENWART_CAMT_IN_CHILD_FROM = 0
    before = _children_cpu()
    again = statement_import(company, io.BytesIO(path.read_bytes()), via="test")
    assert (again.duplicates, _children_cpu() > before) == (3000, False)


def test_without_a_child_process_to_be_had_the_file_is_parsed_here(company, settings, monkeypatch, tmp_path):
    path = with_warnings(tmp_path)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    result, _tried = import_file(company, path, settings, threshold=0)  # (the fork ran, the exec failed)
    assert (result.status, result.added, len(result.warnings)) == ("imported", 3000, 2)


def test_a_broken_large_file_is_refused_as_in_this_process_and_writes_nothing(company, settings, monkeypatch, tmp_path):
    monkeypatch.setattr(importer, "BATCH", 100)  # batches were written when the child finds the error
    good = camt([entry(f"{number}.00") for number in range(1, 3001)]).getvalue()
    path = tmp_path / "broken.xml"
    path.write_bytes(good.replace(b">2990.00<", b">2990,00x<"))
    in_child, child_ran = import_file(company, path, settings, threshold=0)
    in_process, _ = import_file(company, path, settings, threshold=IN_PROCESS)
    assert child_ran and in_child.refused
    assert in_child.message == in_process.message
    assert "line " in in_child.message and "2990,00x" in in_child.message
    assert not Transaction.objects.exists() and not BankAccount.objects.exists()


def test_a_refused_import_stops_its_child(company, settings, member, tmp_path):
    path = tmp_path / "unknown-account.xml"
    path.write_bytes(camt([entry(f"{number}.00") for number in range(1, 20001)]).getvalue())
    result, child_ran = import_file(company, path, settings, threshold=0, user=member)  # may not add the account
    assert result.refused and "DE89370400440532013000" in result.message
    assert child_ran and offload_children() == []  # killed and waited for, not left parsing


def test_a_killed_child_fails_the_import_and_writes_nothing(company, settings, monkeypatch, tmp_path):
    monkeypatch.setattr(importer, "BATCH", 100)
    path = tmp_path / "large.xml"
    path.write_bytes(camt([entry(f"{number}.00") for number in range(1, 40001)]).getvalue())
    killed: list[int] = []
    killer = threading.Thread(target=_kill_the_child, args=(killed,), daemon=True)
    killer.start()
    result, _child_ran = import_file(company, path, settings, threshold=0)
    killer.join()
    assert killed, "no child process was seen"
    assert result.refused and "killed by signal SIGKILL" in result.message
    assert "Nothing was imported; import the file again." in result.message
    assert not Transaction.objects.exists() and not BankAccount.objects.exists()
    assert list(StatementImport.objects.values_list("status", flat=True)) == [StatementImport.Status.REFUSED]


def _kill_the_child(killed: list[int], after: float = 0.3, within: float = 30.0) -> None:
    """SIGKILL this process's offload child once it has run `after` seconds (it is parsing
    then, and the import writing)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for pid in offload_children():
            time.sleep(after)
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.002)
