"""Review: a finding is new or existing per root module. envs/dev and envs/prod
calling one module give findings of equal file and address (issue 15)."""

from __future__ import annotations

from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures

MODULE = ('variable "encrypted" {\n  type = bool\n}\n\nresource "aws_db_instance" "main" {\n'
          '  engine            = "postgres"\n  instance_class    = "db.t3.micro"\n'
          "  storage_encrypted = var.encrypted\n}\n")


def root(encrypted: str) -> str:
    return ('provider "aws" {\n  region = "eu-west-3"\n}\n\n'
            f'module "db" {{\n  source    = "../../modules/db"\n  encrypted = {encrypted}\n}}\n')


def test_prods_new_finding_is_new_when_dev_already_had_it(pr, review_json):
    repo, base, _ = pr({"modules/db/main.tf": MODULE, "envs/dev/main.tf": root("false"), "envs/prod/main.tf": root("true")},
                       {"envs/prod/main.tf": root("false")})
    code, doc = review_json(repo, base)
    assert code == 1
    assert [(f["code"], f["address"], f["file"], f["line"]) for f in doc["new_findings"]] == [
        ("ENC001", "module.db.aws_db_instance.main", "modules/db/main.tf", 8)]  # before: none, taken for dev's
    assert doc["resolved_findings"] == []
