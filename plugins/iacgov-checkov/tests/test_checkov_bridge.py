"""The checkov bridge: command line, JSON to findings, families, skips as
governed suppressions, failures as exit 2 — against a real checkov when one is
configured ($IACGOV_CHECKOV, as CI does), and against a recording stand-in
executable for what must hold whatever checkov version is installed."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from iacgov.api import Finding, Location, Policy, RuleContext, Severity
from iacgov.engine import ScanRequest, exit_code, scan
from iacgov.model import SourceFile
from iacgov.plugins import load_plugins
from iacgov.reporters.sarif import build_sarif
from iacgov_checkov import bridge

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_CHECKOV = os.environ.get("IACGOV_CHECKOV") or shutil.which("checkov")
needs_checkov = pytest.mark.skipif(not REAL_CHECKOV, reason="no checkov executable ($IACGOV_CHECKOV)")


def _host(*disabled):
    return load_plugins(disabled=["cfn-lint", "acme", *disabled])


def _fake_checkov(tmp_path: Path, output: object, rc: int = 1) -> tuple[Path, Path]:
    """An executable outside the scan root that records its argv and working
    directory, and prints ``output`` as checkov would."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    record = folder / "calls.jsonl"
    payload = folder / "payload.json"
    payload.write_text(json.dumps(output))
    exe = folder / "checkov"
    exe.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"open({str(record)!r}, 'a').write(json.dumps({{'argv': sys.argv[1:], 'cwd': os.getcwd(), "
        f"'env': sorted(k for k in os.environ if k.startswith(('BC_', 'CKV_')))}}) + '\\n')\n"
        f"sys.stdout.write(open({str(payload)!r}).read())\nsys.exit({rc})\n")
    exe.chmod(0o755)
    return exe, record


def _project(tmp_path: Path, policy: str = "") -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(FIXTURES / "skips" / "main.tf", root / "main.tf")
    (root / "iacgov.yaml").write_text("version: 1\n" + policy)
    return root


def _report(root: Path, check_id: str = "CKV_AWS_145", severity=None) -> list:
    record = {
        "check_id": check_id, "check_name": "Ensure that S3 buckets are encrypted with KMS by default",
        "check_result": {"result": "FAILED"}, "file_abs_path": str(root / "main.tf"), "file_path": "/main.tf",
        "file_line_range": [1, 4], "resource": "aws_s3_bucket.logs", "severity": severity, "guideline": None,
        "check_class": "checkov.terraform.checks.resource.aws.S3DefaultEncryptionKMS",
    }
    return [{"check_type": "terraform", "results": {"failed_checks": [record], "passed_checks": [],
                                                    "skipped_checks": [], "parsing_errors": []},
             "summary": {"checkov_version": "3.3.30"}}]


def test_failed_checks_become_findings_with_checkovs_id_family_file_and_line(tmp_path, monkeypatch):
    root = _project(tmp_path)
    exe, calls = _fake_checkov(tmp_path, _report(root))
    monkeypatch.setenv("IACGOV_CHECKOV", str(exe))
    monkeypatch.setenv("BC_API_KEY", "secret")
    result = scan(ScanRequest(paths=(root,), root=root), _host())
    (finding,) = [f for f in result.findings if f.code == "CKV_AWS_145"]
    assert (finding.family, finding.severity, finding.address) == ("ENC", Severity.ERROR, "aws_s3_bucket.logs")
    assert finding.location == Location("main.tf", 1, end_line=4)
    assert finding.message == "Ensure that S3 buckets are encrypted with KMS by default."
    meta = result.rules["CKV_AWS_145"]
    assert meta.name == "s3-default-encryption-kms" and meta.family == "ENC"
    assert meta.help_uri == "https://www.checkov.io/5.Policy%20Index/terraform.html"
    (call,) = [json.loads(line) for line in calls.read_text().splitlines()]
    argv = call["argv"]
    assert argv[argv.index("-f") + 1:] == [str(root / "main.tf")]
    assert {"--skip-download", "--compact"} <= set(argv) and "--quiet" not in argv
    assert argv[argv.index("--framework") + 1] == "terraform"
    assert argv[argv.index("--download-external-modules") + 1] == "false"
    # Nothing of the scanned repository configures checkov, and no platform key is passed on.
    assert not Path(call["cwd"]).is_relative_to(root) and "--config-file" in argv
    assert call["env"] == ["CKV_SKIP_PACKAGE_UPDATE_CHECK"]
    assert exit_code(result) == 1


