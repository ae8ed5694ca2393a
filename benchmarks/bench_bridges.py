"""What each bridge adds to the scan time of the demo (fixtures/demo).

Runs ``iacgov scan fixtures/demo`` as a user would (a fresh process each
time, so imports count) with no bridge, with the cfn-lint bridge, with the
checkov bridge and with both, and prints the median of a few runs and the
difference to the scan without bridges. Needs the plugins installed
(``pip install -e plugins/iacgov-checkov -e plugins/iacgov-cfn-lint``) and a
checkov executable ($IACGOV_CHECKOV or on PATH).

    python benchmarks/bench_bridges.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
VARIANTS = {
    "no bridge": ["-p", "no:checkov", "-p", "no:cfn-lint"],
    "cfn-lint": ["-p", "no:checkov"],
    "checkov": ["-p", "no:cfn-lint"],
    "both": [],
}


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", "from iacgov.cli import main; main()", "-p", "no:acme", *args,
                           "scan", str(DEMO),
                           "--region", "eu-west-3", "--format", "json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"iacgov {' '.join(args)} failed: {proc.stderr.strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not (os.environ.get("IACGOV_CHECKOV") or shutil.which("checkov")):
        raise SystemExit("no checkov executable: set IACGOV_CHECKOV")
    timed(VARIANTS["both"])  # warm the file cache and the .pyc files
    medians = {name: statistics.median(timed(flags) for _ in range(args.runs)) for name, flags in VARIANTS.items()}
    base = medians["no bridge"]
    for name, seconds in medians.items():
        extra = "" if name == "no bridge" else f"  (+{seconds - base:.2f} s)"
        print(f"demo scan, {name:<9}: {seconds:6.2f} s median of {args.runs}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
