"""A policy diff's effect when two root modules call one module: findings of equal code, address, file and
attribute are told apart by root. Keyed without it, prod's BCK001 that the loosened prod minimum removes was
matched with dev's (still there), and the effect was empty."""

from __future__ import annotations

import json

from click.testing import CliRunner

from iacgov.cli import main

POLICY = "version: 1\ncost:\n  environment_tag: env\ncontinuity:\n  min_backup_retention_days: {dev: 14, prod: %d}\n"
DB = ('variable "env" {}\nresource "aws_db_instance" "this" {\n  engine = "postgres"\n'
      '  instance_class = "db.t3.micro"\n  allocated_storage = 20\n  storage_encrypted = true\n'
      '  backup_retention_period = 7\n  tags = { env = var.env }\n}\n')


def test_loosening_prods_minimum_removes_prods_finding_only(tmp_path):
    infra = tmp_path / "infra"
    (infra / "modules" / "db").mkdir(parents=True)
    (infra / "modules" / "db" / "main.tf").write_text(DB)
    for env in ("dev", "prod"):
        (infra / "envs" / env).mkdir(parents=True)
        (infra / "envs" / env / "main.tf").write_text(
            f'provider "aws" {{\n  region = "eu-west-3"\n}}\nmodule "db" {{\n  source = "../../modules/db"\n'
            f'  env    = "{env}"\n}}\n')
    (tmp_path / "old.yaml").write_text(POLICY % 14)
    (tmp_path / "new.yaml").write_text(POLICY % 7)
    result = CliRunner().invoke(main, ["policy", "diff", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"),
                                       "--scan", str(infra), "--format", "json"], catch_exceptions=False)
    effect = json.loads(result.output)["effect"]
    assert [(f["code"], f["address"]) for f in effect["disappear"]] == [("BCK001", "module.db.aws_db_instance.this")]
    assert "called by root module envs/prod" in effect["disappear"][0]["message"]
    assert effect["appear"] == []