def test_policy_selects_checks_and_severity(tmp_path, monkeypatch):
    root = _project(tmp_path, "checkov:\n  checks: [CKV_AWS_145]\n  skip_checks: [CKV_AWS_18, CKV2_AWS_6]\n"
                              "  severity: warning\n")
    exe, calls = _fake_checkov(tmp_path, _report(root))
    monkeypatch.setenv("IACGOV_CHECKOV", str(exe))
    result = scan(ScanRequest(paths=(root,), root=root), _host())
    assert [f.severity for f in result.findings if f.code == "CKV_AWS_145"] == [Severity.WARNING]
    argv = json.loads(calls.read_text().splitlines()[0])["argv"]
    assert argv[argv.index("--check") + 1] == "CKV_AWS_145"
    assert argv[argv.index("--skip-check") + 1] == "CKV_AWS_18,CKV2_AWS_6"


def test_checkov_severity_when_it_has_one_and_general_family_for_other_categories(tmp_path):
    root = tmp_path
    ctx = RuleContext(policy=Policy({}, "test"), root=root)
    files = [SourceFile(root / "main.tf", "main.tf")]
    result = bridge.convert(_report(root, "CKV_AWS_21", severity="LOW"), ctx, files)
    (finding,) = result.findings
    assert (finding.family, finding.severity) == ("BCK", Severity.NOTE)  # versioning: backup and recovery
    result = bridge.convert(_report(root, "CKV_AWS_130"), ctx, files)  # subnets: networking
    assert result.findings[0].family == "XCKV"
    result = bridge.convert(_report(root, "CKV_AWS_999999"), ctx, files)  # newer than the catalog
    assert result.findings[0].family == "XCKV" and result.rules["CKV_AWS_999999"].summary.startswith("Ensure")


def test_disabled_bridge_never_runs_checkov(tmp_path, monkeypatch, cli):
    root = _project(tmp_path)
    exe, calls = _fake_checkov(tmp_path, _report(root))
    monkeypatch.setenv("IACGOV_CHECKOV", str(exe))
    assert cli("-p", "no:checkov", "-p", "no:cfn-lint", "-p", "no:acme", "scan", root).exit_code in (0, 1)
    assert not calls.exists()
    (root / "iacgov.yaml").write_text("version: 1\ncheckov:\n  enabled: false\n")
    assert cli("-p", "no:cfn-lint", "-p", "no:acme", "scan", root).exit_code in (0, 1)
    assert not calls.exists()


def test_no_files_for_checkov_means_no_run(tmp_path, monkeypatch):
    exe, calls = _fake_checkov(tmp_path, [])
    monkeypatch.setenv("IACGOV_CHECKOV", str(exe))
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "README.md").write_text("nothing to scan\n")
    result = scan(ScanRequest(paths=(tmp_path / "repo",), root=tmp_path / "repo"), _host())
    assert not result.errors and not calls.exists()


