"""Review: an unknown cost delta and a plan's findings are judged in their own root module — envs/dev and
envs/prod declare the same addresses (audit bugs 6 and 7)."""

from __future__ import annotations

import json

from tests.review.gitkit import pr, rcli, repo, review_json  # noqa: F401 - fixtures
from tests.review.test_plan_mode import _change, _plan

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
POLICY = ("version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\ncost:\n  environment_tag: env\n"
          "  change_envelope: 100\napprovers:\n  cto: [alice]\n  strategic: [alice, bob]\n")
HUGE = "db.zz9.huge"  # not in the catalog


def db(env: str, size: str) -> str:
    return (AWS + 'resource "aws_db_instance" "app" {\n  engine            = "postgres"\n'
            f'  instance_class    = "{size}"\n  allocated_storage = 20\n  storage_encrypted = true\n'
            f'  tags = {{ env = "{env}" }}\n}}\n')


def over_envelope(doc: dict) -> list[tuple[str, str, str]]:
    return [(c["authority"], c["file"], c["environment"]) for c in doc["changes"]
            if c["change_class"] == "cost_over_envelope"]


def test_prods_unpriceable_size_is_unknown_when_dev_has_the_same_gap(pr, review_json):
    repo, base, _ = pr({"iacgov.yaml": POLICY, "envs/dev/main.tf": db("dev", HUGE),
                        "envs/prod/main.tf": db("prod", "db.t3.medium")},
                       {"envs/prod/main.tf": db("prod", HUGE)})
    code, doc = review_json(repo, base)
    assert over_envelope(doc) == [("cto", "envs/prod/main.tf", "prod")]  # before: provider, within the envelope
    assert doc["cost"]["by_environment"]["prod"]["unknown_because"] == [
        f"aws_db_instance.app: no price for rds:postgres:single-az:{HUGE} in eu-west-3 in the catalog"]
    assert code == 1


MODULE = ('variable "size" {}\nvariable "env" {}\nresource "aws_db_instance" "this" {\n'
          '  engine            = "postgres"\n'
          '  instance_class    = var.size\n  allocated_storage = 20\n  storage_encrypted = true\n'
          '  tags = { env = var.env }\n}\n')


def call(env: str, size: str) -> str:
    return AWS + f'module "db" {{\n  source = "../../modules/db"\n  env    = "{env}"\n  size   = "{size}"\n}}\n'


def test_a_shared_modules_gap_in_prod_is_unknown_when_dev_has_it_with_the_base_kept(pr, review_json):
    # Both roots' lines share the module's (address, file, line); the base side is read back kept the second time.
    repo, base, _ = pr({"iacgov.yaml": POLICY, "modules/db/main.tf": MODULE, "envs/dev/main.tf": call("dev", HUGE),
                            "envs/prod/main.tf": call("prod", "db.t3.medium")},
                           {"README.md": "docs\n"})
    review_json(repo, base)
    repo.write({"envs/prod/main.tf": call("prod", HUGE)})
    repo.commit("prod resized")
    code, doc = review_json(repo, base)
    assert [(a, e) for a, _, e in over_envelope(doc)] == [("cto", "prod")]
    assert doc["cost"]["by_environment"]["dev"]["unknown_because"] == []
    assert code == 1


def test_a_gap_moving_from_dev_to_prod_in_a_shared_module_stays_unknown(pr, review_json):
    # dev leaves the unpriceable size as prod takes it: only prod's head line has a gap, and it must be paired with
    # prod's resource (not the first of the module's (address, file, line)), else dev's old gap makes it "known".
    repo, base, _ = pr({"iacgov.yaml": POLICY, "modules/db/main.tf": MODULE, "envs/dev/main.tf": call("dev", HUGE),
                        "envs/prod/main.tf": call("prod", "db.t3.medium")},
                       {"envs/dev/main.tf": call("dev", "db.t3.medium"), "envs/prod/main.tf": call("prod", HUGE)})
    code, doc = review_json(repo, base)
    assert [(a, e) for a, _, e in over_envelope(doc)] == [("cto", "prod")]
    assert doc["cost"]["by_environment"]["prod"]["unknown_because"]
    assert code == 1


TAG_POLICY = ("version: 1\ndata_location:\n  allowed_regions:\n    aws: [eu-west-3]\ntags:\n  required: [owner]\n"
              "rules:\n  TAG001:\n    severity: error\napprovers:\n  cto: [alice]\n")
PROVIDER = "registry.terraform.io/hashicorp/aws"


def bucket(name: str, env: str, owner: bool) -> str:
    tags = f'env = "{env}", owner = "team-a"' if owner else f'env = "{env}"'
    return f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "acme-{name}-{env}"\n  tags = {{ {tags} }}\n}}\n'


