#!/usr/bin/env python3
"""iacgov against checkov and cfn-lint on the same files: medians, ratios, peak memory.

    python benchmarks/compare.py eks=/tmp/bench/eks vpc=/tmp/bench/vpc
    python benchmarks/compare.py --runs 5 --checkov-runs 1 --markdown table.md caf=/tmp/bench/caf
    python benchmarks/compare.py --tools iacgov --synthetic 1000,2000,4000,8000   # the scaling slope

Each target is NAME=PATH (any folder: a clone of a repository, a generated
tree). For each one, one tool after the other, never two at once:

- **iacgov cold**: ``iacgov scan PATH --no-cache [--jobs J]`` (or, with
  ``--cold empty-cache``, with an empty parse cache that the run fills; all built-in
  rules, and the cost rules: the policy passed with ``--policy`` has budgets;
  default: the one ``benchmarks/generate.py`` writes), ``--runs`` times;
- **iacgov warm**: the same with a parse cache filled by one run first (a
  private folder, removed afterwards), ``--runs`` times;
- **checkov** (``--checkov``, default ``checkov`` on PATH, skipped when not
  installed): ``checkov -d PATH --framework terraform cloudformation
  --skip-download --download-external-modules false -o json --quiet``,
  ``--checkov-runs`` times (it can take minutes);
- **cfn-lint** (``--cfn-lint``), on the templates iacgov's CloudFormation
  parser claims, when there are any.

Printed per target: files and lines, the median wall time of each tool (and
the minimum), warm/cold, checkov/iacgov and cfn-lint/iacgov ratios, and the peak
memory: the largest sum of the resident sizes of the process and its
children (iacgov's parsing workers), sampled every 20 ms. The machine's
load is printed too: other work on the machine slows every tool alike.
Asserts nothing (not a timed test).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


@dataclass
class Timing:
    walls: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)  # bytes
    codes: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")

    @property
    def best(self) -> float:
        return min(self.walls) if self.walls else float("nan")

    @property
    def peak(self) -> int:
        return max(self.peaks) if self.peaks else 0


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(stat[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(stat[21]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss(pid) if PSS else rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


# --memory pss: proportional set size instead of resident size. Forked workers share their parent's pages
# (copy on write): resident sizes count those pages once per process, PSS divides them among the sharers.
PSS = False


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak resident bytes of the process tree, exit code (-9:
    stopped after ``timeout`` seconds)."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    done = threading.Event()
    if timeout:
        def stop() -> None:
            if not done.wait(timeout):
                try:
                    os.killpg(proc.pid, 9)  # the tool and its own children (this run's process group only)
                except OSError:
                    pass

        threading.Thread(target=stop, daemon=True).start()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except ChildProcessError:
        status, usage = 0, None
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if usage is not None:
        peak = max(peak, usage.ru_maxrss * 1024)  # the largest single process, if sampling missed it
    return wall, peak, proc.returncode


def measure(cmd: list[str], runs: int, env: dict[str, str] | None = None, before=None,
            timeout: float | None = None) -> Timing:
    timing = Timing()
    for _ in range(runs):
        if before is not None:
            before()
        wall, peak, code = run(cmd, env, timeout)
        timing.walls.append(wall)
        timing.peaks.append(peak)
        timing.codes.append(code)
    return timing


def size(path: Path) -> tuple[int, int, int, int]:
    """.tf files, their lines, CloudFormation-looking files, their lines."""
    tf = tf_lines = 0
    for p in path.rglob("*.tf"):
        if p.is_file() and ".terraform" not in p.parts:
            tf += 1
            tf_lines += p.read_bytes().count(b"\n")
    templates = cloudformation_files(path)
    cfn_lines = sum(p.read_bytes().count(b"\n") for p in templates)
    return tf, tf_lines, len(templates), cfn_lines


def cloudformation_files(path: Path) -> list[Path]:
    """The files iacgov's CloudFormation parser claims (what cfn-lint is given)."""
    from iacgov.discovery import assign, discover
    from iacgov.plugins import load_plugins

    root = path.resolve()
    found = discover([root], root)
    parsers = load_plugins().collect("iacgov_parsers")
    claimed = assign(found.files, parsers, [])
    return [f.path for f in claimed.get("cloudformation", ())]


@dataclass
class Row:
    name: str
    tf: int
    tf_lines: int
    cfn: int
    cfn_lines: int
    cold: Timing | None
    warm: Timing | None
    checkov: Timing | None
    cfn_lint: Timing | None


