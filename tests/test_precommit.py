"""The pre-commit hooks, run for real with ``pre-commit try-repo`` against this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

VIOLATING = 'provider "aws" {\n  region = var.region\n}\n\nresource "aws_s3_bucket" "exports" {\n  bucket = "acme-exports"\n}\n'
VARIABLES = 'variable "region" {\n  type    = string\n  default = "us-east-1"\n}\n'


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def precommit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def repo(tmp_path):
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "dev@example.invalid")
    _git(tmp_path, "config", "user.name", "dev")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "variables.tf").write_text(VARIABLES)
    (tmp_path / "iacgov.yaml").write_text("version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def _try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    assert exe, "pre-commit is a test dependency"
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([exe, "try-repo", str(REPO), hook], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_hook_fails_a_commit_with_a_violation_resolved_through_the_module(repo, precommit_home):
    # Only main.tf is staged; the region comes from variables.tf beside it.
    (repo / "infra" / "main.tf").write_text(VIOLATING)
    _git(repo, "add", "infra/main.tf")
    proc = _try_repo(repo, "iacgov", precommit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "LOC001" in proc.stdout and "aws_s3_bucket.exports" in proc.stdout and "us-east-1" in proc.stdout


def test_hook_passes_a_compliant_commit(repo, precommit_home):
    (repo / "infra" / "main.tf").write_text(VIOLATING)
    (repo / "infra" / "variables.tf").write_text(VARIABLES.replace("us-east-1", "eu-west-3"))
    _git(repo, "add", "infra")
    proc = _try_repo(repo, "iacgov", precommit_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_directory_hook_scans_the_repository(repo, precommit_home):
    (repo / "infra" / "main.tf").write_text(VIOLATING)
    _git(repo, "add", "infra/main.tf")
    proc = _try_repo(repo, "iacgov-dir", precommit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "LOC001" in proc.stdout
