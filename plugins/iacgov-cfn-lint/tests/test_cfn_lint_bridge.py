"""The cfn-lint bridge: cfn-lint's matches as XCFN_ findings with lines, its
Metadata ignores as governed suppressions, --region, lazy import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from iacgov.api import Location, Severity
from iacgov.engine import ScanRequest, exit_code, scan
from iacgov.plugins import load_plugins

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _scan(tmp_path: Path, *names: str, policy: str = "", region: str | None = None):
    from iacgov.model import ParseOptions

    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(FIXTURES / name, root / name)
    (root / "iacgov.yaml").write_text("version: 1\n" + policy)
    host = load_plugins(disabled=["checkov", "acme"])
    return scan(ScanRequest(paths=(root,), root=root, options=ParseOptions(region=region)), host)


def test_an_invalid_template_blocks_with_cfn_lints_rule_ids_and_lines(tmp_path):
    result = _scan(tmp_path, "invalid.yaml", region="eu-west-3")
    found = [(f.code, f.family, f.severity, f.address, f.attribute, f.location)
             for f in result.findings if f.code.startswith("XCFN_")]
    assert found == [
        ("XCFN_E3002", "XCFN", Severity.ERROR, "Bucket", "BucketNam", Location("invalid.yaml", 6, 7, 6)),
        ("XCFN_E3012", "XCFN", Severity.ERROR, "Queue", "DelaySeconds", Location("invalid.yaml", 10, 7, 10)),
    ]
    assert exit_code(result) == 1
    meta = result.rules["XCFN_E3012"]
    assert meta.family == "XCFN" and meta.help_uri.startswith("https://github.com/aws-cloudformation/cfn-lint")
    assert "cfn-lint" in meta.tags


def test_cfn_lint_metadata_ignores_are_suppressions_without_reason_so_refused(tmp_path):
    result = _scan(tmp_path, "ignored.yaml", region="eu-west-3")
    by_code = {f.code: f for f in result.findings if f.code.startswith("XCFN_")}
    assert set(by_code) == {"XCFN_E3012", "XCFN_W2001"}
    for finding in by_code.values():
        assert finding.suppression is None
        assert "no reason given (cfn-lint syntax)" in finding.message
    assert "ignored.yaml:16" in by_code["XCFN_E3012"].message  # the resource's ignore_checks
    assert "ignored.yaml:5" in by_code["XCFN_W2001"].message  # the template's


def test_policy_ignore_checks_and_severity_override(tmp_path):
    result = _scan(tmp_path, "invalid.yaml", region="eu-west-3",
                   policy="cfn_lint:\n  ignore_checks: [E3002]\nrules:\n  XCFN_E3012: {severity: warning}\n")
    assert [(f.code, f.severity) for f in result.findings if f.code.startswith("XCFN_")] == [
        ("XCFN_E3012", Severity.WARNING)]


def test_region_is_the_one_given(tmp_path):
    # p4d instances exist in us-east-1, not in eu-west-3 (cfn-lint's E3628).
    for name in "abc":
        (tmp_path / name).mkdir()
    eu = {(f.code, f.message) for f in _scan(tmp_path / "a", "region.yaml", region="eu-west-3").findings
          if f.code.startswith("XCFN_")}
    us = {(f.code, f.message) for f in _scan(tmp_path / "b", "region.yaml", region="us-east-1").findings
          if f.code.startswith("XCFN_")}
    assert us == set()
    assert [code for code, message in eu] == ["XCFN_E3628"]
    assert next(iter(eu))[1].endswith("in 'eu-west-3'")
    bad = _scan(tmp_path / "c", "region.yaml", region="mars-north-1")
    assert bad.errors == ("cfn-lint bridge: 'mars-north-1' is not a region cfn-lint knows",)


def test_nothing_of_cfn_lints_rules_is_imported_without_templates_or_when_disabled(tmp_path):
    # iacgov's own CloudFormation parser imports cfn-lint's decoder; the
    # bridge adds the rule modules (cfnlint.rules.resources...).
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {}\n')
    (tmp_path / "t.yaml").write_text((FIXTURES / "invalid.yaml").read_text())
    code = (
        "import sys, json\nfrom pathlib import Path\n"
        "from iacgov.engine import ScanRequest, scan\nfrom iacgov.plugins import load_plugins\n"
        "root = Path(sys.argv[1]); paths = tuple(root / p for p in sys.argv[3:])\n"
        "disabled = ['checkov', 'acme'] + sys.argv[2].split(',')\n"
        "scan(ScanRequest(paths=paths, root=root), load_plugins(disabled=[d for d in disabled if d]))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('cfnlint.rules.resources'))))\n"
    )

    def loaded(disabled: str, *paths: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path), disabled, *paths],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out.splitlines()[-1])

    assert loaded("", "main.tf") == []
    assert loaded("cfn-lint", "t.yaml") == []
    assert "cfnlint.rules.resources" in loaded("", "t.yaml")


def test_rule_pages_come_from_cfn_lint(cli):
    page = cli("-p", "no:checkov", "rule", "XCFN_E3012")
    assert page.exit_code == 0 and page.output.startswith("# XCFN_E3012 — ")
    assert "- Family: XCFN" in page.output
