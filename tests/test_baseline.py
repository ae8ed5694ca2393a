"""Baselines: --write-baseline records the current findings by fingerprint,
--baseline (or the policy's suppressions.baseline) reports them as existing,
not blocking; a new finding still blocks."""

from __future__ import annotations

import json

import pytest

from iacgov.baseline import BaselineError, baseline_text, parse_baseline
from iacgov.fingerprint import fingerprint
from iacgov.model import Finding, Location, Severity, Suppression

POLICY = "version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n"
PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'
DB = (
    'resource "aws_db_instance" "db" {\n'
    '  engine            = "postgres"\n'
    '  instance_class    = "db.t3.micro"\n'
    "  storage_encrypted = false\n"
    "}\n"
)
BUCKET = 'resource "aws_s3_bucket" "new" {\n  bucket = "new"\n}\n'


@pytest.fixture
def project(tmp_path):
    (tmp_path / "iacgov.yaml").write_text(POLICY)
    (tmp_path / "main.tf").write_text(PROVIDER + DB)
    return tmp_path


def test_write_then_read_makes_existing_findings_non_blocking(cli, project):
    baseline = project / "baseline.json"
    assert cli("scan", project).exit_code == 1

    written = cli("scan", project, "--write-baseline", baseline)
    assert written.exit_code == 0, written.output
    assert f"wrote {baseline} (2 findings)" in written.stderr
    doc = json.loads(baseline.read_text())
    assert doc["version"] == 1 and doc["tool"]["name"] == "iacgov" and doc["tool"]["version"]
    assert [(e["code"], e["address"], e["file"]) for e in doc["findings"]] == [
        ("ENC001", "aws_db_instance.db", "main.tf"), ("LOC001", "aws_db_instance.db", "main.tf")]
    assert all(len(e["fingerprint"]) == 32 and set(e) == {"code", "address", "file", "fingerprint"}
               for e in doc["findings"])

    result = cli("scan", project, "--baseline", baseline)
    assert result.exit_code == 0, result.output
    assert "[existing: in baseline " in result.stdout
    assert "0 findings (0 blocking), 2 existing (baseline)" in result.stdout
    data = json.loads(cli("scan", project, "--baseline", baseline, "--format", "json").stdout)
    assert [f["suppression"]["kind"] for f in data["findings"]] == ["baseline", "baseline"]
    assert data["findings"][0]["suppression"]["file"] is None
    sarif = json.loads(cli("scan", project, "--baseline", baseline, "--format", "sarif").stdout)
    assert sarif["runs"][0]["results"] == []


def test_a_new_finding_still_blocks(cli, project):
    baseline = project / "baseline.json"
    cli("scan", project, "--write-baseline", baseline)
    (project / "main.tf").write_text(PROVIDER + DB + BUCKET)
    result = cli("scan", project, "--baseline", baseline, "--format", "json")
    assert result.exit_code == 1
    active = [(f["code"], f["address"]) for f in json.loads(result.stdout)["findings"] if f["suppression"] is None]
    assert active == [("LOC001", "aws_s3_bucket.new")]


def test_fingerprints_survive_lines_added_above(cli, project):
    baseline = project / "baseline.json"
    cli("scan", project, "--write-baseline", baseline)
    before = json.loads(baseline.read_text())
    (project / "main.tf").write_text("# Company ERP\n\n" + PROVIDER + "\n# the database\n" + DB)
    assert cli("scan", project, "--baseline", baseline).exit_code == 0
    cli("scan", project, "--write-baseline", baseline)
    assert json.loads(baseline.read_text()) == before  # same bytes for the same findings


def test_a_fixed_finding_drops_out_of_the_next_baseline(cli, project):
    baseline = project / "baseline.json"
    cli("scan", project, "--write-baseline", baseline)
    (project / "main.tf").write_text(PROVIDER + DB.replace("= false", "= true"))
    cli("scan", project, "--baseline", baseline, "--write-baseline", baseline)
    assert [e["code"] for e in json.loads(baseline.read_text())["findings"]] == ["LOC001"]


def test_findings_suppressed_inline_are_not_written(cli, project):
    (project / "main.tf").write_text(PROVIDER + '# iacgov:ignore ENC001 reason="scratch"\n' + DB)
    baseline = project / "baseline.json"
    cli("scan", project, "--write-baseline", baseline)
    assert [e["code"] for e in json.loads(baseline.read_text())["findings"]] == ["LOC001"]


def test_the_policy_can_name_the_baseline(cli, project):
    (project / "iacgov.yaml").write_text(POLICY + "suppressions:\n  baseline: .iacgov-baseline.json\n")
    missing = cli("scan", project)
    assert missing.exit_code == 2
    assert "suppressions.baseline: .iacgov-baseline.json: baseline file not found" in missing.stderr
    assert cli("scan", project, "--write-baseline", project / ".iacgov-baseline.json").exit_code == 0
    assert cli("scan", project).exit_code == 0
    (project / "main.tf").write_text(PROVIDER + DB + BUCKET)
    assert cli("scan", project).exit_code == 1


@pytest.mark.parametrize("content, message", [
    (None, "baseline file not found"),
    ("{", "baseline.json:1: baseline file is not valid JSON: Expecting property name"),
    ("[]", "not an iacgov baseline (expected an object with a 'findings' list)"),
    ('{"version": 2, "findings": []}', "unsupported baseline version 2 (expected 1)"),
    ('{"version": 1, "findings": [{"code": "LOC001"}]}', "findings entry 1 has no valid 'fingerprint'"),
    (b"\xff\xfe", "baseline file is not UTF-8"),
])
def test_a_missing_or_corrupt_baseline_exits_2_with_one_line(cli, project, content, message):
    path = project / "baseline.json"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    result = cli("scan", project, "--baseline", path)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert message in line and "\n" not in line and "Traceback" not in result.output


def _finding(code: str, address: str, path: str, line: int = 1, suppression: Suppression | None = None) -> Finding:
    return Finding(code, "m", Severity.ERROR, address, Location(path, line), suppression=suppression)


def test_baseline_text_is_sorted_unique_and_deterministic():
    findings = [
        _finding("LOC001", "b", "z.tf"),
        _finding("ENC001", "a", "a.tf", 9),
        _finding("ENC001", "a", "a.tf", 3),  # same fingerprint: one entry
        _finding("LOG001", "c", "a.tf", suppression=Suppression("inline", "why")),
        _finding("TAG001", "d", "a.tf", suppression=Suppression("baseline", "in baseline x")),
    ]
    text = baseline_text(findings)
    assert text == baseline_text(list(reversed(findings)))
    entries = json.loads(text)["findings"]
    assert [(e["file"], e["code"]) for e in entries] == [("a.tf", "ENC001"), ("a.tf", "TAG001"), ("z.tf", "LOC001")]
    loaded = parse_baseline(text, "b.json")
    assert loaded.fingerprints == {fingerprint(f) for f in findings[:3] + findings[4:]}
    marked = loaded.mark(_finding("LOC001", "b", "z.tf", 40))
    assert marked.suppression == Suppression("baseline", "in baseline b.json")
    assert loaded.mark(_finding("LOC001", "other", "z.tf")).suppression is None


def test_baseline_error_is_a_configuration_error():
    from iacgov.policy import PolicyError

    with pytest.raises(PolicyError):
        parse_baseline("nope", "x.json")
    assert issubclass(BaselineError, PolicyError)