@pytest.mark.parametrize("setup, message", [
    ("missing", "checkov bridge: no checkov executable: install checkov in its own environment"),
    ("inside", "is inside the scanned repository; iacgov never runs code from it"),
    ("exit2", "checkov bridge: checkov failed (exit code 2): "),
    ("garbage", "checkov bridge: checkov's output is not JSON: "),
])
def test_checkov_problems_fail_the_run_with_one_line(tmp_path, monkeypatch, cli, setup, message):
    root = _project(tmp_path)
    monkeypatch.delenv("IACGOV_CHECKOV", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    if setup == "inside":
        exe, _ = _fake_checkov(root, [])
        monkeypatch.setenv("IACGOV_CHECKOV", str(exe))
    elif setup == "exit2":
        exe, _ = _fake_checkov(tmp_path, [], rc=2)
        monkeypatch.setenv("IACGOV_CHECKOV", str(exe))
    elif setup == "garbage":
        exe, _ = _fake_checkov(tmp_path, "x")
        exe.write_text(f"#!{sys.executable}\nprint('Traceback: boom')\nraise SystemExit(1)\n")
        monkeypatch.setenv("IACGOV_CHECKOV", str(exe))
    result = cli("-p", "no:cfn-lint", "-p", "no:acme", "scan", root, "--format", "json")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback (most recent" not in result.stderr


@needs_checkov
def test_real_checkov_skips_are_suppressions_governed_by_the_policy(tmp_path, monkeypatch):
    monkeypatch.setenv("IACGOV_CHECKOV", REAL_CHECKOV)
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "skips", root)
    (root / "iacgov.yaml").write_text("version: 1\ncheckov:\n  checks: [CKV_AWS_18, CKV_AWS_21]\n")
    result = scan(ScanRequest(paths=(root,), root=root), _host())
    assert not result.errors
    by_key = {(f.code, f.address): f for f in result.findings if f.code.startswith("CKV")}
    logs = by_key[("CKV_AWS_18", "aws_s3_bucket.logs")]
    assert logs.family == "LOG" and logs.suppression is not None
    assert (logs.suppression.source, logs.suppression.kind) == ("checkov", "inline")
    assert logs.suppression.reason == "access logs of the log bucket itself would loop"
    assert logs.suppression.location == Location("main.tf", 2)
    archive = by_key[("CKV_AWS_18", "Archive")]
    assert archive.suppression is not None and archive.suppression.kind == "metadata"
    assert archive.suppression.reason == "archive is written once a year"
    quiet = by_key[("CKV_AWS_21", "aws_s3_bucket.quiet")]  # no reason: refused, the finding stays
    assert quiet.suppression is None and "no reason given (checkov syntax)" in quiet.message
    assert by_key[("CKV_AWS_18", "aws_s3_bucket.quiet")].suppression is None

    (root / "iacgov.yaml").write_text("version: 1\ncheckov:\n  checks: [CKV_AWS_18]\nsuppressions:\n  locked: [LOG]\n")
    result = scan(ScanRequest(paths=(root,), root=root), _host())
    locked = {f.address: f for f in result.findings if f.code == "CKV_AWS_18"}
    for address in ("aws_s3_bucket.logs", "Archive"):
        assert locked[address].suppression is None and "LOG is locked" in locked[address].message


@needs_checkov
def test_real_checkov_on_the_demo_gives_one_valid_sarif(tmp_path, monkeypatch, validate_sarif):
    from conftest import DEMO  # plugins/conftest.py

    monkeypatch.setenv("IACGOV_CHECKOV", REAL_CHECKOV)
    result = scan(ScanRequest(paths=(DEMO,), root=DEMO), _host())
    assert not result.errors
    codes = {f.code for f in result.findings}
    assert "CKV_AWS_119" in codes and "LOC001" in codes  # checkov next to iacgov's own
    ledger = [f for f in result.findings if f.code == "CKV_AWS_119"]
    # checkov's file mode checks the module's file on its own (no module.archive. prefix); the module is
    # called once, so the bridge gives the finding iacgov's address.
    assert [(f.address, f.location.path, f.location.line, f.family) for f in ledger] == [
        ("Ledger", "cloudformation/ledger.yaml", 14, "ENC"),
        ("module.archive.aws_dynamodb_table.index", "terraform/modules/archive/main.tf", 5, "ENC")]
    log = validate_sarif(build_sarif(result))
    ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids)) and "CKV_AWS_119" in ids


