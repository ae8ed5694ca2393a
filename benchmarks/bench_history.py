"""Benchmark ``iacgov history``: a generated repository with daily merges on a small estate.

    python benchmarks/bench_history.py                   # 365 days, 40 Terraform files
    python benchmarks/bench_history.py --days 60 --files 20

The estate: ``--files`` modules of two or three priced resources each (EC2,
EBS, RDS), tagged by environment and application, and a policy with budgets.
Each day one merge edits one file (a resize, a volume grown, a resource
added or removed, a suppression written or extended): first-parent history
of ``--days`` commits. Prints the size, then the wall time of the first
replay (every commit analysed: parse through the cache, rules, cost, the
review of the commit against its parent), of a second replay (nothing to
analyse: the ledger has every commit) and of a replay after one more merge.
Runs in-process with the built-in rule pack only; the parse cache and the
ledger live in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "Provider",
           "GIT_AUTHOR_EMAIL": "ops@provider.example", "GIT_COMMITTER_NAME": "Provider",
           "GIT_COMMITTER_EMAIL": "ops@provider.example"}
POLICY = """version: 1
data_location: {allowed_regions: {aws: [eu-west-3, eu-west-1]}}
cost:
  environment_tag: env
  budgets: {prod: 20000, staging: 3000, dev: 1500}
  change_envelope: 150
suppressions: {max_days: 3650}
"""
SIZES = ("t3.small", "t3.medium", "m5.large", "m5.xlarge")
ENVS = ("prod", "staging", "dev")


def module(i: int, size: str, volume: int, extra: bool) -> str:
    env, app = ENVS[i % 3], f"app{i % 7}"
    text = f'''provider "aws" {{
  region = "eu-west-3"
}}

resource "aws_instance" "app{i}" {{
  ami           = "ami-0123456789abcdef0"
  instance_type = "{size}"
  tags = {{ env = "{env}", app = "{app}" }}
}}

# iacgov:ignore ENC001 reason="scratch data, rebuilt nightly" expires=2027-0{1 + i % 9}-15
resource "aws_ebs_volume" "data{i}" {{
  availability_zone = "eu-west-3a"
  size              = {volume}
  type              = "gp3"
  tags = {{ env = "{env}", app = "{app}" }}
}}
'''
    if extra:
        text += f'''
resource "aws_db_instance" "db{i}" {{
  engine            = "postgres"
  instance_class    = "db.t3.medium"
  allocated_storage = 50
  storage_encrypted = true
  tags = {{ env = "{env}", app = "{app}" }}
}}
'''
    return text


def git(repo: Path, *args: str, day: date | None = None) -> None:
    env = dict(GIT_ENV)
    if day is not None:
        env.update(GIT_AUTHOR_DATE=f"{day}T12:00:00Z", GIT_COMMITTER_DATE=f"{day}T12:00:00Z")
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def generate(repo: Path, files: int, days: int, seed: int = 20) -> None:
    rnd = random.Random(seed)
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    state = {i: [rnd.choice(SIZES), 20 + 10 * rnd.randrange(10), rnd.random() < 0.3] for i in range(files)}
    (repo / "iacgov.yaml").write_text(POLICY)
    for i, (size, volume, extra) in state.items():
        (repo / f"stack{i:03d}").mkdir()
        (repo / f"stack{i:03d}" / "main.tf").write_text(module(i, size, volume, extra))
    start = date(2026, 1, 1)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "estate", day=start)
    for d in range(1, days):
        i = rnd.randrange(files)
        s = state[i]
        choice = rnd.randrange(3)
        if choice == 0:
            s[0] = rnd.choice(SIZES)
        elif choice == 1:
            s[1] += 10
        else:
            s[2] = not s[2]
        (repo / f"stack{i:03d}" / "main.tf").write_text(module(i, *s))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "--allow-empty", "-m", f"day {d}: stack{i:03d}", day=start + timedelta(days=d))


def replay(repo: Path, db: Path) -> tuple[float, int, int]:
    from iacgov.history.ledger import open_writer
    from iacgov.history.replay import Analyser, first_parent_history, replay as run
    from iacgov.model import ParseOptions
    from iacgov.plugins import load_plugins
    from iacgov.review.gitrepo import Repository

    host = load_plugins(disabled=["checkov", "cfn-lint"])
    options = ParseOptions(cache_dir=Path(os.environ["IACGOV_CACHE_DIR"]))
    started = time.perf_counter()
    repository = Repository(repo)
    with open_writer(db) as ledger:
        done = run(repository, first_parent_history(repository, "HEAD"), ledger, Analyser(host, options))
    return time.perf_counter() - started, len(done.evaluated), len(done.reused)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--files", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="iacgov-bench-history-") as tmp:
        os.environ["IACGOV_CACHE_DIR"] = str(Path(tmp, "cache"))
        repo, db = Path(tmp, "repo"), Path(tmp, "ledger.sqlite")
        t = time.perf_counter()
        generate(repo, args.files, args.days)
        print(f"repository: {args.days} first-parent commits (one a day), {args.files} Terraform files, "
              f"{args.files * 2}-{args.files * 3} resources; generated in {time.perf_counter() - t:.1f} s")
        first = replay(repo, db)
        print(f"first replay:  {first[0]:7.1f} s  ({first[1]} commits analysed, {first[0] / max(first[1], 1):.2f} s each)")
        again = replay(repo, db)
        print(f"second replay: {again[0]:7.1f} s  ({again[1]} analysed, {again[2]} already in the ledger)")
        (repo / "stack000" / "main.tf").write_text(module(0, "m5.xlarge", 500, True))
        git(repo, "commit", "-qam", "one more merge", day=date(2026, 1, 1) + timedelta(days=args.days))
        more = replay(repo, db)
        print(f"after one merge: {more[0]:5.1f} s  ({more[1]} analysed, {more[2]} already in the ledger)")
        print(f"ledger: {db.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
