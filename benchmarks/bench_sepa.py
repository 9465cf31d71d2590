"""Benchmark: pain.001 and pain.008 with 10,000 and 100,000 payments, ours against sepaxml.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_sepa.py [--sizes 10000 100000]
        [--repeat 3] [--messages pain.001 pain.008] [--no-sepaxml] [--xsd-dir DIR]

For each message (pain.001 credit transfers, pain.008 direct debits) and size, three figures:

  ours              pain001/pain008.build (all rules, then the text) and schemas.check:
                    validated against the ISO schema and the DK GBIC_4 schema
  sepaxml           the library's SepaTransfer / SepaDD, add_payment for each payment and
                    export(validate=False): building alone
  sepaxml+validate  the same with export(validate=True): its own validation (the ISO schema
                    only, with the xmlschema package); a crash is reported, not raised

The payments are made up but unlike each other: a different name, IBAN (valid, at a dozen
German and Austrian banks), amount, remittance and end-to-end id per payment; 30 % without
a BIC, some names and remittances that need transliterating (umlauts kept, é -> e, € ->
EUR), for pain.008 signature dates over 15 years and 2 % amended mandates (sepaxml cannot
write amendments, so its input has none). Preparing the input is not timed.

Each figure runs in its own process: one warm-up with ten payments (schemas compiled, as in
a running product), one run for memory, then --repeat timed runs (at least 3); min and
median are printed, the goal beside ours. Memory is that of the build (for ours build and
validation): "heap" is the tracemalloc peak of Python objects (a separate run, slower),
"rss" the growth of the process's peak resident set (VmHWM, Linux), which also counts
libxml2's parsed tree. Goals (issue 9): built and validated in at most 0.5 s for 10,000 and
5 s for 100,000 payments, each message, and faster than sepaxml builds without validating.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from schwifty import IBAN

from kassenwart.payments.sepa import (
    CORE,
    RECURRING,
    CreditTransfer,
    DirectDebit,
    DirectDebitMessage,
    MandateAmendment,
    MandateRelatedInfo,
    Party,
    TransferMessage,
    pain001,
    pain008,
    rules,
    schemas,
)

REPO = Path(__file__).resolve().parents[1]
GOALS = {10_000: 0.5, 100_000: 5.0}  # seconds, built and validated
TODAY = date(2026, 11, 23)
CREATED = datetime(2026, 11, 23, 9, 30)
COMPANY = Party("Nordlicht Software GmbH", "DE89370400440532013000", "COBADEFFXXX")
CREDITOR_ID = "DE98ZZZ09999999999"
BANKS = [("DE", "37040044"), ("DE", "12030000"), ("DE", "50010517"), ("DE", "10070000"), ("DE", "43060967"),
         ("DE", "70150000"), ("DE", "20050550"), ("DE", "60050101"), ("AT", "12000"), ("AT", "20111"),
         ("AT", "19043"), ("AT", "32000")]
FAMILIES = "Meier Schulz Wagner Becker Hoffmann Koch Richter Klein Wolf Schröder Neumann Öztürk Müller".split()
WORDS = "Bau Optik Dental Media Logistik Textil Energie Holzbau Software Druckerei Handel Café".split()
PLACES = "Nord Süd West Ost Rhein Elbe Donau Alpen Hanse Ruhr Franken Tirol".split()
FORMS = ["GmbH", "AG", "KG", "GmbH & Co. KG", "e.K.", "OG", "UG (haftungsbeschränkt)"]
REMITTANCES = ["Rechnung RE-2026-{n:06d}", "Re.Nr. {n} vom 02.11.2026", "Invoice {n} – thank you",
               "Gutschrift {n} / Kd. {k}", "Miete 11/2026 Objekt {k}", "Beitrag 11/2026 Mitglied {n}",
               "Lieferung {n} € 19% USt.", ""]


# -- the input --------------------------------------------------------------------------------
def parties(rng: random.Random, count: int) -> list[Party]:
    out = []
    for n in range(count):
        country, bank = BANKS[n % len(BANKS)]
        iban = IBAN.generate(country, bank_code=bank, account_code=str(1_000_000 + n * 7))
        bic = str(iban.bic) if iban.bic and rng.random() < 0.7 else ""
        name = f"{rng.choice(FAMILIES)} {rng.choice(WORDS)} {rng.choice(PLACES)} {rng.choice(FORMS)}"
        out.append(Party(name, str(iban), bic))
    return out


def amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(100, 2_500_000)) / 100


def remittance(rng: random.Random, n: int) -> str:
    return rng.choice(REMITTANCES).format(n=n, k=rng.randint(1000, 99999))


def transfer_message(count: int, seed: int = 9) -> TransferMessage:
    rng = random.Random(seed)
    transfers = tuple(CreditTransfer(f"E2E-{rng.getrandbits(80):020X}", amount(rng), creditor, remittance(rng, n))
                      for n, creditor in enumerate(parties(rng, count)))
    return TransferMessage("MSG-BENCH-1", CREATED, COMPANY.name, COMPANY, "PMT-BENCH-1", TODAY, transfers)


def debit_message(count: int, seed: int = 8) -> DirectDebitMessage:
    rng = random.Random(seed)
    debits = []
    for n, debtor in enumerate(parties(rng, count)):
        signed = TODAY - timedelta(days=rng.randint(0, 15 * 365))
        amendment = None
        if rng.random() < 0.02:
            amendment = rng.choice([MandateAmendment(original_reference=f"ALT-{n:08d}"),
                                    MandateAmendment(new_debtor_bank=True)])
        mandate = MandateRelatedInfo(f"MNDT-{n:08d}", signed, amendment)
        debits.append(DirectDebit(f"E2E-{rng.getrandbits(80):020X}", amount(rng), debtor, mandate,
                                  remittance(rng, n)))
    return DirectDebitMessage("MSG-BENCH-1", CREATED, COMPANY.name, COMPANY, CREDITOR_ID, "PMT-BENCH-1",
                              TODAY + timedelta(days=4), CORE, RECURRING, tuple(debits))


def sepaxml_input(kind: str, message) -> tuple[dict, list[dict]]:
    """The same payments in sepaxml's terms (amounts in cents)."""
    if kind == "pain.001":
        config = {"name": message.debtor.name, "IBAN": message.debtor.iban, "BIC": message.debtor.bic,
                  "batch": True, "currency": "EUR"}
        payments = [{"name": t.creditor.name, "IBAN": t.creditor.iban, "amount": int(t.amount * 100),
                     "execution_date": message.requested_date, "description": t.remittance or "-",
                     "endtoend_id": t.end_to_end_id, **({"BIC": t.creditor.bic} if t.creditor.bic else {})}
                    for t in message.transfers]
        return config, payments
    config = {"name": message.creditor.name, "IBAN": message.creditor.iban, "BIC": message.creditor.bic,
              "batch": True, "creditor_id": message.creditor_id, "currency": "EUR", "instrument": message.scheme}
    payments = [{"name": d.debtor.name, "IBAN": d.debtor.iban, "amount": int(d.amount * 100),
                 "type": message.sequence_type, "collection_date": message.collection_date,
                 "mandate_id": d.mandate.reference, "mandate_date": d.mandate.signature_date,
                 "description": d.remittance or "-", "endtoend_id": d.end_to_end_id,
                 **({"BIC": d.debtor.bic} if d.debtor.bic else {})}
                for d in message.debits]
    return config, payments


