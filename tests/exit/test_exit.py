"""iacgov exit on the fixture estates of fixtures/exit/: verdicts, blockers and
what lifts them, exit codes, and each estate's outputs against its goldens
(``python -m pytest tests/exit --update-goldens`` rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main

from conftest import FIXTURES

ESTATES = FIXTURES / "exit"
GOLDEN = {"text": "golden.txt", "json": "golden.json", "markdown": "golden.md"}


def run(estate: str, *args: str):
    folder = ESTATES / estate
    return CliRunner().invoke(main, ["exit", str(folder), "--root", str(folder), *args])


@pytest.mark.parametrize("estate", ["ready", "provider_key", "provider_state", "unknown"])
@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_outputs_match_goldens(estate, fmt, request):
    result = run(estate, "--format", fmt)
    assert result.exit_code == (0 if estate == "ready" else 1), result.output
    golden = ESTATES / estate / GOLDEN[fmt]
    if request.config.getoption("--update-goldens"):
        golden.write_text(result.output, encoding="utf-8")
    assert result.output == golden.read_text(encoding="utf-8")


def _app(estate: str) -> dict:
    data = json.loads(run(estate, "--format", "json").output)
    [app] = data["applications"]
    return data | {"app": app}


def test_ready_estate_is_ready_with_company_control_and_state():
    data = _app("ready")
    app = data["app"]
    assert data["verdict"] == app["verdict"] == "ready"
    assert (app["application"], app["environment"], app["tier"]) == ("billing", "prod", "critical")
    assert app["sections"]["control"]["items"][0]["status"] == "company"
    state = app["sections"]["state"]["items"][0]
    assert state["status"] == "company" and "acme-terraform-state" in state["text"]
    assert "DynamoDB table acme-terraform-locks" in state["text"]
    assert app["portability_classes"] == {"open_engine": 1, "open_standard": 1}
    assert app["blockers"] == [] and app["unknowns"] == []


def test_provider_only_key_blocks_with_what_lifts_it():
    app = _app("provider_key")["app"]
    assert app["verdict"] == "blocked"
    [blocker] = app["blockers"]
    assert blocker["subject"] == "aws_kms_key.billing"
    assert blocker["text"].startswith("ADM001 at main.tf:20:")
    assert "key policy" in blocker["lift"]
    assert app["sections"]["state"]["status"] == "ready"


def test_state_in_provider_account_blocks():
    app = _app("provider_state")["app"]
    assert app["verdict"] == "blocked"
    [blocker] = app["blockers"]
    assert blocker["status"] == "provider" and "222222222222" in blocker["text"]
    assert "migrate-state" in blocker["lift"]
    assert app["sections"]["control"]["status"] == "ready"


def test_unknown_when_the_policy_cannot_tell_provider_from_company():
    app = _app("unknown")["app"]
    assert app["verdict"] == "unknown" and app["blockers"] == []
    assert [u["subject"] for u in app["unknowns"]] == ["gcp", "."]


def test_markdown_has_the_runbook_skeleton_and_html_is_a_page():
    md = run("provider_state", "--format", "markdown").output
    assert "# Exit runbook (skeleton)" in md
    assert "- [ ] .: migrate the state" in md or "migrate the state to a bucket" in md
    page = run("provider_key", "--format", "html").output
    assert page.startswith("<!doctype html>") and "aws_kms_key.billing" in page and "<script" not in page


def test_backend_without_literal_owner_and_no_backend(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  tags = { app = "web" }\n}\n')
    (tmp_path / "iacgov.yaml").write_text(
        "version: 1\nadmin_access:\n  company_accounts: {aws: ['111111111111']}\n"
        "  provider_accounts: {aws: ['222222222222']}\napplications:\n  web: {}\n")
    result = CliRunner().invoke(main, ["exit", str(tmp_path), "--root", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    [app] = json.loads(result.output)["applications"]
    [state] = app["sections"]["state"]["items"]
    assert state["status"] == "unknown" and state["text"].startswith("no backend block")


def test_invalid_policy_is_a_usage_error(tmp_path):
    (tmp_path / "main.tf").write_text("")
    (tmp_path / "iacgov.yaml").write_text("version: 1\napplications:\n  web: {rpo_hours: -1}\n")
    result = CliRunner().invoke(main, ["exit", str(tmp_path), "--root", str(tmp_path)])
    assert result.exit_code == 2 and "rpo_hours" in result.output and "Traceback" not in result.output
