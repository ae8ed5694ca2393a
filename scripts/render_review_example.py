"""Render the README's example review comment from fixtures/review_demo/.

Builds a throw-away git repository in a temporary directory — one commit
with ``fixtures/review_demo/base``, the provider's commit with
``fixtures/review_demo/head`` — and runs ``iacgov review --format markdown``
on it, so the comment shown in the README is real output. ``--check`` fails
when the README's copy is out of date (CI can run it).

    python scripts/render_review_example.py            # print the comment
    python scripts/render_review_example.py --update   # rewrite it in README.md
    python scripts/render_review_example.py --check
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "fixtures" / "review_demo"
README = REPO / "README.md"
BEGIN, END = "<!-- review-example:begin -->", "<!-- review-example:end -->"
ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "Provider",
       "GIT_AUTHOR_EMAIL": "ops@provider.example", "GIT_COMMITTER_NAME": "Provider",
       "GIT_COMMITTER_EMAIL": "ops@provider.example", "GIT_AUTHOR_DATE": "2026-01-05T10:00:00Z",
       "GIT_COMMITTER_DATE": "2026-01-05T10:00:00Z"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True).stdout.strip()


def commit_tree(repo: Path, tree: Path, message: str) -> str:
    for entry in repo.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(tree, repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def render() -> str:
    from iacgov.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp, "infra")
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        commit_tree(repo, DEMO / "base", "Company infrastructure")
        git(repo, "checkout", "-q", "-b", "provider/dr-and-resize")
        commit_tree(repo, DEMO / "head", "DR copy of invoices, bigger database, scratch volume")
        args = ["-p", "no:checkov", "-p", "no:cfn-lint", "review", "--repo", str(repo), "--base", "main",
                "--head", "provider/dr-and-resize", "--approved-by", "bob", "--format", "markdown"]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        if result.exit_code not in (0, 1):
            raise SystemExit(f"iacgov review failed ({result.exit_code}): {result.output}")
        # Commit IDs change with the git version's object format only: keep them, they are real.
        return result.output


def main(argv: list[str]) -> int:
    comment = render()
    if not argv:
        sys.stdout.write(comment)
        return 0
    text = README.read_text(encoding="utf-8")
    block = f"{BEGIN}\n\n{comment}\n{END}"
    updated = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    if argv[0] == "--check":
        if updated != text:
            print("README.md: the review example is out of date; run scripts/render_review_example.py --update")
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