# -- one figure, in a child process -----------------------------------------------------------
def _ours(kind: str, xsd_dir: Path | None):
    builder, name = (pain001, pain001.MESSAGE) if kind == "pain.001" else (pain008, pain008.MESSAGE)

    def prepare(message):
        def run():
            rules._bic_compact.cache_clear()  # each run starts cold: no BIC known from the run before
            rules._sepa_country.cache_clear()
            cpu, started = time.process_time(), time.perf_counter()
            xml = builder.build(message, today=TODAY)
            built = time.perf_counter()
            checked = schemas.check(xml, name, xsd_dir)
            return {"build": built - started, "check": time.perf_counter() - built, "bytes": len(xml),
                    "schemas": checked, "cpu": time.process_time() - cpu}
        return run
    return prepare


def _sepaxml(kind: str, validate: bool):
    from sepaxml import SepaDD, SepaTransfer

    def prepare(message):
        config, payments = sepaxml_input(kind, message)  # fresh dicts: sepaxml changes them

        def run():
            cpu, started = time.process_time(), time.perf_counter()
            if kind == "pain.001":
                sepa = SepaTransfer(dict(config), schema="pain.001.001.09", clean=True)
            else:
                sepa = SepaDD(dict(config), schema="pain.008.001.08", clean=True)
            for payment in payments:
                sepa.add_payment(payment)
            xml = sepa.export(validate=validate)
            return {"build": time.perf_counter() - started, "check": 0.0, "bytes": len(xml), "schemas": [],
                    "cpu": time.process_time() - cpu}
        return run
    return prepare


def _peak_rss_kib() -> int | None:
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # Linux: the peak resident set starts again from the current one
        return True
    except OSError:
        return False


