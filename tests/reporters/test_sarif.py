"""SARIF: valid against the official schema, with everything GitHub code scanning reads."""

from __future__ import annotations

import json
from pathlib import Path

from iacgov.engine import ScanRequest, scan
from iacgov.fingerprint import FINGERPRINT_KEY
from iacgov.plugins import load_plugins
from iacgov.reporters.sarif import build_sarif

from conftest import DEMO, REPO


def _demo_sarif(**kwargs):
    result = scan(ScanRequest(paths=(DEMO,), **kwargs), load_plugins())
    return result, build_sarif(result)


def test_demo_sarif_is_valid_and_complete_for_github(validate_sarif):
    result, log = _demo_sarif()
    validate_sarif(log)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert run["automationDetails"]["id"] == "iacgov/scan/"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    loc001 = rules["LOC001"]
    assert loc001["shortDescription"]["text"] and loc001["fullDescription"]["text"]
    assert loc001["help"]["text"] and "## How to fix" in loc001["help"]["markdown"]
    assert loc001["properties"]["precision"] == "very-high"
    assert float(loc001["properties"]["security-severity"]) == 7.5
    assert "data-location" in loc001["properties"]["tags"]

    assert run["results"], "the demo places resources outside the allowed regions"
    for res in run["results"]:
        loc = res["locations"][0]
        art = loc["physicalLocation"]["artifactLocation"]
        assert art["uriBaseId"] == "%SRCROOT%"
        assert not art["uri"].startswith("/") and (REPO / art["uri"]).is_file()
        assert loc["physicalLocation"]["region"]["startLine"] >= 1
        assert loc["logicalLocations"][0]["fullyQualifiedName"]
        assert len(res["partialFingerprints"][FINGERPRINT_KEY]) == 32
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]


def test_demo_reports_the_tfvars_region_on_the_aliased_provider(validate_sarif):
    _, log = _demo_sarif()
    hits = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r
        for r in log["runs"][0]["results"] if r["ruleId"] == "LOC001"
    }
    replica = hits["aws_s3_bucket.invoices_replica"]
    assert replica["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "fixtures/demo/terraform/main.tf"
    assert "us-east-1" in replica["message"]["text"]
    assert "aws_s3_bucket.invoices" not in hits  # the default provider's eu-west-3 is allowed


def test_fingerprints_survive_unrelated_edits_above_the_finding(tmp_path, validate_sarif):
    tf = 'provider "aws" {\n  region = "us-east-1"\n}\n\nresource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
    (tmp_path / "main.tf").write_text(tf)
    before = build_sarif(scan(ScanRequest(paths=(tmp_path,)), load_plugins()))["runs"][0]["results"]
    (tmp_path / "main.tf").write_text("# a comment\n\nlocals {\n  x = 1\n}\n\n" + tf)
    after = build_sarif(scan(ScanRequest(paths=(tmp_path,)), load_plugins()))["runs"][0]["results"]
    assert len(before) == len(after) == 1
    assert after[0]["locations"][0]["physicalLocation"]["region"]["startLine"] > \
        before[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert before[0]["partialFingerprints"] == after[0]["partialFingerprints"]


def test_parse_errors_are_tool_execution_notifications(tmp_path, validate_sarif):
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n')
    log = validate_sarif(build_sarif(scan(ScanRequest(paths=(tmp_path,)), load_plugins())))
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes and notes[0]["level"] == "error"
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.tf"
    assert "broken.tf" in notes[0]["message"]["text"]


def test_sarif_output_is_deterministic():
    first = json.dumps(_demo_sarif()[1])
    second = json.dumps(_demo_sarif()[1])
    assert first == second
    assert str(REPO) not in first  # no absolute paths


# Families whose findings are security-relevant: GitHub code scanning reads a rule's
# security-severity only when the rule is tagged "security".
SECURITY_FAMILIES = ("LOC", "ADM", "ENC", "LOG", "BCK", "COV")


def test_every_security_relevant_rule_is_tagged_security_in_sarif_and_the_catalog(cli, validate_sarif):
    from iacgov.engine import collect_rules

    rules = collect_rules(load_plugins())
    security = {r.meta.code for r in rules if r.meta.family in SECURITY_FAMILIES}
    assert {"LOC001", "ADM001", "ENC001", "LOG001", "BCK001"} <= security
    _, log = _demo_sarif()
    validate_sarif(log)
    descriptors = {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}
    for code in sorted(security):
        assert "security" in descriptors[code]["properties"]["tags"], code
    assert "security" not in descriptors["COST001"]["properties"]["tags"]
    assert "security" not in descriptors["TAG001"]["properties"]["tags"]

    catalog = {line.split()[0]: line.split()[2] for line in cli("rules").stdout.splitlines()}
    assert {code: catalog[code] for code in security} == {code: "security" for code in security}
    assert catalog["COST001"] == "-" and catalog["TAG001"] == "-"
    assert "tagged `security`" in cli("rule", "BCK001").stdout
    assert "not tagged `security`" in cli("rule", "TAG001").stdout