@needs_checkov
def test_review_reports_each_checkov_skip_the_pr_adds_once(tmp_path, monkeypatch, cli):
    """With the bridge, a skip that hides a real checkov finding is reported by
    the bridge (its finding, suppressed); review's own reading of skip comments
    must not report it a second time. The refused skip (no reason) still hides
    the check from a checkov run outside iacgov: reported as a decision."""
    import subprocess

    monkeypatch.setenv("IACGOV_CHECKOV", REAL_CHECKOV)
    repo = tmp_path / "infra"
    repo.mkdir()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "p",
           "GIT_AUTHOR_EMAIL": "p@example.com", "GIT_COMMITTER_NAME": "p", "GIT_COMMITTER_EMAIL": "p@example.com"}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout

    git("init", "-q", "-b", "main")
    (repo / "iacgov.yaml").write_text("version: 1\ncheckov:\n  checks: [CKV_AWS_18, CKV_AWS_21]\n")
    for name in ("main.tf", "template.yaml"):
        text = (FIXTURES / "skips" / name).read_text()
        unskipped = [line for line in text.splitlines(keepends=True) if "checkov:skip" not in line]
        (repo / name).write_text("".join(unskipped) if name == "main.tf" else text)
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    base = git("rev-parse", "HEAD").strip()
    shutil.copy(FIXTURES / "skips" / "main.tf", repo / "main.tf")
    git("commit", "-q", "-am", "skips")

    result = cli("-p", "no:cfn-lint", "-p", "no:acme", "review", "--repo", repo, "--base", base, "--head", "HEAD",
                 "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    added = sorted((c["address"], c["line"], c["detail"]) for c in doc["changes"]
                   if c["change_class"] == "suppression_added")
    assert added == [
        ("aws_s3_bucket.logs", 2, "CKV_AWS_18 suppressed (inline): access logs of the log bucket itself would loop"),
        ("aws_s3_bucket.quiet", 7, "checkov skip of CKV_AWS_21 added (comment), no reason given"),
    ]


def _module_project(tmp_path: Path, calls: int) -> Path:
    root = tmp_path / "repo"
    (root / "modules" / "storage").mkdir(parents=True)
    (root / "modules" / "storage" / "main.tf").write_text(
        'variable "name" {\n  type = string\n}\n\nresource "aws_s3_bucket" "logs" {\n  bucket = var.name\n}\n')
    (root / "main.tf").write_text("".join(
        f'module "store{i}" {{\n  source = "./modules/storage"\n  name   = "acme-{i}"\n}}\n' for i in range(calls)))
    (root / "iacgov.yaml").write_text("version: 1\ncheckov:\n  checks: [CKV_AWS_18]\n")
    return root


@needs_checkov
def test_real_checkov_findings_in_a_module_called_once_get_the_module_address(tmp_path, monkeypatch):
    monkeypatch.setenv("IACGOV_CHECKOV", REAL_CHECKOV)
    root = _module_project(tmp_path, calls=1)
    result = scan(ScanRequest(paths=(root,), root=root), _host())
    assert not result.errors
    [finding] = [f for f in result.findings if f.code == "CKV_AWS_18"]
    assert (finding.address, finding.location.path, finding.location.line) == (
        "module.store0.aws_s3_bucket.logs", "modules/storage/main.tf", 5)
    assert "module.store0.aws_s3_bucket.logs" in {r.address for r in result.resources}


def test_a_block_standing_for_several_instances_keeps_checkovs_name(tmp_path):
    from iacgov.engine import ScanRequest as Request, parse_inventory

    root = _module_project(tmp_path, calls=2)
    inventory = parse_inventory(Request(paths=(root,), root=root), _host())
    finding = lambda line: Finding(  # noqa: E731
        code="CKV_AWS_18", message="m.", severity=Severity.ERROR, address="aws_s3_bucket.logs",
        location=Location("modules/storage/main.tf", line))
    assert [f.address for f in bridge.attribute_addresses([finding(5), finding(9)], inventory.resources)] == [
        "aws_s3_bucket.logs", "aws_s3_bucket.logs"]  # two instances at line 5; nothing at line 9
    once = parse_inventory(Request(paths=(_module_project(tmp_path / "once", calls=1),),
                                   root=tmp_path / "once" / "repo"), _host())
    assert [f.address for f in bridge.attribute_addresses([finding(5)], once.resources)] == [
        "module.store0.aws_s3_bucket.logs"]
