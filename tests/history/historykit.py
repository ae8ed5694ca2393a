"""A git repository with months of dated commits, for the history tests (imported by name, not a conftest)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}

POLICY = """\
version: 1
data_location:
  allowed_regions:
    aws: [eu-west-3]
cost:
  environment_tag: env
  budgets: {prod: 2000, staging: 100}
  change_envelope: 50
suppressions:
  max_days: 3650
approvers:
  cto: [alice]
  strategic: [alice, bob]
"""


def instance(name: str, size: str, env: str = "prod", app: str = "shop", extra: str = "") -> str:
    return f"""
{extra}resource "aws_instance" "{name}" {{
  ami           = "ami-12345678"
  instance_type = "{size}"
  tags = {{ env = "{env}", app = "{app}" }}
}}
"""


def volume(name: str, size: int, env: str, comment: str = "") -> str:
    return f"""
{comment}resource "aws_ebs_volume" "{name}" {{
  availability_zone = "eu-west-3a"
  size              = {size}
  type              = "gp3"
  tags = {{ env = "{env}", app = "batch" }}
}}
"""


PROVIDER = 'provider "aws" {\n  region = "eu-west-3"\n}\n'


class DatedRepo:
    """``write`` files then ``commit(message, "2026-09-03")``: the committer and author date is that day, noon UTC."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, day: str = "2026-01-01", author: str = "Provider") -> str:
        env = {**GIT_ENV, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "ops@provider.example",
               "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "ops@provider.example",
               "GIT_AUTHOR_DATE": f"{day}T12:00:00Z", "GIT_COMMITTER_DATE": f"{day}T12:00:00Z"}
        done = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def write(self, files: dict[str, str | None]) -> "DatedRepo":
        for name, text in files.items():
            target = self.path / name
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        return self

    def commit(self, message: str, day: str, author: str = "Provider") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, day=day, author=author)
        return self.git("rev-parse", "HEAD")

    def export(self, sha: str, target: Path) -> Path:
        """The commit's tree in ``target`` (git archive: the test's own repository, for comparison)."""
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha], cwd=self.path, env=GIT_ENV, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        return target


def months_of_history(path: Path) -> tuple[DatedRepo, list[str]]:
    """Five months of changes: an estate, a resize, a staging volume with a suppression, its extension,
    a policy edit; the suppression's last day falls between the last two commits."""
    repo = DatedRepo(path)
    shas = []
    repo.write({"iacgov.yaml": POLICY, "main.tf": PROVIDER + instance("web", "t3.medium")})
    shas.append(repo.commit("estate", "2026-07-02", author="Alice"))
    repo.write({"main.tf": PROVIDER + instance("web", "m5.xlarge")})
    shas.append(repo.commit("resize web", "2026-08-10"))
    scratch = ('# iacgov:ignore ENC001 reason="scratch space, no customer data" expires=2026-09-30\n')
    repo.write({"staging.tf": volume("scratch", 200, "staging", scratch)})
    shas.append(repo.commit("staging scratch volume", "2026-09-03", author="Bob"))
    repo.write({"staging.tf": volume("scratch", 200, "staging", scratch.replace("2026-09-30", "2026-10-15"))})
    shas.append(repo.commit("keep scratch a little longer", "2026-09-20"))
    repo.write({"iacgov.yaml": POLICY.replace("staging: 100", "staging: 300"),
                "main.tf": PROVIDER + instance("web", "m5.xlarge") + instance("api", "t3.small")})
    shas.append(repo.commit("api server, staging budget", "2026-11-04"))
    return repo, shas
