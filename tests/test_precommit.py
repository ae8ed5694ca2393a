"""The pre-commit hooks, run for real by ``pre-commit`` against this repository.

``pre-commit try-repo`` builds a fresh hook environment on every call (it keeps
its store in a temporary folder, whatever ``PRE_COMMIT_HOME`` says), about 35 s
each. These tests do what try-repo does — a commit of this working tree, a
configuration naming it with that ``rev``, ``pre-commit run`` on the staged
files — but with one store for the module, so the environment is built once
and every test runs the same hooks a user's ``.pre-commit-config.yaml`` would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

VIOLATING = 'provider "aws" {\n  region = var.region\n}\n\nresource "aws_s3_bucket" "exports" {\n  bucket = "acme-exports"\n}\n'
VARIABLES = 'variable "region" {\n  type    = string\n  default = "us-east-1"\n}\n'
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.invalid",
                "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.invalid"}


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_IDENTITY, **(env or {})})
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def hooks_source(tmp_path_factory) -> tuple[Path, str]:
    """A commit of this working tree as it is (tracked and new files, .gitignore
    honoured), the hooks' ``repo`` and ``rev``. try-repo commits only tracked
    changes, so a module not yet added to git broke its environment."""
    source = tmp_path_factory.mktemp("hooks-source")
    _git(source, "init", "-q", "-b", "main")
    # The work tree is the repository's, the index and objects the snapshot's:
    # nothing is written in the repository's own .git.
    _git(source, f"--work-tree={REPO}", "add", "-A")
    _git(source, "commit", "-q", "--no-verify", "-m", "snapshot of the working tree")
    return source, _git(source, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def precommit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "infra").mkdir()
    (repo / "infra" / "variables.tf").write_text(VARIABLES)
    (repo / "iacgov.yaml").write_text("version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


def _run_hook(repo: Path, hook: str, source: tuple[Path, str], home: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    assert exe, "pre-commit is a test dependency"
    # Outside the repository, as try-repo keeps it: the file is not part of the commit.
    config = repo.parent / "pre-commit-config.yaml"
    path, rev = source
    config.write_text(yaml.safe_dump({"repos": [{"repo": str(path), "rev": rev, "hooks": [{"id": hook}]}]}))
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([exe, "run", "--config", str(config)], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_hook_fails_a_commit_with_a_violation_resolved_through_the_module(repo, hooks_source, precommit_home):
    # Only main.tf is staged; the region comes from variables.tf beside it.
    (repo / "infra" / "main.tf").write_text(VIOLATING)
    _git(repo, "add", "infra/main.tf")
    proc = _run_hook(repo, "iacgov", hooks_source, precommit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "LOC001" in proc.stdout and "aws_s3_bucket.exports" in proc.stdout and "us-east-1" in proc.stdout


def test_hook_passes_a_compliant_commit(repo, hooks_source, precommit_home):
    (repo / "infra" / "main.tf").write_text(VIOLATING)
    (repo / "infra" / "variables.tf").write_text(VARIABLES.replace("us-east-1", "eu-west-3"))
    _git(repo, "add", "infra")
    proc = _run_hook(repo, "iacgov", hooks_source, precommit_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_directory_hook_scans_the_repository(repo, hooks_source, precommit_home):
    (repo / "infra" / "main.tf").write_text(VIOLATING)
    _git(repo, "add", "infra/main.tf")
    proc = _run_hook(repo, "iacgov-dir", hooks_source, precommit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "LOC001" in proc.stdout

