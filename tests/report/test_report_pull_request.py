"""``iacgov report --base``: the provider pull request as the review engine
judges it (decisions and authorities, approvals, cost delta, new and resolved
findings), then the head under the base policy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal

import pytest

from conftest import FIXTURES
from htmlkit import read_page
from iacgov.report.view import signed_money

DEMO = FIXTURES / "review_demo"
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "Provider",
           "GIT_AUTHOR_EMAIL": "ops@provider.example", "GIT_COMMITTER_NAME": "Provider",
           "GIT_COMMITTER_EMAIL": "ops@provider.example", "GIT_AUTHOR_DATE": "2026-01-05T10:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-05T10:00:00Z", "SOURCE_DATE_EPOCH": "1767225600"}


def _git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True, text=True).stdout


def _commit(repo, tree, message):
    for entry in repo.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(tree, repo, dirs_exist_ok=True)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """fixtures/review_demo as a provider pull request: main, then provider/dr-and-resize."""
    repo = tmp_path_factory.mktemp("pr") / "infra"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "commit.gpgsign", "false")
    _commit(repo, DEMO / "base", "Company infrastructure")
    _git(repo, "checkout", "-q", "-b", "provider/dr-and-resize")
    _commit(repo, DEMO / "head", "DR copy of invoices, bigger database, scratch volume")
    return repo


@pytest.fixture
def in_env(monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def _review_json(cli, repo, *extra):
    result = cli("review", "--repo", repo, "--base", "main", "--head", "provider/dr-and-resize", *extra,
                 "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout), result.exit_code


def _report(cli, repo, tmp_path, *extra):
    out = tmp_path / "pr.html"
    result = cli("report", repo, "--base", "main", "--head", "provider/dr-and-resize", *extra, "--output", out)
    return result, read_page(out.read_text(encoding="utf-8")) if out.exists() else None


def test_pull_request_section_shows_what_the_review_decides(cli, repo, tmp_path, in_env):
    review, code = _review_json(cli, repo, "--approved-by", "bob")
    result, page = _report(cli, repo, tmp_path, "--approved-by", "bob")
    assert result.exit_code == code == 1
    assert result.stdout.endswith(": Not ready to merge: Needs approval from the CTO; 1 new blocking finding\n")

    decisions = page.tables["pr-decisions"][1:]
    assert [row.cells[0].split(" ", 1)[0] for row in decisions] == [c["code"] for c in review["changes"]]
    titles = {"cto": "CTO", "strategic": "Strategic committee"}
    for row, change in zip(decisions, review["changes"]):
        assert row.cells[1].startswith(titles[change["authority"]])
        assert row.cells[2] == change["address"] and row.cells[3] == change["detail"]
        assert row.cells[4].startswith(f"{change['file']}:{change['line']}")
    # the decisions of the demo PR: new region, deletion, downgrade, cost, suppression, pipeline
    assert [c["change_class"] for c in review["changes"]] == [
        "new_region", "stateful_delete", "security_downgrade", "cost_over_envelope", "suppression_added",
        "pipeline_change"]

    approvals = page.rows_by("pr-approvals", "data-authority")
    assert set(approvals) == {titles[a["authority"]] for a in review["required_approvals"]}
    for a in review["required_approvals"]:
        cells = approvals[titles[a["authority"]]]
        assert cells[2] == ", ".join(a["approvers"]) and cells[3] == (", ".join(a["approved_by"]) or "—")
        assert cells[4] == ("Approved" if a["satisfied"] else "Waiting for approval")
    assert approvals["CTO"][4] == "Waiting for approval" and approvals["Strategic committee"][3] == "bob"

    costs = page.rows_by("pr-cost-delta", "data-environment")
    assert set(costs) == set(review["cost"]["by_environment"])
    for env, c in review["cost"]["by_environment"].items():
        assert costs[env][1:4] == [f"${Decimal(c['base']):,.2f}", f"${Decimal(c['head']):,.2f}",
                                   signed_money(Decimal(c["delta"]))]
    assert costs["prod"][4] == "Over the envelope"  # +$942.54 against the $150 envelope

    new = page.tables["pr-new-findings"][1:]
    assert [(r.cells[1], r.cells[2]) for r in new] == [(f["code"], f["address"]) for f in review["new_findings"]]
    assert "pr-resolved-findings" not in page.tables and len(review["resolved_findings"]) == 0
    added = page.tables["pr-suppressions-added"][1:]
    assert [r.cells[1] for r in added] == [f["code"] for f in review["suppressions_added"]]
    assert "scratch space for batch jobs, no customer data (until 2099-06-30)" in added[0].cells[3]


def test_the_rest_of_the_page_is_the_head_under_the_base_policy(cli, repo, tmp_path, in_env):
    result, page = _report(cli, repo, tmp_path, "--approved-by", "bob")
    assert "judged by the base branch's policy iacgov.yaml" in " ".join(page.text.split())
    # the head's estimate: the same figure as the review's head total for prod
    review, _ = _review_json(cli, repo)
    head = Decimal(review["cost"]["by_environment"]["prod"]["head"])
    assert page.rows_by("cost-by-environment", "data-environment")["prod"][1] == f"${head:,.2f}"
    # the new LOC001 (locked against suppression) is also among the head's findings
    assert page.rows_by("findings-by-family", "data-family")["LOC"][2] == "1"


def test_approved_by_everyone_is_ready_unless_a_blocking_finding_is_new(cli, repo, tmp_path, in_env):
    result, page = _report(cli, repo, tmp_path, "--approved-by", "alice", "--approved-by", "bob")
    assert result.exit_code == 1  # the new LOC001 still blocks
    assert page.rows_by("pr-approvals", "data-authority")["CTO"][4] == "Approved"
    assert "1 new blocking finding" in page.text and "Needs approval" not in page.text


def test_pull_request_usage_errors(cli, repo, tmp_path, in_env):
    result = cli("report", repo, "--base", "no-such-ref", "--output", tmp_path / "x.html")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1 and "no-such-ref" in result.output
    result = cli("report", repo, "--head", "main")
    assert result.exit_code == 2 and "--head needs --base" in result.output
    (tmp_path / "u.yaml").write_text("{}\n", encoding="utf-8")
    result = cli("report", repo, "--base", "main", "--usage-file", tmp_path / "u.yaml")
    assert result.exit_code == 2 and "--usage-file does not apply with --base" in result.output
    assert not (tmp_path / "x.html").exists()
