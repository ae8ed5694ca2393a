"""Coverage in every output, SARIF that says when it does not cover the
repository, suppressed findings kept in SARIF as suppressions.

The tree below leaves out one Terraform file (syntax error), one plan (bad
JSON) and one CloudFormation resource (no ``Type``); what the outputs say
about it must agree everywhere.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from iacgov.engine import ScanRequest, scan
from iacgov.plugins import load_plugins

TF = 'provider "aws" {\n  region = "us-east-1"\n}\n\nresource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
CFN_TYPELESS = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
                "  Broken:\n    Properties:\n      BucketName: x\n")


def _partial_tree(root: Path) -> Path:
    (root / "main.tf").write_text(TF)
    (root / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n')
    (root / "plan.json").write_text('{"format_version": "1.2", "planned_values": {')
    (root / "stack.yaml").write_text(CFN_TYPELESS)
    return root


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    root = _partial_tree(tmp_path_factory.mktemp("partial"))
    return scan(ScanRequest(paths=(root,), root=root), load_plugins())


def _reporter(name: str):
    return {r.name: r for r in load_plugins().collect("iacgov_reporters")}[name]


def test_the_parsers_tag_what_they_leave_out(partial):
    left_out = {(n.scope, n.subject) for n in partial.coverage.not_analysed}
    assert left_out == {("file", "broken.tf"), ("file", "plan.json"), ("resource", "Broken")}
    cov = partial.coverage.as_dict()
    assert (cov["complete"], cov["files_not_analysed"], cov["modules_not_analysed"], cov["resources_not_analysed"]) \
        == (False, 2, 0, 1)
    assert cov["resources_analysed"] == 2  # aws_sqs_queue.jobs and Queue


def test_text_ends_with_what_was_and_was_not_analysed(partial):
    out = _reporter("text").render(partial)
    tail = out.rstrip("\n").split("\n")[-4:]
    assert re.fullmatch(r"Analysed \d+ files, 2 resources; not analysed: 2 files, 1 resource\.", tail[0]), tail
    assert re.fullmatch(r"  file      broken\.tf: cannot parse broken\.tf: .*", tail[1]), tail
    assert re.fullmatch(r"  file      plan\.json: plan\.json: cannot parse plan JSON: .*", tail[2]), tail
    assert re.fullmatch(r"  resource  Broken \(stack\.yaml:5\): stack\.yaml: resource Broken has no resource type.*",
                        tail[3]), tail


def test_text_lists_at_most_twenty_left_out_then_a_count(tmp_path):
    resources = "".join(f"  Broken{i:02d}:\n    Properties: {{}}\n" for i in range(25))
    (tmp_path / "stack.yaml").write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n" + resources)
    result = scan(ScanRequest(paths=(tmp_path,), root=tmp_path), load_plugins())
    lines = _reporter("text").render(result).rstrip("\n").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Analysed "))
    assert lines[start] == "Analysed 1 file, 1 resource; not analysed: 25 resources."
    assert len(lines) - start - 1 == 21
    assert lines[start + 1].startswith("  resource  Broken00 (stack.yaml:4): ")
    assert lines[-1] == "  … and 5 more (--format json or sarif lists them all)"


def test_json_and_sarif_carry_the_same_counts_and_sarif_says_it_did_not_succeed(partial, validate_sarif):
    data = json.loads(_reporter("json").render(partial))
    assert data["coverage"] == json.loads(json.dumps(partial.coverage.as_dict()))
    assert {(n["scope"], n["subject"]) for n in data["notifications"] if n["scope"]} == \
        {("file", "broken.tf"), ("file", "plan.json"), ("resource", "Broken")}
    log = validate_sarif(json.loads(_reporter("sarif").render(partial)))
    (run,) = log["runs"]
    assert run["properties"]["coverage"] == data["coverage"]
    assert run["invocations"][0]["executionSuccessful"] is False
    texts = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("broken.tf" in t for t in texts) and any("plan.json" in t for t in texts)
    assert run["results"], "what was analysed is still reported"


def test_a_complete_scan_says_so_and_succeeds(tmp_path, validate_sarif):
    (tmp_path / "main.tf").write_text(TF)
    result = scan(ScanRequest(paths=(tmp_path,), root=tmp_path), load_plugins())
    assert _reporter("text").render(result).endswith("Analysed 1 file, 1 resource; nothing left out.\n")
    run = validate_sarif(json.loads(_reporter("sarif").render(result)))["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["properties"]["coverage"]["complete"] is True


def test_markdown_github_and_junit_summaries_say_it(partial):
    md = _reporter("markdown").render(partial)
    assert "**Coverage:** Analysed" in md and "not analysed: 2 files, 1 resource." in md
    assert "<details><summary>Not analysed (3)</summary>" in md and "- resource `Broken (stack.yaml:5)`:" in md
    last = _reporter("github").render(partial).splitlines()[-1]
    assert last.startswith("::warning title=iacgov coverage::Analysed ") and last.endswith(
        "not analysed: 2 files, 1 resource.")
    suite = ET.fromstring(_reporter("junit").render(partial)).find("testsuite[@name='coverage']")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert (props["complete"], props["files_not_analysed"], props["resources_not_analysed"]) == ("false", "2", "1")
    assert suite.get("skipped") == "3" and len(suite.findall("testcase/skipped")) == 3


def test_html_report_has_a_coverage_section(tmp_path, cli):
    (tmp_path / "repo").mkdir()
    root = _partial_tree(tmp_path / "repo")
    out = tmp_path / "report.html"
    assert cli("report", root, "--output", out).exit_code == 1
    html = out.read_text(encoding="utf-8")
    assert re.search(r'<dd id="coverage-summary">Analysed \d+ files, 2 resources; not analysed: 2 files, '
                     r'1 resource\.</dd>', html)
    # cells carry their column's name (data-label, for phones); names wrap after separators (<wbr>)
    rows = re.findall(r'<tr data-scope="([^"]+)"><td[^>]*>[^<]+</td><td[^>]*><code>([^<]+)</code>',
                      html.replace("<wbr>", ""))
    assert rows == [("file", "broken.tf"), ("file", "plan.json"), ("resource", "Broken")]


# ------------------------------------------------------------------ a parser that crashes


def test_a_parser_crash_is_exit_2_and_its_sarif_keeps_what_was_analysed(tmp_path, cli, monkeypatch, validate_sarif):
    from iacgov.parsers.cloudformation import CloudFormationParser

    def crash(self, files, options, root):
        raise RuntimeError("boom")
        yield  # a generator, as the real one

    monkeypatch.setattr(CloudFormationParser, "parse", crash)
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / "stack.yaml").write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
    out = tmp_path / "out.sarif"
    result = cli("scan", tmp_path, "--output", f"sarif:{out}", "--output", "text")
    assert result.exit_code == 2
    run = validate_sarif(json.loads(out.read_text()))["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert [r["ruleId"] for r in run["results"]] == ["LOC001"]  # the Terraform part still reported
    cov = run["properties"]["coverage"]
    assert cov["complete"] is False and cov["files_not_analysed"] == 1
    assert cov["not_analysed"][0]["subject"] == "stack.yaml"
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("parser 'cloudformation' crashed: RuntimeError: boom" in n for n in notes)
    assert "stack.yaml not analysed: the cloudformation parser crashed" in result.stdout


# ------------------------------------------------------------------ suppressions in SARIF

SUPPRESSED_TF = (
    'provider "aws" {\n  region = "us-east-1"\n}\n\n'
    '# iacgov:ignore LOC001 reason="queue for a US customer, approved by the CTO" expires=2099-06-30\n'
    'resource "aws_sqs_queue" "us" {\n  name = "us"\n}\n\n'
    'resource "aws_sqs_queue" "known" {\n  name = "known"\n}\n\n'
    'resource "aws_sqs_queue" "new" {\n  name = "new"\n}\n'
)


def test_suppressed_findings_stay_in_sarif_as_suppressions(tmp_path, cli, validate_sarif, monkeypatch):
    (tmp_path / "main.tf").write_text(SUPPRESSED_TF)
    baseline = tmp_path / "baseline.json"
    monkeypatch.chdir(tmp_path)
    # the baseline records today's findings, then "new" is added after it was written
    tf_before = SUPPRESSED_TF.replace('resource "aws_sqs_queue" "new" {\n  name = "new"\n}\n', "")
    (tmp_path / "main.tf").write_text(tf_before)
    assert cli("scan", ".", "--write-baseline", baseline, "--output", "json").exit_code == 0
    (tmp_path / "main.tf").write_text(SUPPRESSED_TF)

    out = tmp_path / "out.sarif"
    assert cli("scan", ".", "--baseline", baseline, "--output", f"sarif:{out}").exit_code == 1
    run = validate_sarif(json.loads(out.read_text()))["runs"][0]
    by_address = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r for r in run["results"]
                  if r["ruleId"] == "LOC001"}
    assert set(by_address) == {"aws_sqs_queue.us", "aws_sqs_queue.known", "aws_sqs_queue.new"}
    assert "suppressions" not in by_address["aws_sqs_queue.new"]
    (inline,) = by_address["aws_sqs_queue.us"]["suppressions"]
    assert inline["kind"] == "inSource" and inline["status"] == "accepted"
    assert inline["justification"] == "queue for a US customer, approved by the CTO"
    assert inline["properties"] == {"mechanism": "inline", "source": "iacgov", "expires": "2099-06-30"}
    assert inline["location"]["physicalLocation"]["artifactLocation"]["uri"] == "main.tf"
    assert inline["location"]["physicalLocation"]["region"]["startLine"] == 5
    (external,) = by_address["aws_sqs_queue.known"]["suppressions"]
    assert external["kind"] == "external" and external["status"] == "accepted"
    assert external["properties"]["mechanism"] == "baseline" and "location" not in external
    assert external["justification"]

    omitted = tmp_path / "omitted.sarif"
    assert cli("scan", ".", "--baseline", baseline, "--output", f"sarif:{omitted}",
               "--sarif-omit-suppressed").exit_code == 1
    run = validate_sarif(json.loads(omitted.read_text()))["runs"][0]
    assert [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in run["results"]
            if r["ruleId"] == "LOC001"] == ["aws_sqs_queue.new"]
    assert all("suppressions" not in r for r in run["results"])


def test_a_file_that_could_not_be_read_is_not_counted_as_analysed(partial):
    # main.tf, stack.yaml are read; broken.tf and plan.json are claimed but not analysed.
    assert partial.coverage.files_analysed == len(partial.files) - 2


def test_cost_of_a_path_that_does_not_exist_is_a_usage_error(tmp_path, cli):
    result = cli("cost", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.output.strip().endswith("nowhere: no such file or directory")
