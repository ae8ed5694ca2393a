"""Grouping, budgets, exit readiness and the unpriced count when one address is declared by several root modules.

Addresses repeat across root modules (``envs/dev`` and ``envs/prod`` each declaring ``aws_instance.web``,
two roots calling one shared module under the same name): each estimate line must take its own resource's
tags and declared application. A look-up by address gave every line of an address the tags and application
of the last root read, so an application over its budget could show $0.00 and no warning."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iacgov.cli import main

PROVIDER = 'provider "aws" {\n  region = "eu-west-3"\n}\n'


def _instance(name: str, size: str, tags: str) -> str:
    return (f'resource "aws_instance" "{name}" {{\n  ami           = "ami-0123456789abcdef0"\n'
            f'  instance_type = "{size}"\n  tags          = {{ {tags} }}\n}}\n')


def _estate(tmp_path: Path, policy: str) -> Path:
    """Two roots declaring aws_instance.web (shop's m5.xlarge, then blog's t3.micro), and two roots calling one
    module as module.app with different sizes and teams (same address, same file, same line)."""
    (tmp_path / "iacgov.yaml").write_text(policy)
    for root, size, tags in (("a-shop", "m5.xlarge", 'app = "shop", team = "red"'),
                             ("b-blog", "t3.micro", 'app = "blog", team = "blue"')):
        (tmp_path / "envs" / root).mkdir(parents=True)
        (tmp_path / "envs" / root / "main.tf").write_text(PROVIDER + _instance("web", size, tags))
    (tmp_path / "modules" / "app").mkdir(parents=True)
    (tmp_path / "modules" / "app" / "main.tf").write_text(
        'variable "size" {}\nvariable "team" {}\n' + _instance("this", "${var.size}", 'team = var.team, app = "batch"'))
    for root, size, team in (("c-batch", "m5.large", "red"), ("d-batch", "t3.small", "green")):
        (tmp_path / "stacks" / root).mkdir(parents=True)
        (tmp_path / "stacks" / root / "main.tf").write_text(
            PROVIDER + f'module "app" {{\n  source = "../../modules/app"\n  size = "{size}"\n  team = "{team}"\n}}\n')
    return tmp_path


def _cost_json(folder: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["cost", str(folder), "--root", str(folder), "--no-cache", "--format", "json",
                                       *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _rows(data: dict, key: str) -> dict[str, tuple[float, int]]:
    group = next(g for g in data["groups"] if g["keys"] == [key])
    return {r["values"][key]: (r["monthly"], r["resources"]) for r in group["rows"]}


def _monthly(data: dict, address: str) -> list[float]:
    return sorted(r["monthly"] for r in data["resources"] if r["address"] == address)


def test_each_line_takes_its_own_resources_tags(tmp_path):
    data = _cost_json(_estate(tmp_path, "version: 1\n"), "--group-by", "team")
    web, app = _monthly(data, "aws_instance.web"), _monthly(data, "module.app.aws_instance.this")
    assert len(web) == 2 and len(app) == 2 and web[0] != web[1] and app[0] != app[1]
    shop, blog = max(web), min(web)  # m5.xlarge, t3.micro
    red_batch, green_batch = max(app), min(app)  # m5.large, t3.small
    rows = _rows(data, "team")
    assert rows["red"] == (round(shop + red_batch, 2), 2)
    assert rows["blue"] == (blog, 1)
    assert rows["green"] == (green_batch, 1)


def test_an_application_budget_counts_its_own_roots_resource(tmp_path):
    policy = ("version: 1\napplications:\n  shop:\n    budget: 150\n    match: {paths: [\"envs/a-shop/**\"]}\n"
              "  blog:\n    budget: 1000\n    match: {paths: [\"envs/b-blog/**\"]}\n")
    folder = _estate(tmp_path, policy)
    data = _cost_json(folder, "--group-by", "app")
    shop, blog = max(_monthly(data, "aws_instance.web")), min(_monthly(data, "aws_instance.web"))
    checks = {c["name"]: c for c in data["budget_checks"]}
    assert checks["shop"]["monthly"] == shop and checks["shop"]["over"] is True  # $163.52 > $150
    assert checks["blog"]["monthly"] == blog and checks["blog"]["over"] is False
    assert _rows(data, "application")["shop"] == (shop, 1)

    scan = CliRunner().invoke(main, ["scan", str(folder), "--root", str(folder), "--no-cache", "--format", "json"],
                              catch_exceptions=False)
    warnings = [f for f in json.loads(scan.stdout)["findings"] if f["code"] == "COST003"]
    assert [(f["file"], f["properties"]["name"], f["properties"]["over"]) for f in warnings] == [
        ("envs/a-shop/main.tf", "shop", True)]


def test_exit_readiness_costs_each_groups_own_resources(tmp_path):
    folder = _estate(tmp_path, "version: 1\n")
    data = _cost_json(folder)
    web = {r["file"]: r["monthly"] for r in data["resources"] if r["address"] == "aws_instance.web"}
    batch = _monthly(data, "module.app.aws_instance.this")  # one module file, two roots, two sizes
    result = CliRunner().invoke(main, ["exit", str(folder), "--root", str(folder), "--no-cache", "--format", "json"],
                                catch_exceptions=False)
    groups = {g["application"]: g for g in json.loads(result.stdout)["applications"]}
    assert float(groups["shop"]["monthly_cost"]) == web["envs/a-shop/main.tf"]
    assert float(groups["blog"]["monthly_cost"]) == web["envs/b-blog/main.tf"]
    assert float(groups["batch"]["monthly_cost"]) == round(sum(batch), 2) and batch[0] != batch[1]


def test_unpriced_resources_are_counted_one_by_one(tmp_path):
    folder = _estate(tmp_path, "version: 1\n")
    result = CliRunner().invoke(main, ["cost", str(folder), "--root", str(folder), "--no-cache"],
                                catch_exceptions=False)
    # four instances, each with a root volume the AMI sizes: four resources, though two addresses
    assert "unpriced items on 4 resources" in result.output, result.output
