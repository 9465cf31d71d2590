"""`kassenwart import-bill [--json] FILE...`: a line (or JSON object) per file, duplicates not
imported twice, refusals with path and rule, and a non-zero exit when a file was refused."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kassenwart.payables.models import Bill

from einvoices import Spec, cii, girocode_picture, ubl


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("import_bill", *[str(a) for a in args], stdout=out)
    return out.getvalue().splitlines()


def test_json_gives_one_object_per_file_with_the_issues_fields(company, tmp_path):
    (tmp_path / "re.xml").write_bytes(ubl())
    (tmp_path / "again.xml").write_bytes(cii())
    (tmp_path / "code.png").write_bytes(girocode_picture())
    lines = [json.loads(line) for line in run("--json", tmp_path / "re.xml", tmp_path / "again.xml",
                                             tmp_path / "code.png")]
    first, again, code = lines
    assert {key: first[key] for key in ("status", "supplier", "iban", "bic", "amount", "currency", "invoice_number",
                                        "due_date", "skonto_date", "skonto_amount", "flags")} == {
        "status": "imported", "supplier": "Bürobedarf Müller GmbH", "iban": "DE02120300000000202051",
        "bic": "BYLADEM1001", "amount": "392.70", "currency": "EUR", "invoice_number": "RE-2026-0042",
        "due_date": "2026-12-31", "skonto_date": "2026-12-15", "skonto_amount": "384.85", "flags": []}
    assert first["file"] == str(tmp_path / "re.xml")
    assert again["status"] == "duplicate" and "RE-2026-0042" in again["message"]
    assert (code["status"], code["invoice_number"], code["amount"]) == ("imported", "Rechnung 4711", "123.45")
    assert Bill.objects.filter(company=company).count() == 2


def test_a_refused_file_says_why_and_the_exit_is_not_zero(company, tmp_path):
    (tmp_path / "bad.xml").write_bytes(ubl(Spec(overrides={"lines": "1.00"})))
    (tmp_path / "good.xml").write_bytes(ubl(Spec(number="RE-9")))
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 of 3 files refused"):
        call_command("import_bill", "--json", str(tmp_path / "bad.xml"), str(tmp_path / "missing.xml"),
                     str(tmp_path / "good.xml"), stdout=out)
    bad, missing, good = [json.loads(line) for line in out.getvalue().splitlines()]
    assert bad["status"] == "refused" and "BR-CO-10" in bad["message"]
    assert "/Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount" in bad["message"]
    assert missing["status"] == "refused" and "no such file" in missing["message"]
    assert good["status"] == "imported"


def test_text_lines_name_the_skonto(company, tmp_path):
    (tmp_path / "re.xml").write_bytes(ubl())
    assert run(tmp_path / "re.xml") == [
        f"{tmp_path / 're.xml'}: imported: Bürobedarf Müller GmbH, RE-2026-0042, 392.70 EUR, due 2026-12-31, "
        "384.85 with Skonto by 2026-12-15"]


def test_the_real_command_exits_non_zero_on_a_refused_file(tmp_path):
    env = {**os.environ, "KASSENWART_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)  # its own SQLite database in an empty data directory
    (tmp_path / "bad.xml").write_bytes(b"<not-an-invoice/>")
    (tmp_path / "good.xml").write_bytes(ubl())

    def kassenwart(*args):
        return subprocess.run([sys.executable, "-m", "kassenwart", *args], env=env, capture_output=True, text=True,
                              timeout=180, stdin=subprocess.DEVNULL)

    assert kassenwart("init", "--company", "Nordlicht Software GmbH").returncode == 0
    done = kassenwart("import-bill", str(tmp_path / "bad.xml"), str(tmp_path / "good.xml"))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "not-an-e-invoice" in done.stdout and "imported: Bürobedarf Müller GmbH" in done.stdout
    assert "1 of 2 files refused" in done.stderr
