"""The core / rule-pack boundary (issue 16 part B): the core never imports the
built-in pack, the review classifies with core knowledge alone, plugins fail
closed, and the shared helpers (reference index, IAM reading) behave as the
rules and the review rely on."""

from __future__ import annotations

from iacgov.model import Location, Resource
from iacgov.review.classify import classify_security
from iacgov.review.diff import ADDED, ResourceChange


def _resource(address: str, type_: str, attributes: dict) -> Resource:
    return Resource(address, type_, "aws", "terraform", Location("main.tf", 1), attributes)


def test_an_added_security_group_with_empty_lists_is_classified_not_a_crash():
    """terraform-aws-eks writes ``ingress { cidr_blocks = [] }``: flatten keeps
    the empty list as a leaf, which once crashed the review (unhashable)."""
    sg = _resource("aws_security_group.x", "aws_security_group", {
        "ingress": [{"cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"], "members": {}}]})
    decisions = classify_security([ResourceChange(ADDED, "", sg.address, None, sg)], [], None)
    assert [(d.change_class, d.detail) for d in decisions] == [
        ("security_downgrade", "public exposure added: ingress.0.ipv6_cidr_blocks=::/0")]


# --------------------------------------------------------------------------- without the rule pack

BASE_TF = '''provider "aws" {
  region = "eu-west-3"
}
resource "aws_db_instance" "billing" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  storage_encrypted   = true
  deletion_protection = true
}
resource "aws_efs_file_system" "shared" {
  encrypted = true
}
'''
HEAD_TF = '''provider "aws" {
  region = "eu-west-3"
}
resource "aws_efs_file_system" "shared" {
  encrypted = false
}
resource "aws_iam_role_policy_attachment" "ops" {
  role       = "ops"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
'''
# Run as a program, so that sys.modules shows what the run imported.
RUNNER = '''
import atexit, runpy, sys
atexit.register(lambda: print("imported: " + ",".join(sorted(m for m in sys.modules if m.startswith("iacgov_rules"))),
                              file=sys.stderr))
sys.argv = ["iacgov", *sys.argv[1:]]
runpy.run_module("iacgov", run_name="__main__")
'''


def _git(repo, *args):
    import subprocess

    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def _run(*args, cwd):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", RUNNER, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_without_the_rule_pack_no_rule_runs_and_the_review_still_classifies(tmp_path):
    """``-p no:builtin_rules`` removes every rule, and the review still sees the
    stateful deletion, the encryption turned off and the administrator grant:
    it classifies with the core's knowledge, and never imports the pack."""
    import json

    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "main.tf").write_text(BASE_TF)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "tag", "base")
    (repo / "main.tf").write_text(HEAD_TF)
    _git(repo, "commit", "-q", "-am", "head")

    rules = _run("-p", "no:builtin_rules", "rules", "--format", "json", cwd=repo)
    assert rules.returncode == 0, rules.stderr
    assert json.loads(rules.stdout)["rules"] == []
    assert "imported: \n" in rules.stderr

    review = _run("-p", "no:builtin_rules", "review", "--repo", repo, "--base", "base", "--head", "HEAD",
                  "--format", "json", cwd=repo)
    assert review.returncode in (0, 1), review.stderr
    assert review.stderr.endswith("imported: \n"), review.stderr
    decisions = {(d["change_class"], d["address"]) for d in json.loads(review.stdout)["changes"]}
    assert {("stateful_delete", "aws_db_instance.billing"),
            ("security_downgrade", "aws_efs_file_system.shared"),
            ("admin_access_change", "aws_iam_role_policy_attachment.ops")} <= decisions
    # The same review with the pack classifies the same (findings aside).
    with_pack = _run("review", "--repo", repo, "--base", "base", "--head", "HEAD", "--format", "json", cwd=repo)
    assert {(d["change_class"], d["address"], d["detail"]) for d in json.loads(with_pack.stdout)["changes"]} >= {
        (d["change_class"], d["address"], d["detail"]) for d in json.loads(review.stdout)["changes"]
    }


# --------------------------------------------------------------------------- plugins fail closed

TYPO_PACK = '''
from iacgov.api import hookimpl


@hookimpl
def iacgov_rule():  # one letter short of iacgov_rules: pluggy would never call it
    return []
'''


def test_a_misspelled_hook_fails_the_run_naming_it(tmp_path):
    info = tmp_path / "site" / "typo_pack-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: typo-pack\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[iacgov]\ntypo = typo_pack\n")
    (tmp_path / "site" / "typo_pack.py").write_text(TYPO_PACK)
    (tmp_path / "code").mkdir()
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])}
    scan = [sys.executable, "-m", "iacgov", "scan", str(tmp_path / "code"), "--no-cache"]
    result = subprocess.run(scan, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert ("iacgov: error: plugin 'typo' implements unknown hook 'iacgov_rule' (did you mean 'iacgov_rules'?)"
            in result.stderr)
    assert "Traceback" not in result.stderr
    disabled = subprocess.run([*scan[:3], "-p", "no:typo", *scan[3:]], capture_output=True, text=True, env=env,
                              timeout=120)
    assert disabled.returncode == 0, disabled.stderr


# --------------------------------------------------------------------------- rule documentation


def test_a_rule_class_docstring_is_refused_not_silently_read():
    """In a class body ``__doc__`` is the class's docstring when it has one: the
    rule's documentation (the module's docstring) would be replaced without a word."""
    import pytest

    source = '''"""XMOD001 — From the module.

## What it flags
m
"""
from iacgov.api import Severity, rule_meta_from_docstring


class ModuleDocumented:
    meta = rule_meta_from_docstring(__doc__, code="XMOD001", name="m", severity=Severity.NOTE, security_severity=1.0)


class ClassDocumented:
    """XCLS001 — From the class."""

    meta = rule_meta_from_docstring(__doc__, code="XCLS001", name="c", severity=Severity.NOTE, security_severity=1.0)
'''
    namespace: dict = {"__name__": "xpack"}
    with pytest.raises(TypeError, match=r"XCLS001: rule_meta_from_docstring got the docstring of class "
                                        r"ClassDocumented \(xpack\); a rule's documentation is its module's"):
        exec(compile(source, "xpack.py", "exec"), namespace)
    assert namespace["ModuleDocumented"].meta.summary == "From the module."


# --------------------------------------------------------------------------- money


def test_one_money_formatter_for_every_output():
    """Scan messages, the cost report, the review's decisions, its text table
    and its Markdown comment all write an amount through format_money: the
    sign first (a negative amount was "$-1,234.50" in two of them), cents
    rounded half up, another currency after the amount."""
    from decimal import Decimal

    from iacgov.cost.model import format_money
    from iacgov.cost.report import show_money
    from iacgov.review import classify, render_markdown, render_text

    assert [format_money(Decimal(v)) for v in ("1234.565", "-1234.5", "-0.004", "0")] == [
        "$1,234.57", "-$1,234.50", "$0.00", "$0.00"]
    assert format_money(Decimal("12.5"), "EUR", signed=True) == "+12.50 EUR"
    assert format_money(Decimal("-12.5"), symbol=False) == "-12.50"
    assert show_money(Decimal("-5")) == classify._money(Decimal("-5")) == render_markdown._amount(Decimal("-5"), "USD")
    assert (classify._signed(Decimal("0")), render_text._signed(Decimal("-3.333")),
            render_markdown._delta(Decimal("0"), "USD"), render_markdown._delta(Decimal("7"), "USD")) == (
        "+$0.00", "-3.33", "$0.00", "+$7.00")
