#!/usr/bin/env python3
"""What a one-file change costs in a large repository: ``iacgov review`` and the pre-commit hook.

    python benchmarks/bench_review.py                       # 10,000 .tf files, 3 runs of each case
    python benchmarks/bench_review.py --tf-files 2000 --runs 5 --iacgov /path/to/iacgov

Builds a git repository from ``generate.py``'s estate (the base commit), then
commits on top of it, each in a branch of its own, a change of one root
module's file (an instance type), and times, each in a fresh process with a
private cache folder:

- **review, empty cache**: ``iacgov review --base BASE --head HEAD1`` with
  nothing cached (both commits parsed and evaluated);
- **review again**: the same review, the cache filled by the first;
- **review of a new change**: ``--head HEADk`` for further one-file changes,
  the cache holding the base (what a CI cache or a developer's machine holds
  once main was reviewed or scanned): the head's unchanged root modules come
  from the evaluation cache (iacgov.evalcache);
- **pre-commit**: the work tree scanned once (the cache as a developer has it),
  then one root module's file edited again and again, each time followed by
  ``iacgov scan FILE --whole-modules -q``, as the hook runs it.

Prints the median and best wall times and the load average. Asserts nothing
(not a timed test). Targets (issue 22): review at most 3 s, pre-commit at most 0.2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "bench",
           "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True,
                          check=True).stdout.strip()


def changed_file(repo: Path, k: int) -> Path:
    """The k-th root module's main.tf (sorted), the file each change edits."""
    roots = sorted(p for p in (repo / "envs").glob("*/*/main.tf"))
    return roots[(k * 7) % len(roots)]


def build(repo: Path, tf_files: int, changes: int) -> tuple[str, list[str], list[Path]]:
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(repo), "--tf-files", str(tf_files)], check=True,
                   stdout=subprocess.DEVNULL)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    heads, files = [], []
    for k in range(changes):
        path = changed_file(repo, k)
        git(repo, "checkout", "-q", "-B", f"change{k}", base)
        text = path.read_text()
        path.write_text(text + f'\nresource "aws_sqs_queue" "bench{k}" {{\n  name = "bench-{k}"\n}}\n')
        git(repo, "commit", "-q", "-am", f"change {k}")
        heads.append(git(repo, "rev-parse", "HEAD"))
        files.append(path)
    return base, heads, files


CPU: list[float] = []  # CPU seconds (user + system) of each timed run, its processes included


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-2000:]}")
    return took


def show(name: str, times: list[float], target: str = "") -> None:
    """Wall times, and the CPU time of the same runs (less sensitive to other load on the machine)."""
    cpu = CPU[-len(times):]
    print(f"{name:<48} median {statistics.median(times):7.2f} s  best {min(times):7.2f} s  "
          f"CPU median {statistics.median(cpu):7.2f} s  ({len(times)} runs){'  target ' + target if target else ''}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tf-files", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--iacgov", help="the iacgov executable (default: this Python's iacgov)")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    iacgov = [args.iacgov] if args.iacgov else [sys.executable, "-c", "from iacgov.cli import main; main()"]
    work = Path(tempfile.mkdtemp(prefix="iacgov-bench-review-"))
    repo = args.keep or work / "repo"
    try:
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; building {args.tf_files} files",
              flush=True)
        base, heads, files = build(repo, args.tf_files, 1 + args.runs)
        cache = work / "cache"
        env = {**os.environ, "IACGOV_CACHE_DIR": str(cache)}

        def review(head: str) -> list[str]:
            return [*iacgov, "review", "--repo", str(repo), "--base", base, "--head", head, "--format", "json",
                    "--output", os.devnull]

        cold = []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed(review(heads[0]), repo, env))
        show("review, empty cache", cold)
        show("review again (both commits cached)", [timed(review(heads[0]), repo, env) for _ in range(args.runs)])
        show("review of a new one-file change (base cached)",
             [timed(review(head), repo, env) for head in heads[1:1 + args.runs]], "3 s")

        # pre-commit: a developer's work tree, scanned once (the cache as they have it), then a file edited
        # again and again, the hook scanning that file each time
        git(repo, "checkout", "-q", "main")
        timed([*iacgov, "scan", ".", "-q", "--fail-on", "never"], repo, env)
        edited = files[0]
        text = edited.read_text()
        hook = []
        for k in range(2 * args.runs + 1):
            edited.write_text(text + f'\nresource "aws_sqs_queue" "hook{k}" {{\n  name = "hook-{k}"\n}}\n')
            hook.append(timed([*iacgov, "scan", str(edited.relative_to(repo)), "--whole-modules", "-q",
                               "--fail-on", "never"], repo, env))
        show("pre-commit, one edited file (--whole-modules)", hook, "0.2 s")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
