"""The report's data-location section asks the rule catalog (tags and finding
properties), not the built-in codes: a third-party rule tagged ``data-location``
shows there as LOC001, LOC002 and LOC003 do."""

from __future__ import annotations

import types
from pathlib import Path

from iacgov.api import ResourceRule, RuleContext, Severity, hookimpl, rule_meta_from_docstring
from iacgov.engine import ScanRequest
from iacgov.plugins import load_plugins
from iacgov.report.collect import collect
from iacgov.report.render import render_html
from iacgov.report.view import build

from htmlkit import read_page

DOC = """{code} — {summary}.

## What it flags

{summary}.

## Why it matters

ACME keeps its data where its contracts say.

## How to fix

Move it.
"""
ESTATE = ('provider "aws" {\n  region = "eu-west-3"\n}\n'
          'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n  tags = { env = "prod", app = "x" }\n}\n'
          'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n  tags = { env = "prod", app = "x" }\n}\n')
POLICY = "version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\n"


def _rule(code: str, tags: tuple[str, ...], kind: str, **properties: str) -> ResourceRule:
    """A third-party rule flagging every resource of ``kind``, with ``properties``."""

    class Rule(ResourceRule):
        meta = rule_meta_from_docstring(DOC.format(code=code, summary=f"ACME residency check {code}"), code=code,
                                        name=f"acme-{code.lower()}", severity=Severity.ERROR, security_severity=5.0,
                                        tags=tags)

        def check(self, resource, ctx: RuleContext):
            if resource.type == kind:
                yield self.finding(resource, f"{resource.address}: not where ACME's contract says", **properties)

    return Rule()


def _report(tmp_path: Path, *rules: ResourceRule):
    (tmp_path / "main.tf").write_text(ESTATE, encoding="utf-8")
    (tmp_path / "iacgov.yaml").write_text(POLICY, encoding="utf-8")
    plugin = types.ModuleType("acme_residency")
    plugin.iacgov_rules = hookimpl(lambda: list(rules))
    host = load_plugins(disabled=["builtin_rules", "checkov", "cfn-lint"], extra=[plugin])
    data = collect(ScanRequest(paths=(tmp_path,), root=tmp_path), host)
    return build(data, title="t", generated="2026-01-01").location, read_page(render_html(
        build(data, title="t", generated="2026-01-01")))


def test_a_third_party_location_rule_shows_in_the_location_section(tmp_path):
    location, page = _report(
        tmp_path,
        _rule("XACME101", ("data-location", "acme"), "aws_sqs_queue", region="eu-west-3"),
        _rule("XACME102", ("data-location", "replication"), "aws_s3_bucket", region="eu-west-3", copy="backup"),
        _rule("XACME103", ("data-location", "location-unknown"), "aws_s3_bucket"))
    # XACME101 judges the resources' own region: the queue's region is outside for it
    [aws] = location.clouds
    assert [(r.region, r.resources, r.outside, r.status) for r in aws.rows] == [("eu-west-3", 2, 2, "not-allowed")]
    assert location.outside_regions == ("eu-west-3 (AWS)",) and location.checked
    assert [(f.code, f.address) for f in location.copies] == [("XACME102", "aws_s3_bucket.data")]
    assert [(f.code, f.address) for f in location.undetermined] == [("XACME103", "aws_s3_bucket.data")]
    captions = page.text
    assert "backup copies outside the allowed regions (XACME102)" in captions
    assert "cannot be determined (XACME103)" in captions


def test_without_location_rules_the_regions_are_not_checked(tmp_path):
    location, page = _report(tmp_path, _rule("XACME104", ("acme",), "aws_sqs_queue", region="eu-west-3"))
    [aws] = location.clouds
    # a region property alone does not make a location finding: the rule is not tagged data-location
    assert [(r.region, r.outside, r.status, r.status_text) for r in aws.rows] == [
        ("eu-west-3", 0, "unchecked", "Not checked (no region rule is enabled)")]
    assert not location.checked and location.copies == () and location.undetermined == ()
    assert "Not checked: no rule that looks for copies is enabled." in page.text
