"""The COST findings of roots declaring one address (two roots calling one module under the same name): each
finding names the root of the resource it is placed on, so a new finding in prod is not taken for dev's in a
baseline (they shared a fingerprint), and COST001 counts the resources with unpriced parts, not their addresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov.cli import main
from tests.review.gitkit import pr, rcli, repo, review_json  # noqa: F401 - fixtures

PROVIDER = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
MODULE = ('variable "env" {}\nvariable "size" {}\nresource "aws_instance" "this" {\n'
          '  ami           = "ami-0123456789abcdef0"\n  instance_type = var.size\n  tags          = { env = var.env }\n}\n')


def _root_text(env: str, size: str) -> str:
    return PROVIDER + f'module "vm" {{\n  source = "../../modules/vm"\n  env    = "{env}"\n  size   = "{size}"\n}}\n'


def _root(folder: Path, env: str, size: str) -> None:
    (folder / "envs" / env).mkdir(parents=True, exist_ok=True)
    (folder / "envs" / env / "main.tf").write_text(_root_text(env, size))


def _scan(folder: Path, *args: str):
    return CliRunner().invoke(main, ["scan", str(folder), "--root", str(folder), "--no-cache", "--format", "json",
                                     "--fail-on", "warning", *args], catch_exceptions=False)


@pytest.mark.parametrize("code, cost", [("COST002", "max_resource_monthly: 100"),
                                        ("COST001", "budgets: {dev: 100, prod: 100}")])
def test_a_new_finding_in_prod_is_not_taken_for_devs_baseline_one(tmp_path, code, cost):
    (tmp_path / "iacgov.yaml").write_text(f"version: 1\ncost:\n  environment_tag: env\n  {cost}\n")
    (tmp_path / "modules" / "vm").mkdir(parents=True)
    (tmp_path / "modules" / "vm" / "main.tf").write_text(MODULE)
    _root(tmp_path, "dev", "m5.4xlarge")
    _root(tmp_path, "prod", "t3.micro")
    baseline = tmp_path / "baseline.json"
    assert _scan(tmp_path, "--write-baseline", str(baseline)).exit_code == 0
    _root(tmp_path, "prod", "m5.4xlarge")
    result = _scan(tmp_path, "--baseline", str(baseline))
    assert result.exit_code == 1, result.output
    findings = [f for f in json.loads(result.stdout)["findings"] if f["code"] == code]
    assert len({f["fingerprint"] for f in findings}) == 2
    new = [f for f in findings if f["suppression"] is None]
    assert [f["properties"]["environment"] for f in new] == ["prod"]
    assert "root module envs/prod" in new[0]["message"]


def test_cost001_counts_resources_with_unpriced_parts_not_addresses(tmp_path):
    (tmp_path / "iacgov.yaml").write_text("version: 1\ncost:\n  environment_tag: env\n  budgets: {dev: 100}\n")
    for root in ("a", "b"):  # two dev roots, each declaring aws_instance.web (its root volume is unpriced)
        (tmp_path / "envs" / root).mkdir(parents=True)
        (tmp_path / "envs" / root / "main.tf").write_text(
            PROVIDER + 'resource "aws_instance" "web" {\n  ami           = "ami-0123456789abcdef0"\n'
            '  instance_type = "m5.xlarge"\n  tags          = { env = "dev" }\n}\n')
    findings = json.loads(_scan(tmp_path).stdout)["findings"]
    (cost001,) = [f for f in findings if f["code"] == "COST001"]
    assert "2 resources of dev have unpriced parts" in cost001["message"], cost001["message"]


def test_a_review_blocks_on_prods_new_cost001_beside_devs_old_one(pr, review_json):  # noqa: F811
    policy = ("version: 1\ncost:\n  environment_tag: env\n  budgets: {dev: 100, prod: 100}\n"
              "rules:\n  COST001:\n    severity: error\n")
    repo, base, _ = pr({"iacgov.yaml": policy, "modules/vm/main.tf": MODULE,
                        "envs/dev/main.tf": _root_text("dev", "m5.4xlarge"),
                        "envs/prod/main.tf": _root_text("prod", "t3.micro")},
                       {"envs/prod/main.tf": _root_text("prod", "m5.4xlarge")})
    code, doc = review_json(repo, base)
    assert code == 1 and doc["verdict"] == "blocked: 1 new blocking finding"
    assert [(f["code"], f["message"].split(" is ")[0]) for f in doc["new_findings"]] == [
        ("COST001", "Environment prod")]