def child(spec: dict) -> dict:
    kind, size, who, repeat = spec["kind"], spec["size"], spec["who"], spec["repeat"]
    xsd_dir = Path(spec["xsd_dir"]) if spec["xsd_dir"] else None
    make = transfer_message if kind == "pain.001" else debit_message
    prepare = _ours(kind, xsd_dir) if who == "ours" else _sepaxml(kind, validate=who == "sepaxml+validate")
    result = {"kind": kind, "size": size, "who": who, "runs": []}
    try:
        prepare(make(10))()  # warm-up: imports, schemas compiled
        message = make(size)
        gc.collect()
        rss_reset = _reset_peak_rss()
        before = _peak_rss_kib()
        first = prepare(message)()
        after = _peak_rss_kib()
        result["rss_growth"] = (after - before) * 1024 if rss_reset and before and after else None
        result["bytes"], result["schemas"] = first["bytes"], first["schemas"]
        for _ in range(repeat):
            run = prepare(message)
            gc.collect()
            result["runs"].append(run())
        if who != "sepaxml+validate":  # tracemalloc would slow its pure-Python validation for minutes
            run = prepare(message)
            gc.collect()
            tracemalloc.start()
            run()
            result["heap_peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    except Exception as error:  # noqa: BLE001 - a crash of the library is a result here
        result["error"] = f"{type(error).__name__}: {str(error)[:300]}"
    return result


def run_child(spec: dict, timeout: int) -> dict:
    command = [sys.executable, __file__, "--child", json.dumps(spec)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {**spec, "runs": [], "error": f"timed out after {timeout} s"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {**spec, "runs": [], "error": f"process ended with {done.returncode}: {tail[:300]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report -------------------------------------------------------------------------------
def _mib(value) -> str:
    return f"{value / 2**20:7.1f} MiB" if value is not None else "      n/a"


def line(result: dict, library: dict | None) -> str:
    """One figure; for ours the goal and sepaxml's building alone beside it, by the wall clock
    and by CPU time (the fairer measure on a machine that other work shares)."""
    label = f"  {result['who']:<17}"
    if result.get("error") and not result["runs"]:
        return f"{label} FAILED: {result['error']}"
    totals = [r["build"] + r["check"] for r in result["runs"]]
    best, median = min(totals), statistics.median(totals)
    cpu = statistics.median(r["cpu"] for r in result["runs"])
    text = f"{label} min {best:7.3f} s  median {median:7.3f} s  cpu {cpu:7.3f} s  (n={len(totals)})"
    if result["who"] == "ours":
        builds = [r["build"] for r in result["runs"]]
        checks = [r["check"] for r in result["runs"]]
        text += f"  build {min(builds):.3f} + validate {min(checks):.3f}"
        goal = GOALS.get(result["size"])
        if goal is not None:
            text += (f"\n  {'':<17} goal <= {goal:.1f} s: wall {'met' if median <= goal else 'NOT met'}, "
                     f"cpu {'met' if cpu <= goal else 'NOT met'}")
        if library and library["runs"]:
            wall_alone = statistics.median(r["build"] for r in library["runs"])
            cpu_alone = statistics.median(r["cpu"] for r in library["runs"])
            text += (f"; sepaxml building alone: wall {wall_alone:.3f} s, cpu {cpu_alone:.3f} s: ours is "
                     f"{'faster' if median < wall_alone else 'SLOWER'} by the wall clock, "
                     f"{'faster' if cpu < cpu_alone else 'SLOWER'} by CPU time")
    text += f"\n  {'':<17} memory: heap {_mib(result.get('heap_peak'))}, rss {_mib(result.get('rss_growth'))}"
    if result["who"] == "ours":
        text += f"; {result['bytes'] / 2**20:.1f} MiB file, validated against {' + '.join(result['schemas'])}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--messages", nargs="+", choices=["pain.001", "pain.008"], default=["pain.001", "pain.008"])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure (at least 3)")
    parser.add_argument("--no-sepaxml", action="store_true", help="only ours")
    parser.add_argument("--xsd-dir", type=Path, default=None,
                        help="where the DK GBIC_4 schemas are (default: KASSENWART_XSD_DIR, else ../shared/xsd)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per figure")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    repeat = max(3, args.repeat)
    xsd_dir = args.xsd_dir or Path(os.environ.get("KASSENWART_XSD_DIR") or REPO.parent / "shared" / "xsd")
    if not (xsd_dir / "pain.001.001.09_GBIC_4.xsd").is_file():
        print(f"note: no DK GBIC_4 schemas in {xsd_dir}; ours is validated against ISO only")
    who = ["ours"] if args.no_sepaxml else ["ours", "sepaxml", "sepaxml+validate"]
    load = f", load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs" if hasattr(os, "getloadavg") else ""
    print(f"SEPA builders, {repeat} timed runs per figure, Python {sys.version.split()[0]}{load}")
    for kind in args.messages:
        for size in args.sizes:
            print(f"\n{kind}, {size:,} payments")
            results = {w: run_child({"kind": kind, "size": size, "who": w, "repeat": repeat,
                                     "xsd_dir": str(xsd_dir)}, args.timeout) for w in who}
            for w in who:
                print(line(results[w], results.get("sepaxml")), flush=True)


if __name__ == "__main__":
    main()
