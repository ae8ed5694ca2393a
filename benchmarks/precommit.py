#!/usr/bin/env python3
"""What the pre-commit hook costs on a commit that changes one file.

    python benchmarks/precommit.py                 # 11 runs of each case
    python benchmarks/precommit.py --runs 21 --iacgov /path/to/iacgov
    python benchmarks/precommit.py --tf-files 10000   # a root module's file in generate.py's estate

Lays out a small repository (a Terraform module of five files calling a local
module, and a CloudFormation template), fills a private parse cache with one
scan, then times ``iacgov scan FILE -q`` in a fresh process, as the hook runs
it, for: a ``.tf`` file changed since (it is parsed; the policy validation and
python-hcl2's parser come from the cache), a template changed since, and a
file that did not change. Prints the median and best wall and CPU times.
Targets (issue 9): 0.3 s for a Terraform file, 0.7 s for a template.

With ``--tf-files N`` it lays out ``generate.py``'s estate of N ``.tf`` files
instead (its policy has budgets, so the cost estimate runs), scans it once,
then times ``iacgov scan envs/.../main.tf --whole-modules -q`` with the first
root module's ``main.tf`` edited before EVERY run (a resource of a new name
appended to the original text), so no run finds the whole scan cached: what
the hook costs on a file just edited. Target (issue 22): 0.2 s at 10,000 files.
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
sys.path.insert(0, str(HERE))


def layout(root: Path) -> None:
    from generate import MODULES, cfn_yaml
    import random

    (root / ".git").mkdir(parents=True)
    for name, text in MODULES["storage"].items():
        (root / "modules" / "storage").mkdir(parents=True, exist_ok=True)
        (root / "modules" / "storage" / name).write_text(text)
    app = root / "app"
    app.mkdir()
    (app / "main.tf").write_text('module "storage" {\n  source = "../modules/storage"\n  name   = "billing"\n'
                                 '  env    = var.env\n}\n\nresource "aws_db_instance" "db" {\n  engine = "postgres"\n'
                                 '  instance_class    = "db.t3.medium"\n  allocated_storage = 50\n'
                                 '  storage_encrypted = true\n  tags = { env = var.env, app = "billing" }\n}\n')
    (app / "variables.tf").write_text('variable "env" {\n  type    = string\n  default = "prod"\n}\n')
    (app / "providers.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n')
    (root / "template.yaml").write_text(cfn_yaml(random.Random(1), 1))


def timed(cmd: list[str], env: dict[str, str], cwd: Path, before=None) -> tuple[float, float]:
    if before is not None:
        before()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--iacgov", help="the iacgov executable (default: this Python's)")
    parser.add_argument("--tf-files", type=int, default=0,
                        help="time a root module's file edited before every run in generate.py's estate of N files")
    args = parser.parse_args()
    iacgov = [args.iacgov] if args.iacgov else [sys.executable, "-m", "iacgov"]
    if args.tf_files:
        estate(iacgov, args.tf_files, args.runs)
        return
    work = Path(tempfile.mkdtemp(prefix="iacgov-precommit-"))
    try:
        root = work / "repo"
        layout(root)
        env = {**os.environ, "IACGOV_CACHE_DIR": str(work / "cache")}
        subprocess.run([*iacgov, "scan", ".", "-q"], env=env, cwd=root, stdout=subprocess.DEVNULL)  # fills the cache
        counter = iter(range(10**6))

        def change(path: Path):
            return lambda: path.open("a").write(f"# edit {next(counter)}\n")

        cases = [
            ("a changed .tf file (--whole-modules)", ["app/main.tf", "--whole-modules"], change(root / "app/main.tf")),
            ("a changed .tf file", ["app/main.tf"], change(root / "app/main.tf")),
            ("a changed template", ["template.yaml"], change(root / "template.yaml")),
            ("an unchanged .tf file", ["app/variables.tf"], None),
        ]
        print(f"{'case':40} {'wall median':>12} {'wall best':>10} {'cpu median':>11}   (load {os.getloadavg()[0]:.2f})")
        for label, files, before in cases:
            runs = [timed([*iacgov, "scan", *files, "-q"], env, root, before) for _ in range(args.runs)]
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(f"{label:40} {statistics.median(walls):11.3f}s {min(walls):9.3f}s {statistics.median(cpus):10.3f}s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def estate(iacgov: list[str], tf_files: int, runs: int) -> None:
    """The hook on a large estate: one root module's main.tf edited before every run."""
    from generate import generate

    work = Path(tempfile.mkdtemp(prefix="iacgov-precommit-"))
    try:
        root = work / "repo"
        generate(root, tf_files, 0)  # with a .git folder: the policy is looked for up to the repository's root
        env = {**os.environ, "IACGOV_CACHE_DIR": str(work / "cache")}
        subprocess.run([*iacgov, "scan", ".", "-q", "--fail-on", "never"], env=env, cwd=root,
                       stdout=subprocess.DEVNULL)  # the cache as the developer has it
        edited = sorted((root / "envs").glob("*/*/main.tf"))[0]
        original = edited.read_text()
        counter = iter(range(10**6))

        def edit() -> None:  # before every run: no run finds the whole scan cached
            k = next(counter)
            edited.write_text(original + f'\nresource "aws_sqs_queue" "hook{k}" {{\n  name = "hook-{k}"\n}}\n')

        target = str(edited.relative_to(root))
        cmd = [*iacgov, "scan", target, "--whole-modules", "-q", "--fail-on", "never"]
        results = [timed(cmd, env, root, edit) for _ in range(runs)]
        walls, cpus = [w for w, _ in results], [c for _, c in results]
        print(f"{'case':60} {'wall median':>12} {'wall best':>10} {'cpu median':>11}   (load {os.getloadavg()[0]:.2f})")
        print(f"{f'{target} edited before each run ({tf_files} files)':60} {statistics.median(walls):11.3f}s "
              f"{min(walls):9.3f}s {statistics.median(cpus):10.3f}s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
