"""Review: an unknown cost delta and a plan's findings are judged in their own root module — envs/dev and
envs/prod declare the same addresses (audit bugs 6 and 7)."""

from __future__ import annotations

from tests.review.gitkit import pr, rcli, repo, review_json  # noqa: F401 - fixtures

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

