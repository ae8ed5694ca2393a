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
    assert doc["version"] == 2 and doc["tool"]["name"] == "iacgov" and doc["tool"]["version"]
    assert [(e["code"], e["address"], e["file"]) for e in doc["findings"]] == [
        ("ENC001", "aws_db_instance.db", "main.tf"), ("LOC001", "aws_db_instance.db", "main.tf")]
    assert all(len(e["fingerprint"]) == 32 and set(e) == {"code", "address", "file", "stack", "fingerprint"}
               and e["stack"] == "." for e in doc["findings"])

    result = cli("scan", project, "--baseline", baseline)
    assert result.exit_code == 0, result.output
    assert "[existing: in baseline " in result.stdout
    assert "0 findings (0 blocking), 2 existing (baseline)" in result.stdout
    data = json.loads(cli("scan", project, "--baseline", baseline, "--format", "json").stdout)
    assert [f["suppression"]["kind"] for f in data["findings"]] == ["baseline", "baseline"]
    assert data["findings"][0]["suppression"]["file"] is None
    sarif = json.loads(cli("scan", project, "--baseline", baseline, "--format", "sarif").stdout)  # kept, marked
    assert [r["suppressions"][0]["kind"] for r in sarif["runs"][0]["results"]] == ["external", "external"]
    sarif = json.loads(cli("scan", project, "--baseline", baseline, "--format", "sarif",
                           "--sarif-omit-suppressed").stdout)
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
    ('{"version": 3, "findings": []}', "unsupported baseline version 3 (expected 2, or 1 from an earlier iacgov)"),
    ('{"version": true, "findings": []}', "unsupported baseline version True"),
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


# Two root modules calling one module (issue 15): envs/dev and envs/prod both
# have module "db" from modules/db, so their findings share file and address.

from test_fingerprint import two_roots  # noqa: E402 - the same layout as the fingerprint tests

# What iacgov wrote before fingerprints named the root module (version 1), for
# the findings of two_roots(dev="false"): one entry for dev's and prod's alike.
V1_BASELINE = """{
  "version": 1,
  "tool": {"name": "iacgov", "version": "0.1.0"},
  "findings": [{"code": "ENC001", "address": "module.db.aws_db_instance.main", "file": "modules/db/main.tf",
                "fingerprint": "ca8fbc2aa5a8916b7359253a67accb60"}]
}
"""
LEGACY_WARNING = ("baseline version 1 (fingerprints without the root module) read conservatively; "
                  "rewrite it with --write-baseline")
AMBIGUOUS = "1 entry matches findings of several root modules and marks none of them"


def _active(result) -> list[tuple[str, str]]:
    doc = json.loads(result.stdout)
    return [(f["code"], f["address"]) for f in doc["findings"] if f["suppression"] is None]


def test_a_new_violation_in_prod_blocks_when_dev_has_it_in_the_baseline(cli, tmp_path):
    project = two_roots(tmp_path, dev="false", prod="true")
    baseline = project / "baseline.json"
    assert cli("scan", project, "--write-baseline", baseline).exit_code == 0
    doc = json.loads(baseline.read_text())
    assert [(e["code"], e["file"], e["stack"]) for e in doc["findings"]] == [
        ("ENC001", "modules/db/main.tf", "envs/dev")]
    assert cli("scan", project, "--baseline", baseline).exit_code == 0

    (project / "envs" / "prod" / "main.tf").write_text((project / "envs" / "dev" / "main.tf").read_text())
    result = cli("scan", project, "--baseline", baseline, "--format", "json")
    assert result.exit_code == 1  # before: 0, prod's finding was taken for dev's
    assert _active(result) == [("ENC001", "module.db.aws_db_instance.main")]
    text = cli("scan", project, "--baseline", baseline)
    assert "1 finding (1 blocking) — ENC 1, 1 existing (baseline)" in text.stdout


