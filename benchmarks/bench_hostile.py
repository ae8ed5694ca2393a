#!/usr/bin/env python3
"""Time and peak memory of a scan of the hostile tree.

    python benchmarks/bench_hostile.py               # default --jobs, then --jobs 1
    python benchmarks/bench_hostile.py --runs 3 --jobs 2

Lays out fixtures/hostile plus the generated files
(scripts/make_hostile_fixtures.py: 10,000-deep nesting in every syntax, a 50 MB
file, a 10,000-resource template, links, a FIFO...) in a temporary folder, then
runs ``iacgov scan --verbose --format json`` on it in a fresh process, as CI
would, and prints per run the wall time, the peak resident memory of the
scan (its worker processes included: the largest of them) and what it
reported. Then the same for each file of interest alone, to show where the time
goes. Then the second round (``--round-two`` only, or with ``--all``): every
case of ``make_round_two`` scanned alone in a fresh process with a hang
timeout, and a summary — inputs tried, tracebacks, hangs, the largest peak
against the memory budget. Prints figures; asserts nothing (not a timed test).

    python benchmarks/bench_hostile.py --round-two   # the second round alone (about a minute)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from make_hostile_fixtures import ROUND_TWO_TF, make_hostile_tree, make_round_two  # noqa: E402

SCAN = [sys.executable, "-c", "from iacgov.cli import main; main()", "scan", "--verbose", "--format", "json"]
ALONE = ["huge", "many_resources", "deep", "billion_laughs", "exponential_locals", "many_files", "links", "special"]


def measure(args: list[str], cwd: Path, timeout: float | None = None) -> tuple[float, float, dict]:
    """Wall seconds, peak RSS in MiB (the largest process of the scan: a child
    started for this run, its workers included), the JSON report. A scan past
    ``timeout`` is killed and reported with ``_hang``."""
    code = (
        "import resource, subprocess, sys, json; "
        f"timeout = {timeout!r}\n"
        "try:\n"
        "    p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=timeout)\n"
        "    rc, out, err, hang = p.returncode, p.stdout, p.stderr, False\n"
        "except subprocess.TimeoutExpired as e:\n"
        "    rc, out, err, hang = None, '', str(e.stderr or ''), True\n"
        "print(json.dumps({'rc': rc, 'out': out, 'err': err, 'hang': hang, "
        "'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
    )
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    outcome = json.loads(proc.stdout)
    report = json.loads(outcome["out"]) if outcome["out"].strip().startswith("{") else {}
    report["_rc"], report["_stderr"], report["_hang"] = outcome["rc"], outcome["err"], outcome["hang"]
    return wall, outcome["rss"] / 1024, report  # ru_maxrss is in KiB on Linux


BUDGET_MIB = 1024  # limits.max_memory_mb's default
HANG_SECONDS = 120.0  # four times the per-file budget: a scan still running then is a hang
ROUND_TWO = [*ROUND_TWO_TF, "blank_lines", "heredoc_5mb", "big_heredoc", "legit_100k"]


def round_two(tmp: Path) -> None:
    """Each second-round case alone: time, peak memory, tracebacks, hangs."""
    root = tmp / "round2"
    root.mkdir()
    started = time.perf_counter()
    make_round_two(root, legit=True)
    (tmp / "big-budget.yaml").write_text("version: 1\nlimits:\n  max_memory_mb: 2048\n")
    print(f"\nsecond round generated in {time.perf_counter() - started:.2f} s under {root}")
    print(f"\n{'case (--jobs 1, alone)':<28} {'wall s':>8} {'peak MiB':>9}  exit  tb  first notification")
    tried = tracebacks = hangs = 0
    peak = 0.0
    runs = [(case, [case]) for case in ROUND_TWO]
    runs.append(("legit_100k at 2048 MiB", ["--policy", str(tmp / "big-budget.yaml"), "legit_100k"]))
    for label, args in runs:
        wall, rss, report = measure([*SCAN, "--jobs", "1", "--no-cache", *args], root, timeout=HANG_SECONDS)
        tried += 1
        traceback = "Traceback" in report["_stderr"] or any(
            "internal error" in n["message"] for n in report.get("notifications", []))
        tracebacks += traceback
        hangs += report["_hang"]
        if label in ROUND_TWO:
            peak = max(peak, rss)
        notes = [n for n in report.get("notifications", []) if n["level"] != "note"]
        first = notes[0]["message"][:90] if notes else "-"
        rc = "hang" if report["_hang"] else report["_rc"]
        print(f"{label:<28} {wall:>8.2f} {rss:>9.0f}  {rc:>4}  {int(traceback):>2}  {first}")
    print(f"\nsecond round: {tried} inputs tried, {tracebacks} tracebacks or internal errors, {hangs} hangs, "
          f"largest peak {peak:.0f} MiB against the {BUDGET_MIB} MiB budget (the 2048 MiB run aside)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, help="--jobs for the first series (default: iacgov's default)")
    parser.add_argument("--round-two", action="store_true", help="only the second round's cases")
    parser.add_argument("--all", action="store_true", help="the first round, then the second")
    args = parser.parse_args()
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.round_two or args.all:
        with tempfile.TemporaryDirectory(prefix="iacgov-bench-") as tmp:
            round_two(Path(tmp))
        if args.round_two:
            return
    with tempfile.TemporaryDirectory(prefix="iacgov-bench-") as tmp:
        started = time.perf_counter()
        root = make_hostile_tree(Path(tmp))
        print(f"hostile tree generated in {time.perf_counter() - started:.2f} s under {root}")
        series = [("default jobs" if args.jobs is None else f"--jobs {args.jobs}",
                   [] if args.jobs is None else ["--jobs", str(args.jobs)]), ("--jobs 1", ["--jobs", "1"])]
        print(f"\n{'scan of the whole tree':<28} {'wall s':>8} {'peak MiB':>9}  exit  files  resources  notes")
        for label, extra in series:
            for run in range(args.runs):
                wall, rss, report = measure([*SCAN, *extra, "."], root)
                summary = report.get("summary", {})
                print(f"{label + f' (run {run + 1})':<28} {wall:>8.2f} {rss:>9.0f}  {report['_rc']:>4}  "
                      f"{summary.get('files', '?'):>5}  {summary.get('resources', '?'):>9}  "
                      f"{len(report.get('notifications', [])):>5}")
                if "Traceback" in report["_stderr"]:
                    print(report["_stderr"])
        print(f"\n{'one folder alone (--jobs 1)':<28} {'wall s':>8} {'peak MiB':>9}  exit  first notification")
        for folder in ALONE:
            wall, rss, report = measure([*SCAN, "--jobs", "1", folder], root)
            notes = report.get("notifications", [])
            first = notes[0]["message"][:70] if notes else "-"
            print(f"{folder:<28} {wall:>8.2f} {rss:>9.0f}  {report['_rc']:>4}  {first}")
    print(f"\n(this script's own peak: {self_rss:.0f} MiB; a bare 'iacgov --version' process is the floor)")
    wall, rss, _ = measure([sys.executable, "-c", "from iacgov.cli import main; main()", "--version"], REPO)
    print(f"iacgov --version: {wall:.2f} s, {rss:.0f} MiB")


if __name__ == "__main__":
    main()