def plan_file(tmp_path, env: str, names: list[str]) -> str:
    """A plan of ``env``'s root: each bucket updated, its owner tag dropped."""
    values = {n: {"bucket": f"acme-{n}-{env}", "tags": {"env": env}} for n in names}
    changes = [_change(f"aws_s3_bucket.{n}", "aws_s3_bucket", ["update"],
                       {**v, "tags": {**v["tags"], "owner": "team-a"}}, v) for n, v in values.items()]
    planned = [{"address": f"aws_s3_bucket.{n}", "mode": "managed", "type": "aws_s3_bucket", "name": n,
                "provider_name": PROVIDER, "values": v} for n, v in values.items()]
    path = tmp_path / f"{env}.plan.json"
    path.write_text(json.dumps(_plan(changes, planned)))
    return str(path)


def tagged(pr, dev_owner: bool):
    # dev's aws_s3_bucket.data has no owner tag (TAG001 in base) unless dev_owner; prod's has one; prod alone
    # has aws_s3_bucket.logs
    return pr({"iacgov.yaml": TAG_POLICY, "envs/dev/main.tf": AWS + bucket("data", "dev", dev_owner),
               "envs/prod/main.tf": AWS + bucket("data", "prod", True) + bucket("logs", "prod", True)}, {})


def new_tag_findings(doc: dict) -> list[tuple[str, str]]:
    return [(f["code"], f["address"]) for f in doc["new_findings"]]


def test_a_prod_plans_finding_is_new_when_only_dev_had_it(pr, review_json, tmp_path):
    repo, base, _ = tagged(pr, dev_owner=False)
    code, doc = review_json(repo, base, "--plan", plan_file(tmp_path, "prod", ["data", "logs"]))
    assert sorted(new_tag_findings(doc)) == [("TAG001", "aws_s3_bucket.data"), ("TAG001", "aws_s3_bucket.logs")]
    assert doc["resolved_findings"] == []  # dev's is not the plan's to resolve
    assert code == 1


def test_a_plan_whose_root_cannot_be_told_has_its_findings_new(pr, review_json, tmp_path):
    repo, base, _ = tagged(pr, dev_owner=False)  # aws_s3_bucket.data alone: in both roots
    code, doc = review_json(repo, base, "--plan", plan_file(tmp_path, "prod", ["data"]))
    assert new_tag_findings(doc) == [("TAG001", "aws_s3_bucket.data")]
    assert code == 1


def test_a_dev_plans_finding_dev_already_had_is_not_new(pr, review_json, tmp_path):
    repo, base, _ = tagged(pr, dev_owner=False)
    repo.write({"envs/dev/main.tf": AWS + bucket("data", "dev", False) + bucket("web", "dev", False)})
    base = repo.commit("dev's web bucket")  # dev alone has aws_s3_bucket.web: the plan is dev's
    code, doc = review_json(repo, base, "--plan", plan_file(tmp_path, "dev", ["data", "web"]))
    assert new_tag_findings(doc) == []
    assert code == 0


def db_plan(tmp_path, size: str) -> str:
    before = {"engine": "postgres", "instance_class": "db.t3.medium", "allocated_storage": 20,
              "storage_encrypted": True, "tags": {"env": "prod"}}
    after = {**before, "instance_class": size}
    planned = [{"address": "aws_db_instance.app", "mode": "managed", "type": "aws_db_instance", "name": "app",
                "provider_name": PROVIDER, "values": after}]
    path = tmp_path / "db.plan.json"
    path.write_text(json.dumps(_plan([_change("aws_db_instance.app", "aws_db_instance", ["update"], before, after)],
                                     planned)))
    return str(path)


def test_a_plans_unpriceable_size_is_an_unknown_delta(pr, review_json, tmp_path):
    # A plan's lines have no root module of the tree: compared with every root's line at the address, a gap
    # is known only when each of them has it.
    repo, base, _ = pr({"iacgov.yaml": POLICY, "envs/dev/main.tf": db("dev", HUGE),
                        "envs/prod/main.tf": db("prod", "db.t3.medium")}, {})
    code, doc = review_json(repo, base, "--plan", db_plan(tmp_path, HUGE))
    assert [a for a, _, _ in over_envelope(doc)] == ["cto"]
    assert code == 1


def test_a_single_roots_plan_with_an_unpriceable_size_is_an_unknown_delta(pr, review_json, tmp_path):
    repo, base, _ = pr({"iacgov.yaml": POLICY, "main.tf": db("prod", "db.t3.medium")}, {})
    code, doc = review_json(repo, base, "--plan", db_plan(tmp_path, HUGE))
    assert [a for a, _, _ in over_envelope(doc)] == ["cto"]
    assert code == 1