def compare(name: str, path: Path, args: argparse.Namespace) -> Row:
    tf, tf_lines, cfn, cfn_lines = size(path)
    print(f"== {name}: {tf} .tf files ({tf_lines:,} lines), {cfn} templates ({cfn_lines:,} lines)", flush=True)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []  # none: iacgov's own default, as users run it
    scan = [*args.iacgov, "scan", str(path), *jobs, "-q", "--fail-on", "never",
            "--format", "json", "--output", os.devnull, "--policy", str(args.policy)]
    cold = warm = None
    if "iacgov" in args.tools:
        folder = Path(tempfile.mkdtemp(prefix="iacgov-bench-cache-"))
        try:
            env = {**os.environ, "IACGOV_CACHE_DIR": str(folder / "cache")}
            if args.cold == "no-cache":
                cold = measure([*scan, "--no-cache"], args.runs)
                run(scan, env)  # fills the cache
            else:  # each cold run with an empty cache, which the last one leaves filled
                cold = measure(scan, args.runs, env, before=lambda: shutil.rmtree(folder / "cache", ignore_errors=True))
            print(f"   iacgov cold   {cold.median:8.2f} s (min {cold.best:.2f})  {cold.peak / 2**20:7.0f} MiB",
                  flush=True)
            warm = measure(scan, args.runs, env)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"   iacgov warm   {warm.median:8.2f} s (min {warm.best:.2f})  {warm.peak / 2**20:7.0f} MiB", flush=True)
    checkov = None
    if "checkov" in args.tools and shutil.which(args.checkov) and tf + cfn:
        cmd = [args.checkov, "-d", str(path), "--framework", "terraform", "cloudformation", "--skip-download",
               "--download-external-modules", "false", "-o", "json", "--quiet"]
        checkov = measure(cmd, args.checkov_runs, timeout=args.timeout)
        print(f"   checkov       {checkov.median:8.2f} s (min {checkov.best:.2f})  {checkov.peak / 2**20:7.0f} MiB",
              flush=True)
    cfn_lint = None
    if "cfn-lint" in args.tools and shutil.which(args.cfn_lint) and cfn:
        cmd = [args.cfn_lint, "--format", "json", "--", *map(str, cloudformation_files(path))]
        cfn_lint = measure(cmd, args.runs)
        print(f"   cfn-lint      {cfn_lint.median:8.2f} s (min {cfn_lint.best:.2f})  {cfn_lint.peak / 2**20:7.0f} MiB",
              flush=True)
    return Row(name, tf, tf_lines, cfn, cfn_lines, cold, warm, checkov, cfn_lint)


def table(rows: list[Row]) -> str:
    head = ("| target | .tf files / lines | templates / lines | iacgov cold | iacgov warm | warm/cold | checkov "
            "| checkov / iacgov cold | cfn-lint | cfn-lint / iacgov cold | peak memory iacgov (cold, warm) "
            "| peak memory checkov, cfn-lint |")
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]

    def t(x: Timing | None) -> str:
        if x is None:
            return "-"
        return f"> {x.median:.0f} s (stopped)" if -9 in x.codes else f"{x.median:.2f} s"

    def ratio(a: Timing | None, b: Timing | None) -> str:
        return "-" if a is None or b is None else f"{a.median / b.median:.1f}×"

    def mem(x: Timing | None) -> str:
        return "-" if x is None else f"{x.peak / 2**20:.0f} MiB"

    def ratio_pct(a: Timing | None, b: Timing | None) -> str:
        return "-" if a is None or b is None else f"{100 * a.median / b.median:.0f} %"

    for r in rows:
        lines.append(
            f"| {r.name} | {r.tf:,} / {r.tf_lines:,} | {r.cfn:,} / {r.cfn_lines:,} | {t(r.cold)} | {t(r.warm)} "
            f"| {ratio_pct(r.warm, r.cold)} | {t(r.checkov)} | {ratio(r.checkov, r.cold)} "
            f"| {t(r.cfn_lint)} | {ratio(r.cfn_lint, r.cold)} | {mem(r.cold)}, {mem(r.warm)} "
            f"| {mem(r.checkov)}, {mem(r.cfn_lint)} |")
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB; load average now {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", metavar="NAME=PATH")
    parser.add_argument("--runs", type=int, default=3, help="runs of iacgov (cold, warm) and cfn-lint (default 3)")
    parser.add_argument("--checkov-runs", type=int, default=3, help="runs of checkov (default 3)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="iacgov --jobs (default: none given, iacgov's default: one per core from 200 .tf files)")
    parser.add_argument("--tools", default="iacgov,checkov,cfn-lint")
    parser.add_argument("--cold", choices=("no-cache", "empty-cache"), default="no-cache",
                        help="iacgov cold: --no-cache (default), or an empty cache that the run fills (one run less)")
    parser.add_argument("--iacgov", help="the iacgov executable (default: this Python's iacgov)")
    parser.add_argument("--checkov", default="checkov")
    parser.add_argument("--timeout", type=float, help="stop a checkov run after this many seconds")
    parser.add_argument("--cfn-lint", default="cfn-lint")
    parser.add_argument("--policy", type=Path, help="policy for iacgov (default: one with budgets)")
    parser.add_argument("--synthetic", metavar="N,N,...",
                        help="also generate repositories of N .tf files each (benchmarks/generate.py)")
    parser.add_argument("--cfn-templates", type=int, default=0, help="templates in each synthetic repository")
    parser.add_argument("--markdown", type=Path, help="write the table to this file too")
    parser.add_argument("--memory", choices=("rss", "pss"), default="rss",
                        help="peak memory as the sum of resident sizes (default) or of proportional set sizes")
    args = parser.parse_args()
    global PSS
    PSS = args.memory == "pss"
    args.iacgov = [args.iacgov] if args.iacgov else [sys.executable, "-c", "from iacgov.cli import main; main()"]
    work = Path(tempfile.mkdtemp(prefix="iacgov-bench-"))
    try:
        if args.policy is None:
            from generate import POLICY

            args.policy = work / "policy.yaml"
            args.policy.write_text(POLICY)
        targets = []
        for item in args.targets:
            name, sep, path = item.partition("=")
            targets.append((name, Path(path)) if sep else (Path(item).name, Path(item)))
        if args.synthetic:
            from generate import generate

            for n in (int(x) for x in args.synthetic.split(",")):
                out = work / f"synthetic-{n}"
                counts = generate(out, n, args.cfn_templates)
                targets.append((f"synthetic {counts['tf_files']:,} files", out))
        print(f"machine: {machine()}", flush=True)
        rows = [compare(name, path, args) for name, path in targets]
        print(f"machine: {machine()}")
        text = table(rows)
        print(text)
        if args.markdown:
            args.markdown.write_text(text)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
