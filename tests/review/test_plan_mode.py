"""Review with --plan: the head side is a Terraform plan, its change actions decide."""

from __future__ import annotations

import json

from tests.review.gitkit import classes, pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
DB = ('resource "aws_db_instance" "billing" {\n  engine            = "postgres"\n  instance_class    = "db.t3.micro"\n'
      '  allocated_storage = 20\n  storage_encrypted = true\n  tags = { env = "prod" }\n}\n')
QUEUE = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'


def _change(address: str, rtype: str, actions: list[str], before: dict | None, after: dict | None) -> dict:
    return {"address": address, "mode": "managed", "type": rtype, "name": address.split(".")[1],
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}}}


def _plan(changes: list[dict], planned: list[dict]) -> dict:
    return {
        "format_version": "1.2", "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "eu-west-3"}}}},
            "root_module": {"resources": [
                {"address": c["address"], "mode": "managed", "type": c["type"], "name": c["name"],
                 "provider_config_key": "aws"} for c in changes]},
        },
    }


def test_plan_actions_decide_deletes_and_replacements(pr, review_json, tmp_path):
    repo, base, _ = pr({"main.tf": AWS + DB + QUEUE}, {"main.tf": AWS + DB + QUEUE})
    db = {"engine": "postgres", "instance_class": "db.t3.micro", "allocated_storage": 20,
          "storage_encrypted": True, "tags": {"env": "prod"}}
    plan = _plan(
        [_change("aws_db_instance.billing", "aws_db_instance", ["delete", "create"], db, {**db, "engine": "mysql"}),
         _change("aws_sqs_queue.jobs", "aws_sqs_queue", ["delete"], {"name": "jobs"}, None)],
        [{"address": "aws_db_instance.billing", "mode": "managed", "type": "aws_db_instance", "name": "billing",
          "provider_name": "registry.terraform.io/hashicorp/aws", "values": {**db, "engine": "mysql"}}],
    )
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    code, doc = review_json(repo, base, "--plan", str(plan_file))
    decided = {(cls, address) for cls, _, address in classes(doc)}
    # The working tree says nothing changed; the plan says the database is replaced.
    assert ("stateful_delete", "aws_db_instance.billing") in decided
    assert code == 1 and doc["approvals_satisfied"] is False
    billing = next(c for c in doc["changes"] if c["address"] == "aws_db_instance.billing")
    assert billing["authority"] == "cto" and "replace" in billing["detail"]


def test_plan_file_missing_is_a_usage_error(pr, rcli, tmp_path):
    repo, base, _ = pr({"main.tf": AWS + QUEUE}, {"main.tf": AWS + QUEUE})
    result = rcli("--repo", repo.path, "--base", base, "--plan", tmp_path / "nope.json")
    assert result.exit_code == 2 and "no such file" in result.output
