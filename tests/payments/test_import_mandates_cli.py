"""`kassenwart import-mandates FILE.csv [--company C] [--json]`: all or nothing, every problem
by line and column, a non-zero exit code when a row is bad."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kassenwart.payments.mandate_csv import COLUMNS
from kassenwart.payments.mandates import creditor_settings_update
from kassenwart.payments.models import Mandate
from kassenwart.receivables.models import Customer

from browser_fixtures import kassenwart_command, run_env

GOOD = [
    "MR-1;K-100;Kunde Eins GmbH;DE89370400440532013000;COBADEFFXXX;01.03.2026;CORE;wiederkehrend",
    "MR-2;K-100;Kunde Eins GmbH;DE02120300000000202051;;2026-03-02;B2B;einmalig",
]
BAD = "MR-3;K-999;Kunde Drei;DE02120300000000202052;;2026-03-02;CORE;recurring"


def write(path, *rows: str):
    path.write_text("\n".join([";".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def ready(company):
    creditor_settings_update(company, creditor_id="DE98ZZZ09999999999", pre_notification_days=14, mail_from="",
                             user=None, via="test")
    Customer.objects.create(company=company, number="K-100", name="Kunde Eins GmbH")
    return company


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_mandates", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_and_says_how_many(ready, tmp_path):
    path = write(tmp_path / "mandate.csv", *GOOD)
    out, _ = run(str(path))
    assert out.strip() == f"{path}: 2 mandates imported, 0 already there"
    assert Mandate.objects.filter(company=ready).count() == 2
    out, _ = run(str(path), "--company", ready.name)
    assert out.strip() == f"{path}: 0 mandates imported, 2 already there"


def test_a_bad_row_names_line_and_column_and_imports_nothing(ready, tmp_path):
    path = write(tmp_path / "mandate.csv", *GOOD, BAD)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problem\\(s\\); nothing was imported"):
        call_command("import_mandates", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        f"{path}: line 4, column customer_number: No customer K-999.",
        f"{path}: line 4, column debtor_iban: DE02120300000000202052 is not a valid IBAN: Invalid checksum digits.",
    ]
    assert not Mandate.objects.exists()


def test_json_for_scripts(ready, tmp_path):
    bad = write(tmp_path / "bad.csv", *GOOD, BAD)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_mandates", str(bad), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["file"], result["status"]) == (str(bad), "refused")
    assert [(p["line"], p["column"], p["code"]) for p in result["problems"]] == [
        (4, "customer_number", "customer_unknown"), (4, "debtor_iban", "iban_invalid")]
    good = write(tmp_path / "good.csv", *GOOD)
    out, _ = run(str(good), "--json")
    assert json.loads(out) == {"file": str(good), "status": "imported", "created": 2, "unchanged": 0}


def test_without_a_creditor_id_nothing_is_imported(company, tmp_path):
    Customer.objects.create(company=company, number="K-100", name="Kunde Eins GmbH")
    out = io.StringIO()
    with pytest.raises(CommandError, match="no SEPA creditor identifier"):
        call_command("import_mandates", str(write(tmp_path / "m.csv", *GOOD)), "--json", stdout=out)
    assert json.loads(out.getvalue())["problems"][0]["code"] == "creditor_id_not_set"
    assert not Mandate.objects.exists()


def test_a_missing_file_is_an_error(ready, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "nope.csv"))


def test_the_exit_code_of_the_real_command(tmp_path):
    """The `kassenwart` command as a shell script sees it: 1 and nothing imported, then 0."""
    env = run_env(tmp_path)
    command = kassenwart_command()

    def kassenwart(*args):
        return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=180)

    assert kassenwart("init", "--company", "Nordlicht Software GmbH", "--admin", "a", "--password", "p").returncode == 0
    invoices = tmp_path / "invoices.csv"
    invoices.write_text("invoice_number,customer_number,customer_name,amount\nRE-1,K-100,Kunde Eins GmbH,49.00\n")
    assert kassenwart("import-invoices", str(invoices)).returncode == 0
    path = write(tmp_path / "mandate.csv", *GOOD, BAD)
    refused = kassenwart("import-mandates", str(path))
    assert refused.returncode == 1
    assert "no SEPA creditor identifier" in refused.stderr
    set_up = kassenwart("shell", "-c", "from kassenwart.companies.models import Company;"
                        "from kassenwart.payments.mandates import creditor_settings_update;"
                        "creditor_settings_update(Company.objects.get(), creditor_id='DE98ZZZ09999999999',"
                        " pre_notification_days=14, mail_from='', user=None, via='cli')")
    assert set_up.returncode == 0, set_up.stderr
    refused = kassenwart("import-mandates", str(path), "--json")
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["problems"][0]["line"] == 4
    write(path, *GOOD)
    done = kassenwart("import-mandates", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{path}: 2 mandates imported, 0 already there"
