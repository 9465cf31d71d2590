"""Benchmark: the reconciliation engine on 25k, 50k and 100k open invoices, timed and scored.

    benchmarks/bench_match.py [--sizes 25000 50000 100000] [--runs 3] [--quick] [--no-memory]
                              [--schemes SCHEME ...] [--categories]

Data (workload.py): for N open invoices a statement of 0.75 N lines (100k invoices: 75k
lines) with the cases and shares of the labelled reconbench sample, invoices numbered in
four schemes at once, seeded: the same data on every run and machine.

Each size runs in its own process. There the baseline and the engine take turns on the same
input, --runs rounds (wall clock; CPU seconds of the engine too, which a shared machine
disturbs less). The engine's automatic matches are scored against the generator's truth
like ../shared/reconbench/score.py does: precision = automatic matches that are right /
all automatic matches, recall = payable lines matched right automatically / all payable
lines. A digest of all decisions (every status, allocation, confidence, reason and
suggestion) is printed per size: a change meant only to make the engine faster must keep
it. Unless --no-memory, one more engine run under tracemalloc gives its peak memory
(Python allocations only; that run is slower and not timed).

Baseline: the exact-reference matcher (workload.exact_reference_matches): every word of the
remittance looked up among the open invoice numbers, a match when the named invoices' open
amounts add up exactly, as pretix's bank transfer plugin matches. It is the strongest
simple matcher there is to compare with (no other engine runs on this data); its time is
about what reading every line once costs, its precision and recall what the engine adds.

Goals: the engine matches 100k invoices against 75k lines in under 10 s (median), growing
linearly (the same time per line at every size); precision 1.0 (no wrong automatic match).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (beside this file)
import workload  # noqa: E402

GOAL_SECONDS, GOAL_INVOICES, GOAL_LINES = 10.0, 100_000, 75_000


def measure(size: int, runs: int, schemes: list[str], memory: bool, categories: bool) -> dict:
    from kassenwart.reconciliation.engine import reconcile

    work = workload.build(size, schemes=workload.scheme_weights(schemes))
    invoices, transactions = work.engine_invoices(), work.engine_transactions()
    numbers = {inv.id: inv.number for inv in invoices}
    truth = work.truth
    engine, cpu, baseline = harness.Figure(), harness.Figure(), harness.Figure()
    outcomes = []
    for _ in range(runs):
        started = time.perf_counter()
        found = workload.exact_reference_matches(invoices, transactions)
        baseline.add(time.perf_counter() - started)
        started, cpu_started = time.perf_counter(), time.process_time()
        decisions = reconcile(invoices, transactions)
        engine.add(time.perf_counter() - started)
        cpu.add(time.process_time() - cpu_started)
        outcomes.append(workload.engine_outcome(decisions, numbers))
    fingerprint = hashlib.sha256(repr(decisions).encode()).hexdigest()[:16]
    ours = workload.score(truth, *outcomes[0])
    theirs = workload.score(truth, {ref: {numbers[i] for i in ids} for ref, ids in found.items()})
    result = {
        "invoices": len(invoices), "lines": len(transactions),
        "engine": engine.values, "cpu": cpu.values, "baseline": baseline.values,
        "same_every_run": all(o == outcomes[0] for o in outcomes), "fingerprint": fingerprint,
        "score": _summary(ours), "baseline_score": _summary(theirs),
        "categories": ours.table() if categories else "",
    }
    if memory:
        tracemalloc.start()
        reconcile(invoices, transactions)
        result["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result


def _summary(s: workload.Score) -> dict:
    return {"precision": s.precision, "recall": s.recall, "auto": s.auto, "wrong": s.wrong_auto,
            "noise_auto": s.noise_auto, "matchable": s.matchable, "hit3": s.hit3 / s.left if s.left else 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000], help="open invoices")
    parser.add_argument("--runs", type=harness.runs_argument, default=3, help="rounds per size (at least 3)")
    parser.add_argument("--quick", action="store_true", help="small sizes (2,000 and 10,000) for a smoke run")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--schemes", nargs="+", default=list(workload.DEFAULT_SCHEMES), metavar="SCHEME",
                        help=f"invoice number schemes to mix, of {list(workload.SCHEMES)}")
    parser.add_argument("--categories", action="store_true", help="print the score per category of case")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workload.scheme_weights(args.schemes)  # refuse unknown ones before starting
    if args.child:
        return harness.report(measure(args.child, args.runs, args.schemes, not args.no_memory, args.categories))

    sizes = [2_000, 10_000] if args.quick else args.sizes
    harness.preamble(
        "bench_match: the reconciliation engine, pure Python, no database",
        "exact-reference matcher (pretix style: invoice number as written + exact open amount)",
        [(f"engine < {GOAL_SECONDS:.0f} s for {GOAL_INVOICES:,} invoices / {GOAL_LINES:,} lines (median), "
          f"linear growth: the same time per line at every size "
          f"(budget {GOAL_SECONDS / GOAL_LINES * 1e6:.0f} us/line)"),
         "precision 1.0: no wrong automatic match"],
        args.runs,
    )
    print(f"data: workload.build(N), schemes {', '.join(args.schemes)}")
    passed = [f"--runs={args.runs}", "--schemes", *args.schemes]
    passed += ["--no-memory"] if args.no_memory else []
    passed += ["--categories"] if args.categories else []
    rows = []
    for size in sizes:
        rows.append(harness.child(__file__, ["--child", str(size), *passed]))
        _print_row(rows[-1], header=len(rows) == 1)
    print()
    _print_quality(rows)
    if args.categories:
        for r in rows:
            print(f"\nper category at {r['invoices']:,} invoices (engine):\n{r['categories']}")
    print()
    _print_goals(rows)
    harness.closing()


def _print_row(r: dict, header: bool) -> None:
    if header:
        print(f"\n{'invoices':>9} {'lines':>7}  {'engine s min / med':>18}  {'cpu s med':>9}  {'us/line':>7}  "
              f"{'cpu us/line':>11}  "
              f"{'baseline s min / med':>20}  {'engine / baseline':>28}  {'peak MB':>7}")
    engine, base, cpu = harness.Figure(r["engine"]), harness.Figure(r["baseline"]), harness.Figure(r["cpu"])
    peak = f"{r['peak_mb']:7.0f}" if "peak_mb" in r else f"{'-':>7}"
    print(f"{r['invoices']:>9,} {r['lines']:>7,}  {engine.show():>18}  {cpu.median:>9.2f}  "
          f"{engine.median / r['lines'] * 1e6:>7.0f}  {cpu.median / r['lines'] * 1e6:>11.0f}  {base.show():>20}  {harness.ratio(engine, base):>28}  {peak}",
          flush=True)


def _print_quality(rows: list[dict]) -> None:
    print(f"{'invoices':>9}  {'':8} {'precision':>9} {'recall':>7} {'auto':>7} {'wrong':>6} {'of them noise':>13} "
          f"{'hit@3 of the rest':>17}")
    for r in rows:
        for label, s in (("engine", r["score"]), ("baseline", r["baseline_score"])):
            hit3 = f"{s['hit3']:.3f}" if label == "engine" else "-"  # the baseline suggests nothing
            print(f"{r['invoices']:>9,}  {label:8} {s['precision']:>9.4f} {s['recall']:>7.4f} {s['auto']:>7,} "
                  f"{s['wrong']:>6} {s['noise_auto']:>13} {hit3:>17}")
        if not r["same_every_run"]:
            print(f"{'':>9}  the engine did not decide the same way in every run")
    print("decisions (a digest of everything the engine answered; a change that only makes it faster "
          "keeps it): " + ", ".join(f"{r['invoices']:,} invoices {r['fingerprint']}" for r in rows))


def _print_goals(rows: list[dict]) -> None:
    largest = rows[-1]
    engine = harness.Figure(largest["engine"])
    budget = GOAL_SECONDS * largest["lines"] / GOAL_LINES
    scale = "" if largest["lines"] == GOAL_LINES else f" (the 10 s goal scaled to {largest['lines']:,} lines)"
    print(f"goal time: engine median {engine.median:.2f} s at {largest['invoices']:,} invoices / "
          f"{largest['lines']:,} lines, goal < {budget:.2f} s{scale}: {harness.verdict(engine.median < budget, bool(scale))}")
    if len(rows) > 1:
        for kind, key in (("wall", "engine"), ("CPU", "cpu")):
            per_line = [harness.Figure(r[key]).median / r["lines"] * 1e6 for r in rows]
            print(f"goal linear ({kind}): us per line {' -> '.join(f'{p:.0f}' for p in per_line)} "
                  f"({per_line[-1] / per_line[0]:.2f}x from the smallest to the largest size; 1.00x is linear)")
    print(f"          (CPU time is what load on a shared machine disturbs least: engine CPU median "
          f"{harness.Figure(largest['cpu']).median:.2f} s at the largest size)")
    s = largest["score"]
    print(f"goal precision: {s['precision']:.4f} at {largest['invoices']:,} invoices ({s['wrong']} wrong of "
          f"{s['auto']:,} automatic, {s['noise_auto']} of them on lines that pay no invoice), goal 1.0: "
          f"{harness.verdict(s['wrong'] == 0)}")
    b = largest["baseline_score"]
    print(f"quality vs baseline: recall {s['recall']:.4f} vs {b['recall']:.4f}, precision {s['precision']:.4f} "
          f"vs {b['precision']:.4f}")


if __name__ == "__main__":
    main()
