"""Real git repositories for review tests: a base commit and a head commit.

Not a conftest.py: tests import ``conftest`` by name (``from conftest import
REPO``), which a second conftest module would shadow. Test modules import the
fixtures from here."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "Provider",
           "GIT_AUTHOR_EMAIL": "ops@provider.example", "GIT_COMMITTER_NAME": "Provider",
           "GIT_COMMITTER_EMAIL": "ops@provider.example", "GIT_AUTHOR_DATE": "2026-01-05T10:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-05T10:00:00Z"}

POLICY = """\
version: 1
data_location:
  allowed_regions:
    aws: [eu-west-3, eu-west-1]
    gcp: [europe-west9]
cost:
  environment_tag: env
  change_envelope: 100
suppressions:
  locked: [LOC]
approvers:
  cto: [alice]
  strategic: [alice, bob]
"""


class Repo:
    """A git repository built commit by commit (``write`` then ``commit``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.path, env=GIT_ENV, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def write(self, files: dict[str, str | None]) -> "Repo":
        for name, text in files.items():
            target = self.path / name
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        return self

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "infra")


@pytest.fixture
def pr(repo: Repo):
    """``pr(base_files, head_files)`` -> (repo, base sha, head sha); the base
    gets the standard policy unless it gives its own ``iacgov.yaml``."""

    def build(base: dict[str, str | None], head: dict[str, str | None]) -> tuple[Repo, str, str]:
        repo.write({"iacgov.yaml": POLICY, **base})
        base_sha = repo.commit("base")
        repo.write(head)
        return repo, base_sha, repo.commit("provider change")

    return build


# Separately installed bridges (their own distributions, tested on their own)
# are left out so that these tests see the built-in rule pack only.
BRIDGES = ("-p", "no:checkov", "-p", "no:cfn-lint")


@pytest.fixture
def rcli(cli):
    """``rcli(*args)``: ``iacgov review ARGS`` with the built-in plugins only."""

    def invoke(*args):
        return cli(*BRIDGES, "review", *args)

    return invoke


@pytest.fixture
def review_json(rcli):
    """Run ``iacgov review`` in JSON and return (exit code, document)."""

    def run(repo: Repo, base: str, *args: str, head: str = "HEAD"):
        result = rcli( "--repo", repo.path, "--base", base, "--head", head, "--format", "json", *args)
        assert result.exit_code in (0, 1), result.output
        return result.exit_code, json.loads(result.output)

    return run


def classes(doc: dict) -> list[tuple[str, str, str]]:
    """(change_class, authority, address) of every decision."""
    return [(c["change_class"], c["authority"], c["address"]) for c in doc["changes"]]
