"""The demo scanned with both bridges: checkov's and cfn-lint's findings next
to iacgov's own, in one SARIF valid against the shared schema, each rule once."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from conftest import DEMO

CHECKOV = os.environ.get("IACGOV_CHECKOV") or shutil.which("checkov")


@pytest.mark.skipif(not CHECKOV, reason="no checkov executable ($IACGOV_CHECKOV)")
def test_demo_sarif_with_checkov_and_cfn_lint(cli, validate_sarif, tmp_path, monkeypatch):
    monkeypatch.setenv("IACGOV_CHECKOV", CHECKOV)
    demo = tmp_path / "demo"
    shutil.copytree(DEMO, demo)
    # An invalid property in the provider's template: cfn-lint's E3002 must block.
    template = demo / "cloudformation" / "ledger.yaml"
    template.write_text(template.read_text().replace("BillingMode:", "BillingMod:", 1))
    out = tmp_path / "demo.sarif"
    result = cli("-p", "no:acme", "scan", demo, "--region", "eu-west-3", "--output", f"sarif:{out}")
    assert result.exit_code == 1, result.stderr
    log = validate_sarif(json.loads(out.read_text()))
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    codes = {r["ruleId"] for r in run["results"]}
    assert {"LOC001", "CKV_AWS_119", "XCFN_E3002"} <= codes
    assert all(r["ruleIndex"] == ids.index(r["ruleId"]) for r in run["results"])
    cfn = next(r for r in run["results"] if r["ruleId"] == "XCFN_E3002")
    assert cfn["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "cloudformation/ledger.yaml"
    assert cfn["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "Ledger"
    ckv = run["tool"]["driver"]["rules"][ids.index("CKV_AWS_119")]
    assert "enc" in ckv["properties"]["tags"] and ckv["helpUri"].startswith("https://")
    assert run["invocations"][0]["executionSuccessful"] is True
