"""The CI formats people expect: GitHub annotations, GitLab Code Quality, JUnit XML."""

from __future__ import annotations

import json
import re

from junitparser import Error, Failure, JUnitXml

from iacgov.engine import ScanRequest, scan
from iacgov.fingerprint import fingerprint
from iacgov.plugins import load_plugins
from iacgov.reporters.github import GithubReporter
from iacgov.reporters.gitlab import GitlabReporter
from iacgov.reporters.junit import JunitReporter

from conftest import DEMO

# for_each keys become part of the address: anything can come through them.
HOSTILE_TF = r'''provider "aws" {
  region = "us-east-1"
}

resource "aws_sqs_queue" "q" {
  for_each = toset(["\u001b[31m<b>&x</b>", "]]></failure>"])
  name     = each.key
}
'''


def _demo():
    return scan(ScanRequest(paths=(DEMO,)), load_plugins())


def test_github_annotations_point_at_file_and_line():
    result = _demo()
    lines = GithubReporter().render(result).splitlines()
    findings = list(result.active_findings())
    assert len([l for l in lines if l.startswith(("::error ", "::warning ", "::notice "))]) >= len(findings)
    pattern = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),title=([^:]+)::(.+)$")
    for finding, line in zip(findings, lines):
        m = pattern.match(line)
        assert m, line
        assert m.group(2) == finding.location.path and int(m.group(3)) == finding.location.line


def test_github_annotation_escapes_newlines_and_percent():
    from iacgov.reporters.github import escape_data, escape_property

    assert escape_data("a\nb%c\r") == "a%0Ab%25c%0D"
    assert escape_property("x:y,z") == "x%3Ay%2Cz"
    assert "\n::" not in escape_data("name\n::error::injected")


def test_gitlab_code_quality_fields():
    result = _demo()
    issues = json.loads(GitlabReporter().render(result))
    findings = list(result.active_findings())
    assert len(issues) == len(findings) > 0
    for issue, finding in zip(issues, findings):
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == finding.location.path
        assert issue["location"]["lines"]["begin"] == finding.location.line >= 1
        assert issue["fingerprint"] == fingerprint(finding)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_junit_round_trips_through_a_junit_parser(tmp_path):
    result = _demo()
    path = tmp_path / "iacgov.xml"
    path.write_text(JunitReporter().render(result))
    xml = JUnitXml.fromfile(str(path))
    cases = [(suite.name, case) for suite in xml for case in suite]
    failed = {(case.classname, case.name) for _, case in cases if any(isinstance(r, Failure) for r in case.result)}
    expected = {(f.code, f.address) for f in result.active_findings()}
    assert failed == expected
    # a rule that found nothing is a passing test case
    passing_rules = {case.classname for _, case in cases if not case.result}
    assert passing_rules == set(result.rules) - {f.code for f in result.active_findings()}


def test_junit_survives_control_characters_and_markup(tmp_path):
    (tmp_path / "main.tf").write_text(HOSTILE_TF)
    result = scan(ScanRequest(paths=(tmp_path,)), load_plugins())
    assert len(list(result.active_findings())) == 2
    out = tmp_path / "j.xml"
    out.write_text(JunitReporter().render(result))
    xml = JUnitXml.fromfile(str(out))  # parses: well-formed XML
    names = sorted(case.name for suite in xml for case in suite if case.classname == "LOC001")
    assert names == ['aws_sqs_queue.q["\\x1b[31m<b>&x</b>"]', 'aws_sqs_queue.q["]]></failure>"]']


def test_junit_parse_errors_are_errored_cases(tmp_path):
    (tmp_path / "broken.tf").write_text("resource {{{\n")
    result = scan(ScanRequest(paths=(tmp_path,)), load_plugins())
    out = tmp_path / "j.xml"
    out.write_text(JunitReporter().render(result))
    xml = JUnitXml.fromfile(str(out))
    errored = [case.name for suite in xml for case in suite if any(isinstance(r, Error) for r in case.result)]
    assert errored == ["broken.tf"]
