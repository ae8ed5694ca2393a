"""The command line: exit codes, formats, outputs, run from anywhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO, REPO


def test_scan_demo_text(cli):
    result = cli("scan", DEMO)
    assert result.exit_code == 1
    out = result.stdout
    assert "fixtures/demo/terraform/main.tf" in out
    assert "LOC001" in out and "aws_s3_bucket.invoices_replica" in out
    assert "\x1b[" not in out  # no colour when not on a terminal
    assert "policy: fixtures/demo/iacgov.yaml" in out


def test_scan_json_shape(cli):
    result = cli("scan", DEMO, "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) >= {"version", "tool", "policy", "summary", "findings", "notifications", "errors"}
    assert data["summary"]["by_family"]["LOC"] == len([f for f in data["findings"] if f["family"] == "LOC"])
    finding = next(f for f in data["findings"] if f["address"] == "aws_s3_bucket.invoices_replica")
    assert finding["file"] == "fixtures/demo/terraform/main.tf" and finding["line"] >= 1
    assert finding["properties"]["region"] == "us-east-1"


def test_output_file_written_and_exit_code_kept(cli, tmp_path, validate_sarif):
    out = tmp_path / "results.sarif"
    result = cli("scan", DEMO, "--format", "sarif", "--output", out)
    assert result.exit_code == 1 and result.stdout == ""
    validate_sarif(json.loads(out.read_text()))


def test_clean_scan_exits_zero(cli, tmp_path):
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\nresource "aws_sqs_queue" "q" {}\n')
    result = cli("scan", tmp_path)
    assert result.exit_code == 0, result.output
    assert "0 findings" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["scan", "--format", "yaml"], "unknown format 'yaml'"),
        (["scan", "--var", "novalue"], "expected KEY=VALUE"),
        (["rule", "NOPE999"], "unknown rule 'NOPE999'"),
        (["scan", "--var-file", "missing.tfvars"], "--var-file missing.tfvars: no such file"),
    ],
)
def test_usage_errors_exit_2_with_one_line(cli, tmp_path, args, message):
    result = cli(*args, cwd=tmp_path)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_invalid_policy_exits_2_naming_file_line_and_key(cli, tmp_path):
    (tmp_path / "iacgov.yaml").write_text("version: 1\ndata_location:\n  allowed_regions:\n    aws: eu-west-3\n")
    result = cli("scan", tmp_path)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "iacgov.yaml:4: data_location.allowed_regions.aws:" in line and "\n" not in line


def test_policy_option_overrides_the_found_policy(cli, tmp_path):
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\nresource "aws_sqs_queue" "q" {}\n')
    assert cli("scan", tmp_path).exit_code == 1  # embedded default: EU only
    (tmp_path / "us.yaml").write_text("version: 1\ndata_location:\n  allowed_regions:\n    aws: [us-*]\n")
    assert cli("scan", tmp_path, "--policy", tmp_path / "us.yaml").exit_code == 0


def test_var_overrides_tfvars(cli, tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "region" {}\nprovider "aws" {\n  region = var.region\n}\nresource "aws_sqs_queue" "q" {}\n'
    )
    (tmp_path / "terraform.tfvars").write_text('region = "us-east-1"\n')
    assert cli("scan", tmp_path).exit_code == 1
    assert cli("scan", tmp_path, "--var", "region=eu-west-1").exit_code == 0


def test_init_writes_a_valid_starter_policy_and_never_overwrites(cli, tmp_path):
    assert cli("init", cwd=tmp_path).exit_code == 0
    written = (tmp_path / "iacgov.yaml").read_text()
    assert "allowed_regions" in written
    result = cli("init", cwd=tmp_path)
    assert result.exit_code == 2 and "already exists" in result.output
    assert (tmp_path / "iacgov.yaml").read_text() == written
    assert cli("scan", ".", cwd=tmp_path).exit_code == 0


def test_rules_catalog_and_rule_documentation(cli):
    catalog = cli("rules")
    assert catalog.exit_code == 0 and "LOC001" in catalog.stdout
    doc = cli("rule", "loc001")
    assert doc.exit_code == 0
    for section in ("## What it flags", "## Why it matters", "## How to fix", "## Options"):
        assert section in doc.stdout


def test_installed_command_from_another_directory(tmp_path, validate_sarif):
    """The console script, run outside the repository, scans the demo by path."""
    exe = shutil.which("iacgov", path=os.path.dirname(sys.executable)) or shutil.which("iacgov")
    assert exe, "the iacgov console script is not installed"
    proc = subprocess.run(
        [exe, "scan", str(DEMO / "terraform"), "--format", "sarif"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    log = validate_sarif(json.loads(proc.stdout))
    results = log["runs"][0]["results"]
    replica = [r for r in results if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
               == "aws_s3_bucket.invoices_replica"]
    assert replica and replica[0]["ruleId"] == "LOC001"
    # the policy is found at the demo root above the scanned directory
    assert "eu-west-3, eu-west-1" in replica[0]["message"]["text"]


def test_several_outputs_from_one_run(cli, tmp_path, validate_sarif):
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    result = cli("scan", DEMO, "--output", f"sarif:{sarif}", "--output", f"junit:{junit}", "--output", "text")
    assert result.exit_code == 1
    assert "LOC001" in result.stdout
    validate_sarif(json.loads(sarif.read_text()))
    assert junit.read_text().startswith("<?xml")


def test_only_one_output_to_stdout(cli):
    result = cli("scan", DEMO, "--output", "json", "--output", "text")
    assert result.exit_code == 2 and "only one output can go to stdout" in result.output


@pytest.mark.parametrize("fail_on, code", [("error", 1), ("never", 0)])
def test_fail_on(cli, fail_on, code):
    assert cli("scan", DEMO, "--fail-on", fail_on).exit_code == code


def test_fail_on_warning_counts_warnings(cli, tmp_path):
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\nresource "aws_sqs_queue" "q" {}\n')
    (tmp_path / "iacgov.yaml").write_text(
        "version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\nrules:\n  LOC001:\n    severity: warning\n"
    )
    assert cli("scan", tmp_path).exit_code == 0
    assert cli("scan", tmp_path, "--fail-on", "warning").exit_code == 1


def test_quiet_prints_nothing_but_keeps_exit_code_and_files(cli, tmp_path):
    out = tmp_path / "r.json"
    result = cli("scan", DEMO, "--quiet", "--output", f"json:{out}")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["findings"]


def test_a_failed_write_leaves_no_partial_file(cli, tmp_path):
    target = tmp_path / "missing-dir" / "r.sarif"
    result = cli("scan", DEMO, "--output", f"sarif:{target}")
    assert result.exit_code == 2 and "cannot write" in result.output
    assert not target.exists()


def test_text_shows_the_offending_line_once_under_its_findings(cli):
    out = cli("scan", DEMO).stdout.splitlines()
    i = out.index('        │ location                 = "eastus2"')
    assert "LOC001" in out[i - 1] and "azurerm_storage_account.exports" in out[i - 1]
    sql = [n for n, line in enumerate(out) if line.strip() == '│ resource "google_sql_database_instance" "analytics" {']
    # the three findings of line 6, each once, above the one excerpt of that line
    assert len(sql) == 1 and "TAG001" in out[sql[0] - 1] and "ENC003" in out[sql[0] - 2] \
        and "BCK001" in out[sql[0] - 3]


def test_context_lines_cannot_drive_the_terminal(cli, tmp_path):
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n'
                                      'resource "aws_sqs_queue" "q" { # \x1b]0;pwned\x07 \x1b[2J\n}\n')
    out = cli("scan", tmp_path).stdout
    assert "\x1b" not in out and "\\x1b]0;pwned\\x07" in out


def test_output_to_a_device_or_fifo_writes_into_it_and_never_replaces_it(cli, tmp_path):
    import stat
    import threading

    assert cli("scan", DEMO, "--output", "/dev/null").exit_code == 1
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null must stay a device"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo).read()))
    reader.start()
    assert cli("scan", DEMO, "--format", "json", "--output", fifo).exit_code == 1
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and json.loads(received[0])["findings"]


def test_output_through_a_symbolic_link_keeps_the_link(cli, tmp_path):
    target = tmp_path / "reports" / "r.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    cli("scan", DEMO, "--format", "json", "--output", link)
    assert link.is_symlink() and json.loads(target.read_text())["findings"]


def test_a_scan_path_that_does_not_exist_is_a_usage_error(cli, tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    missing = tmp_path / "nope"
    result = cli("scan", tmp_path, missing, "--format", "sarif")
    assert result.exit_code == 2
    assert result.stdout == ""  # no report, no "0 findings"
    assert result.stderr == f"Error: {missing}: no such file or directory\n"
    report = cli("report", missing, "--output", tmp_path / "r.html")
    assert report.exit_code == 2 and report.stderr == f"Error: {missing}: no such file or directory\n"
    assert not (tmp_path / "r.html").exists()


def test_no_output_is_written_through_a_link_out_of_the_working_directory(cli, tmp_path, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "victim"  # outside tmp_path's tree
    elsewhere.write_text("keep me\n")
    elsewhere.chmod(0o644)
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    (tmp_path / "iacgov.sarif").symlink_to(elsewhere)  # planted by the scanned repository
    result = cli("scan", ".", "-o", "sarif:iacgov.sarif", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: iacgov.sarif: not written: it is a link out of the working directory "
                             f"(to {elsewhere}); remove the link or choose another output path\n")
    assert elsewhere.read_text() == "keep me\n" and (elsewhere.stat().st_mode & 0o777) == 0o644
    assert (tmp_path / "iacgov.sarif").is_symlink()
    # a folder link leading out is refused the same way
    (tmp_path / "out").symlink_to(elsewhere.parent)
    assert cli("scan", ".", "-o", "json:out/r.json", cwd=tmp_path).exit_code == 2
    assert not (elsewhere.parent / "r.json").exists()


def test_a_link_inside_the_working_directory_is_followed_and_kept(cli, tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "r.json").write_text("old")
    (tmp_path / "latest.json").symlink_to(Path("reports") / "r.json")
    assert cli("scan", ".", "-f", "json", "-o", "latest.json", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "latest.json").is_symlink()
    assert "coverage" in json.loads((tmp_path / "reports" / "r.json").read_text())


def test_outputs_get_the_usual_permissions_not_the_temporary_files(cli, tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    previous = os.umask(0o022)
    try:
        assert cli("scan", ".", "-o", "json:new.json", cwd=tmp_path).exit_code == 0
        (tmp_path / "kept.json").write_text("old")
        (tmp_path / "kept.json").chmod(0o640)
        assert cli("scan", ".", "-o", "json:kept.json", cwd=tmp_path).exit_code == 0
    finally:
        os.umask(previous)
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "kept.json").stat().st_mode & 0o777 == 0o640
