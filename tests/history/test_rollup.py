"""iacgov rollup: three repositories' scan and cost results, a budget exceeded only on their sum;
inputs validated (version, shape), a repository appearing twice refused."""

from __future__ import annotations

import json
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from historykit import PROVIDER, instance  # noqa: E402

BRIDGES = ("-p", "no:checkov", "-p", "no:cfn-lint")
ESTATE_POLICY = "version: 1\ncost:\n  environment_tag: env\n  budgets: {prod: 400, dev: 1000}\n"
REPO_POLICY = ("version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\ncost:\n  environment_tag: env\n"
               "  budgets: {prod: 200}\n")


@pytest.fixture
def three(tmp_path, cli):
    """Three repositories, each within its own $200 prod budget; together over the estate's $400."""
    out = tmp_path / "results"
    out.mkdir()
    sizes = {"billing": "m5.xlarge", "shop": "m5.xlarge", "data": "m5.xlarge"}
    for name, size in sizes.items():
        repo = tmp_path / name
        repo.mkdir()
        (repo / "iacgov.yaml").write_text(REPO_POLICY)
        region = 'provider "aws" {\n  region = "us-east-1"\n}\n' if name == "data" else PROVIDER
        (repo / "main.tf").write_text(region + instance("app", size) + instance("dev", "t3.small", env="dev"))
        scan = cli(*BRIDGES, "scan", repo, "--format", "json", "--output", out / f"{name}.scan.json")
        assert scan.exit_code in (0, 1), scan.output
        cost = cli(*BRIDGES, "cost", repo, "--format", "json", "--output", out / f"{name}.cost.json")
        assert cost.exit_code == 0, cost.output
        assert json.loads((out / f"{name}.cost.json").read_text())["budgets"]["prod"]["over"] is False
    policy = tmp_path / "estate.yaml"
    policy.write_text(ESTATE_POLICY)
    return out, policy


def test_three_repositories_over_budget_only_on_the_sum(three, cli):
    out, policy = three
    files = sorted(out.iterdir())
    result = cli("rollup", *files, "--policy", policy, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [r["name"] for r in doc["repositories"]] == ["billing", "data", "shop"]
    prod = next(b for b in doc["budgets"] if b["name"] == "prod")
    parts = {k: float(v) for k, v in prod["by_repository"].items()}
    assert all(v <= 200 for v in parts.values()) and prod["over"] is True
    assert float(prod["monthly"]) == pytest.approx(sum(parts.values()), abs=0.011) and float(prod["monthly"]) > 400
    assert next(b for b in doc["budgets"] if b["name"] == "dev")["over"] is False
    assert set(doc["by_environment"]) == {"prod", "dev"} and set(doc["by_cloud"]) == {"aws"}
    assert doc["findings_by_family"]["LOC"] == {"data": 2}  # only data is in us-east-1
    text = cli("rollup", *files, "--policy", policy).stdout
    assert "Budget environment prod:" in text and "— OVER" in text


def test_estate_page_is_self_contained(three, cli, tmp_path, monkeypatch):
    out, policy = three
    monkeypatch.chdir(tmp_path)
    result = cli("rollup", *sorted(out.iterdir()), "--policy", policy, "-o", "estate.html")
    assert result.exit_code == 0 and "over budget on the sum: environment prod" in result.output
    page = (tmp_path / "estate.html").read_text()
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "Budgets checked on the sum" in page and '<span class="over">over</span>' in page

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack = []

        def handle_starttag(self, tag, attrs):
            if tag not in ("meta", "br", "link", "img", "input", "hr"):
                self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack.pop() == tag

    parser = Tags()
    parser.feed(page)
    assert parser.stack == []


def test_inputs_are_validated(three, cli, tmp_path):
    out, _ = three
    scan = out / "billing.scan.json"
    twice = cli("rollup", scan, f"billing={out / 'shop.scan.json'}")
    assert twice.exit_code == 2 and "repository billing appears twice" in twice.output
    copy = tmp_path / "billing-scan.json"
    copy.write_text(scan.read_text().replace('"files"', '"files" ', 1))
    again = cli("rollup", scan, copy)
    assert again.exit_code == 2 and "repository billing appears twice" in again.output
    newer = tmp_path / "x.json"
    newer.write_text(json.dumps({**json.loads(scan.read_text()), "version": 3}))
    result = cli("rollup", newer)
    assert result.exit_code == 2 and "x.json: scan result version 3" in result.output
    other = tmp_path / "y.json"
    other.write_text('{"runs": []}')
    result = cli("rollup", other)
    assert result.exit_code == 2 and "y.json: neither an iacgov scan result nor a cost estimate" in result.output
    broken = tmp_path / "z.json"
    broken.write_text('{"version": 1,\n "findings": [}')
    result = cli("rollup", broken)
    assert result.exit_code == 2 and "z.json:2: not JSON" in result.output
