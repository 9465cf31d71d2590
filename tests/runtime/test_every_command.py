"""Every `kassenwart` command, run as a person would on a machine where `kassenwart init` has not
run yet, and with a wrong argument: a non-zero exit with one clear line, never a traceback.

The commands are discovered (every management command of a Kassenwart app, including any
added later), each runs in a process of its own (`python -m kassenwart ...`) with an empty
data directory of its own, and the processes run side by side.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

# These run until stopped; on an empty data directory they would set it up and serve. Only
# their wrong arguments are tried (and `worker --batch`, which stops when the queue is empty).
RUN_UNTIL_STOPPED = {"serve", "worker", "demo", "sandbox_bank", "sandbox_provider"}
# Django's commands a person running Kassenwart would use.
DJANGO_COMMANDS = ["migrate", "check", "createsuperuser", "changepassword"]
FILE = "{file}"  # stands for an existing file in the run's own folder
# Commands that need no database say something else of the file they are given (a CSV file).
SAYS_BEFORE_INIT = {"restore": "not a Kassenwart backup"}
TIMEOUT = 180  # seconds; generous for a loaded machine


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    succeeds: bool = False
    says: str = ""  # words the one line must contain (when it fails)

    @property
    def id(self) -> str:
        return " ".join(self.args) or "(no arguments)"


def ours() -> list[str]:
    return sorted(name for name, app in get_commands().items() if str(app).startswith("kassenwart"))


def arguments_for(name: str) -> list[str]:
    """What the command's parser requires, filled in: its positional arguments (an existing
    file, or 1 where a number is asked) and required options."""
    command = load_command_class(get_commands()[name], name)
    values = []
    for action in command.create_parser("kassenwart", name)._actions:
        if not action.required or isinstance(action, argparse._HelpAction):
            continue
        value = (str(action.choices[0]) if action.choices else "1" if action.type in (int, float)
                 else "2026-07-01" if action.metavar == "YYYY-MM-DD" else FILE)
        values += [action.option_strings[0], value] if action.option_strings else [value]
    return values


def cases() -> list[Case]:
    dashed = {name: name.replace("_", "-") for name in [*ours(), *DJANGO_COMMANDS]}
    found = [
        Case((), succeeds=True),
        Case(("--help",), succeeds=True),
        Case(("help", "import-statement"), succeeds=True),
        Case(("import-statement", "--help"), succeeds=True),
        Case(("help",), succeeds=True),
        Case(("django-help",), succeeds=True),
        Case(("no-such-command",), says="kassenwart help"),
        Case(("imprt-statement",), says="Did you mean import-statement?"),
        Case(("help", "export-booking"), says="Did you mean export-bookings?"),
        Case(("--no-such-option",), says="kassenwart help"),
        Case(("worker", "--batch"), says="kassenwart init"),
        Case(("check",), succeeds=True),
        Case(("migrate",), succeeds=True),
        Case(("createsuperuser", "--noinput", "--username", "anna"), says="kassenwart init"),
        Case(("changepassword", "anna"), says="kassenwart init"),
        Case(("clearsessions",), says="kassenwart init"),  # meets the missing table: explained too
    ]
    for name in ours():
        if name not in RUN_UNTIL_STOPPED:
            before_init = name == "init"
            found.append(Case((dashed[name], *arguments_for(name)), succeeds=before_init,
                              says="" if before_init else SAYS_BEFORE_INIT.get(name, "kassenwart init")))
    for name in [*ours(), *DJANGO_COMMANDS]:
        found.append(Case((dashed[name], "--no-such-option"), says=f"kassenwart help {dashed[name]}"))
    return found


def run(case: Case, folder: Path) -> subprocess.CompletedProcess | str:
    folder.mkdir()
    (folder / "input.csv").write_text("invoice_number,amount\n")
    env = {**os.environ, "KASSENWART_DATA_DIR": str(folder / "data")}
    env.pop("DATABASE_URL", None)  # an empty data directory: its own SQLite database
    env.pop("KASSENWART_LANGUAGE", None)
    args = [str(folder / "input.csv") if arg == FILE else arg for arg in case.args]
    try:
        return subprocess.run([sys.executable, "-m", "kassenwart", *args], cwd=folder, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"still running after {TIMEOUT} s (if it runs until stopped, add it to RUN_UNTIL_STOPPED)"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, subprocess.CompletedProcess | str]:
    every = cases()
    base = tmp_path_factory.mktemp("commands")
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        done = pool.map(lambda numbered: run(numbered[1], base / str(numbered[0])), enumerate(every))
        return {case.id: outcome for case, outcome in zip(every, done, strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("case", cases(), ids=lambda case: case.id)
def test_no_command_ends_in_a_traceback(case, outcomes):
    outcome = outcomes[case.id]
    assert not isinstance(outcome, str), outcome
    everything = outcome.stdout + outcome.stderr
    assert "Traceback" not in everything, everything
    if case.succeeds:
        assert outcome.returncode == 0, everything
        return
    lines = outcome.stderr.splitlines()
    assert outcome.returncode != 0, everything
    assert len(lines) == 1 and not outcome.stdout, everything  # one clear line, nothing else
    assert case.says in lines[0], lines[0]
    assert lines[0].startswith("kassenwart"), lines[0]


def test_a_database_older_than_the_code_is_to_be_upgraded_with_init(tmp_path):
    env = {**os.environ, "KASSENWART_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("KASSENWART_LANGUAGE", None)

    def kassenwart(*args):
        return subprocess.run([sys.executable, "-m", "kassenwart", *args], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=TIMEOUT)

    assert kassenwart("init", "--company", "Nordlicht Software GmbH").returncode == 0
    with sqlite3.connect(tmp_path / "kassenwart.sqlite3") as database:  # as if the code were newer
        database.execute("DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)")
    older = kassenwart("reconcile")
    assert older.returncode == 1 and not older.stdout
    assert older.stderr == (f"kassenwart reconcile: the database {tmp_path / 'kassenwart.sqlite3'} is from an older "
                            "version of Kassenwart; upgrade it with: kassenwart init\n")


def test_every_command_is_tried():
    tried = {case.args[0].replace("-", "_") for case in cases() if case.args}
    assert set(ours()) <= tried
    assert {"import_statement", "init", "reconcile", "serve"} <= set(ours())


def test_the_overview_lists_the_kassenwart_commands_with_dashes_one_line_each(outcomes):
    overview = outcomes["--help"].stdout
    assert outcomes["(no arguments)"].stdout == overview == outcomes["help"].stdout
    listed = [line.split()[0] for line in overview.splitlines() if line.startswith("  ")]
    assert sorted(listed) == sorted(name.replace("_", "-") for name in ours())  # each once
    for line in overview.splitlines():
        if line.startswith("  "):  # a one-line summary each, not cut short
            assert len(line.split(None, 1)) == 2 and not line.endswith("…") and len(line) <= 100, line
    groups = [line for line in overview.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert groups[:2] == ["Run:", "Set up and look after:"] and "Other:" not in groups
    assert "import_statement" not in overview and "createcachetable" not in overview
    assert "kassenwart django-help" in overview.splitlines()[-1]  # Django's: one line at the end
    assert len(overview.splitlines()) < 35


def test_django_help_lists_djangos_commands_and_an_unknown_command_exits_with_2(outcomes):
    django_help = outcomes["django-help"].stdout
    assert "  migrate" in django_help and "  createsuperuser" in django_help
    assert "import-statement" not in django_help
    for case in ("no-such-command", "imprt-statement", "help export-booking", "--no-such-option"):
        assert outcomes[case].returncode == 2, case
    assert outcomes["import-statement --no-such-option"].returncode == 2


def test_help_for_one_command_names_it_with_dashes(outcomes):
    text = outcomes["help import-statement"].stdout
    assert outcomes["import-statement --help"].stdout == text
    assert text.startswith("usage: kassenwart import-statement")
    assert "--create-account IBAN" in text
    assert "--pythonpath" not in text  # Django's own options work but are not shown
