"""File checks (bridges to other tools): the iacgov_file_checks hook, end to end."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from iacgov.api import CheckResult, Finding, Location, RuleMeta, Severity, Suppression, hookimpl
from iacgov.engine import ScanRequest, exit_code, scan
from iacgov.plugins import PluginError, load_plugins
from iacgov.reporters.sarif import build_sarif

TF = 'provider "aws" {\n  region = "eu-west-3"\n}\n\nresource "aws_s3_bucket" "logs" {\n  bucket = "x"\n}\n'


def _meta(code: str, family: str) -> RuleMeta:
    return RuleMeta(code=code, name="tool-check", summary="Tool check", description="A check of a tool.",
                    severity=Severity.ERROR, help_markdown="## What it flags\n\nIt.", family=family,
                    help_uri="https://tool.example/checks")


class ToolCheck:
    """A bridge double: one finding per Terraform file it is handed."""

    name = "tool"
    codes = "TOOL_*"
    summary = "A tool's checks."

    def __init__(self, suppression: Suppression | None = None, errors=(), crash=False):
        self.suppression, self.errors, self.crash = suppression, errors, crash
        self.seen = None

    def run(self, ctx):
        if self.crash:
            raise RuntimeError("kaput")
        self.seen = ctx
        findings = [
            Finding(code="TOOL_ENC_1", message="not encrypted", severity=Severity.ERROR,
                    address="aws_s3_bucket.logs", location=Location(f.relpath, 5, end_line=7), family="ENC",
                    suppression=self.suppression)
            for f in ctx.files.get("terraform", ())
        ]
        return CheckResult(findings=findings, rules={"TOOL_ENC_1": _meta("TOOL_ENC_1", "ENC")}, errors=self.errors)

    def describe(self, code):
        return _meta(code, "ENC") if code == "TOOL_ENC_1" else None


def _plugin(check, name="tool_bridge"):
    module = types.ModuleType(name)
    module.iacgov_file_checks = hookimpl(lambda: [check])
    return module


def _scan(tmp_path: Path, check, policy: str = "") -> object:
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / "iacgov.yaml").write_text("version: 1\n" + policy)
    return scan(ScanRequest(paths=(tmp_path,), root=tmp_path), load_plugins(extra=[_plugin(check)]))


def test_a_file_check_gets_the_files_by_parser_and_the_root_and_its_findings_are_reported(tmp_path, validate_sarif):
    check = ToolCheck()
    result = _scan(tmp_path, check)
    assert check.seen.root == tmp_path.resolve()
    assert [f.relpath for f in check.seen.files["terraform"]] == ["main.tf"]
    found = [f for f in result.findings if f.code == "TOOL_ENC_1"]
    assert [(f.family, f.location.path, f.location.line, f.address) for f in found] == [
        ("ENC", "main.tf", 5, "aws_s3_bucket.logs")]
    assert result.rules["TOOL_ENC_1"].family == "ENC"
    assert exit_code(result) == 1
    log = validate_sarif(build_sarif(result))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids.count("TOOL_ENC_1") == 1 and len(ids) == len(set(ids))
    descriptor = rules[ids.index("TOOL_ENC_1")]
    assert descriptor["helpUri"] == "https://tool.example/checks" and "enc" in descriptor["properties"]["tags"]
    sarif_result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "TOOL_ENC_1")
    assert sarif_result["ruleIndex"] == ids.index("TOOL_ENC_1")


def test_policy_rules_settings_apply_to_bridged_codes(tmp_path):
    result = _scan(tmp_path, ToolCheck(), "rules:\n  TOOL_ENC_1: {severity: note}\n")
    assert [f.severity for f in result.findings if f.code == "TOOL_ENC_1"] == [Severity.NOTE]
    result = _scan(tmp_path, ToolCheck(), "rules:\n  TOOL_ENC_1: {enabled: false}\n")
    assert not [f for f in result.findings if f.code == "TOOL_ENC_1"]


def test_a_tools_own_skip_is_a_suppression_governed_by_the_policy(tmp_path):
    skip = Suppression(kind="inline", reason="logs are public", source="tool", location=Location("main.tf", 6))
    result = _scan(tmp_path, ToolCheck(suppression=skip))
    (finding,) = [f for f in result.findings if f.code == "TOOL_ENC_1"]
    assert finding.suppression is not None and finding.suppression.source == "tool"
    assert finding.suppression.reason == "logs are public"

    # Locked by the family the bridge assigned (ENC), not by the code's letters.
    result = _scan(tmp_path, ToolCheck(suppression=skip), "suppressions:\n  locked: [ENC]\n")
    (finding,) = [f for f in result.findings if f.code == "TOOL_ENC_1"]
    assert finding.suppression is None
    assert "ENC is locked against suppression" in finding.message
    assert exit_code(result) == 1

    no_reason = Suppression(kind="inline", reason="", source="tool", location=Location("main.tf", 6))
    result = _scan(tmp_path, ToolCheck(suppression=no_reason))
    (finding,) = [f for f in result.findings if f.code == "TOOL_ENC_1"]
    assert finding.suppression is None and "no reason given (tool syntax)" in finding.message


def test_a_check_error_or_crash_fails_the_run_and_the_rules_still_report(tmp_path):
    result = _scan(tmp_path, ToolCheck(errors=("tool bridge: no tool executable",)))
    assert "tool bridge: no tool executable" in result.errors and exit_code(result) == 2
    result = _scan(tmp_path, ToolCheck(crash=True))
    assert any(e.startswith("file check 'tool' crashed: RuntimeError: kaput") for e in result.errors)
    assert exit_code(result) == 2


def test_a_bridged_code_that_a_rule_already_has_is_refused(tmp_path):
    class Clash(ToolCheck):
        def run(self, ctx):
            return CheckResult(rules={"LOC001": _meta("LOC001", "LOC")})

    with pytest.raises(PluginError, match="two plugins provide rule LOC001"):
        _scan(tmp_path, Clash())


def test_iacgov_rules_lists_the_bridge_and_rule_describes_its_codes(monkeypatch):
    from click.testing import CliRunner

    from iacgov import cli, plugins

    # The CLI imports iacgov.plugins.load_plugins when a command first needs the plugins (commands.common).
    with_tool = [_plugin(ToolCheck())]
    monkeypatch.setattr(plugins, "load_plugins", lambda disabled=(): load_plugins(disabled, extra=with_tool))
    out = CliRunner().invoke(cli.main, ["rules"]).output
    (line,) = [line for line in out.splitlines() if line.startswith("TOOL_*")]
    assert line.split(None, 3) == ["TOOL_*", "bridge", "tool", "A tool's checks."]
    page = CliRunner().invoke(cli.main, ["rule", "tool_enc_1"])
    assert page.exit_code == 0
    assert page.output.startswith("# TOOL_ENC_1 — Tool check\n")
    assert "- Family: ENC" in page.output and "https://tool.example/checks" in page.output
    assert CliRunner().invoke(cli.main, ["rule", "TOOL_NOPE_1"]).exit_code == 2
