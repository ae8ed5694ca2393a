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
goes. Prints figures; asserts nothing (not a timed test).
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
from make_hostile_fixtures import make_hostile_tree  # noqa: E402

SCAN = [sys.executable, "-c", "from iacgov.cli import main; main()", "scan", "--verbose", "--format", "json"]
ALONE = ["huge", "many_resources", "deep", "billion_laughs", "exponential_locals", "many_files", "links", "special"]


def measure(args: list[str], cwd: Path) -> tuple[float, float, dict]:
    """Wall seconds, peak RSS in MiB (a child process started for this run), the JSON report."""
    code = (
        "import resource, subprocess, sys, json; "
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr, "
        "'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
    )
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    outcome = json.loads(proc.stdout)
    report = json.loads(outcome["out"]) if outcome["out"].strip().startswith("{") else {}
    report["_rc"], report["_stderr"] = outcome["rc"], outcome["err"]
    return wall, outcome["rss"] / 1024, report  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, help="--jobs for the first series (default: iacgov's default)")
    args = parser.parse_args()
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
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