def test_a_version_1_baseline_is_read_with_a_warning_and_matches_an_unambiguous_finding(cli, tmp_path):
    project = two_roots(tmp_path, dev="false", prod="true")
    baseline = project / "baseline.json"
    baseline.write_text(V1_BASELINE)
    result = cli("scan", project, "--baseline", baseline)
    assert result.exit_code == 0, result.output  # only dev's finding matches the entry: it is existing
    assert f"{baseline}: {LEGACY_WARNING}" in result.stdout
    assert "0 findings (0 blocking), 1 existing (baseline)" in result.stdout
    doc = json.loads(cli("scan", project, "--baseline", baseline, "--format", "json").stdout)
    warnings = [n for n in doc["notifications"] if "baseline version 1" in n["message"]]
    assert len(warnings) == 1 and warnings[0]["level"] == "warning"


def test_a_version_1_entry_matching_several_roots_marks_none_of_them(cli, tmp_path):
    project = two_roots(tmp_path, dev="false", prod="false")
    baseline = project / "baseline.json"
    baseline.write_text(V1_BASELINE)
    result = cli("scan", project, "--baseline", baseline, "--format", "json")
    assert result.exit_code == 1
    assert _active(result) == [("ENC001", "module.db.aws_db_instance.main")] * 2
    text = cli("scan", project, "--baseline", baseline).stdout
    assert (f"{baseline}: baseline version 1 (fingerprints without the root module) read conservatively; "
            f"{AMBIGUOUS}; rewrite it with --write-baseline") in text
    assert "2 findings (2 blocking)" in text


def test_write_baseline_upgrades_a_version_1_baseline(cli, tmp_path):
    project = two_roots(tmp_path, dev="false", prod="false")
    baseline = project / "baseline.json"
    baseline.write_text(V1_BASELINE)
    written = cli("scan", project, "--baseline", baseline, "--write-baseline", baseline)
    assert written.exit_code == 0, written.output
    assert f"wrote {baseline} (2 findings)" in written.stderr
    doc = json.loads(baseline.read_text())
    assert doc["version"] == 2
    assert [e["stack"] for e in doc["findings"]] == ["envs/dev", "envs/prod"]
    again = cli("scan", project, "--baseline", baseline)
    assert again.exit_code == 0 and "baseline version 1" not in again.stdout
    assert "0 findings (0 blocking), 2 existing (baseline)" in again.stdout


def test_a_version_1_baseline_named_by_the_policy_is_read_the_same_way(cli, tmp_path):
    project = two_roots(tmp_path, dev="false", prod="false")
    (project / "iacgov.yaml").write_text("version: 1\nsuppressions:\n  baseline: baseline.json\n")
    (project / "baseline.json").write_text(V1_BASELINE)
    result = cli("scan", project)
    assert result.exit_code == 1
    assert f"baseline.json: baseline version 1 (fingerprints without the root module) read conservatively; " \
           f"{AMBIGUOUS}" in result.stdout


def test_apply_on_a_version_1_baseline_is_conservative_and_ignores_suppressed_findings():
    loaded = parse_baseline(V1_BASELINE, "old.json")
    assert loaded.version == 1 and loaded.legacy

    def f(stack: str, suppression: Suppression | None = None) -> Finding:
        return Finding("ENC001", "m", Severity.ERROR, "module.db.aws_db_instance.main", Location("modules/db/main.tf", 8),
                       attribute="storage_encrypted", stack=stack, suppression=suppression)

    marked, told = loaded.apply([f("envs/dev"), f("envs/prod")])
    assert [m.suppression for m in marked] == [None, None]
    assert len(told) == 1 and told[0].level == Severity.WARNING and AMBIGUOUS in told[0].message
    # prod's finding suppressed inline: dev's is the only candidate left
    inline = Suppression("inline", "accepted in prod")
    marked, told = loaded.apply([f("envs/dev"), f("envs/prod", inline)])
    assert [m.suppression for m in marked] == [Suppression("baseline", "in baseline old.json"), inline]
    assert AMBIGUOUS not in told[0].message
    assert parse_baseline(baseline_text(marked), "new.json").apply(marked)[1] == []  # version 2: nothing to say
