"""Review decisions per root module: envs/dev and envs/prod declare the same addresses (or call one module under
the same name); each decision is routed, kept and placed by (root, address), never by the address alone — and
where the root cannot be told, by the strictest authority (audit of address collisions, bugs 1, 5, 8, 9, 12)."""

from __future__ import annotations

from dataclasses import replace

from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'


def grid(**decisions: str) -> str:
    return POLICY + "decisions:\n" + "".join(f"  {k}: {{{v}}}\n" for k, v in decisions.items())


def bucket(env: str, extra: str = "") -> str:
    return f'resource "aws_s3_bucket" "data" {{\n  bucket = "acme-data-{env}"\n  tags = {{ env = "{env}" }}\n{extra}}}\n'


def changes(doc: dict) -> list[tuple]:
    return [(c["change_class"], c["authority"], c["address"], c["file"], c.get("environment")) for c in doc["changes"]]


# --------------------------------------------------------------------------- bug 1: routing by (root, address)

def test_deleting_prods_bucket_is_routed_as_prod_when_dev_has_the_same_address(pr, review_json):
    repo, base, _ = pr({"iacgov.yaml": grid(stateful_delete="dev: provider, default: cto"),
                        "envs/dev/main.tf": AWS + bucket("dev"), "envs/prod/main.tf": AWS + bucket("prod")},
                       {"envs/prod/main.tf": AWS})
    code, doc = review_json(repo, base)
    # before: routed by dev's bucket (the first with the address): provider, "ready", exit 0
    assert changes(doc) == [("stateful_delete", "cto", "aws_s3_bucket.data", "envs/prod/main.tf", "prod")]
    assert doc["verdict"] == "blocked: needs approval from the CTO" and code == 1


MODULE = ('variable "env" {}\nresource "aws_db_instance" "this" {\n  engine              = "postgres"\n'
          '  instance_class      = "db.t3.micro"\n  allocated_storage   = 20\n  storage_encrypted   = true\n'
          '  deletion_protection = %s\n  tags = { env = var.env }\n}\n')


def caller(env: str) -> str:
    return AWS + f'module "db" {{\n  source = "../../modules/db"\n  env    = "{env}"\n}}\n'


def test_a_change_in_a_module_dev_and_prod_call_takes_the_strictest_authority(pr, review_json):
    repo, base, _ = pr({"iacgov.yaml": grid(security_downgrade="dev: provider, default: cto"),
                        "modules/db/main.tf": MODULE % "true", "envs/dev/main.tf": caller("dev"),
                        "envs/prod/main.tf": caller("prod")},
                       {"modules/db/main.tf": MODULE % "false"})
    code, doc = review_json(repo, base)
    # before: one decision routed by dev's instance (provider), "ready"; dev's and prod's are one change: prod's
    assert changes(doc) == [("security_downgrade", "cto", "module.db.aws_db_instance.this", "modules/db/main.tf",
                             "prod")]
    assert code == 1


# --------------------------------------------------------------------------- bug 5: companions judged per root

LIFECYCLE = '  lifecycle_rule {\n    enabled = true\n    transition {\n      days          = 30\n' \
            '      storage_class = "%s"\n    }\n  }\n'
VERSIONING = ('resource "aws_s3_bucket_versioning" "data" {\n  bucket = aws_s3_bucket.data.id\n'
              '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n')


def test_a_companion_on_devs_bucket_leaves_prods_storage_class_change_decided(pr, review_json):
    repo, base, _ = pr({"envs/dev/main.tf": AWS + bucket("dev", LIFECYCLE % "GLACIER"),
                        "envs/prod/main.tf": AWS + bucket("prod", LIFECYCLE % "GLACIER")},
                       {"envs/dev/versioning.tf": VERSIONING,
                        "envs/prod/main.tf": AWS + bucket("prod", LIFECYCLE % "DEEP_ARCHIVE")})
    code, doc = review_json(repo, base)
    # before: dev's companion judged "aws_s3_bucket.data" and prod's transition change was dropped: "ready"
    assert changes(doc) == [("storage_class_change", "cto", "aws_s3_bucket.data", "envs/prod/main.tf", "prod")]
    assert code == 1


# --------------------------------------------------------------------------- bug 8: admin decisions per root

ADMIN_POLICY = POLICY.replace("  environment_tag: env\n", "  environment_paths:\n    'envs/dev/**': dev\n"
                              "    'envs/prod/**': prod\n") + """\
admin_access:
  company_accounts:
    aws: ["111111111111"]
  provider_accounts:
    aws: ["222222222222"]
  break_glass:
    aws: ["arn:aws:iam::111111111111:role/break-glass"]
decisions:
  admin_access_change: {dev: cto, default: strategic}
"""
TLS = ('{ Sid = "TLS", Effect = "Deny", Principal = "*", Action = "s3:*",\n'
       '  Resource = [aws_s3_bucket.ledger.arn, "${aws_s3_bucket.ledger.arn}/*"],\n'
       '  Condition = { Bool = { "aws:SecureTransport" = "false" }%s } }')
GLASS = TLS % ', ArnNotLike = { "aws:PrincipalArn" = ["arn:aws:iam::111111111111:role/break-glass"] }'
LOCK = ('{ Sid = "OnlyTheProvider", Effect = "Deny", Principal = "*", Action = "s3:*",\n'
        '  Resource = [aws_s3_bucket.ledger.arn, "${aws_s3_bucket.ledger.arn}/*"],\n'
        '  Condition = { ArnNotLike = { "aws:PrincipalArn" = ["arn:aws:iam::222222222222:role/msp-*"] } } }')


def ledger(env: str, statement: str) -> str:
    return (AWS + f'resource "aws_s3_bucket" "ledger" {{\n  bucket = "acme-ledger-{env}"\n}}\n'
            'resource "aws_s3_bucket_policy" "ledger" {\n  bucket = aws_s3_bucket.ledger.id\n'
            f'  policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{statement}]\n  }})\n}}\n')


def test_devs_admin_change_leaves_prods_new_adm_finding_decided(pr, review_json):
    repo, base, _ = pr({"iacgov.yaml": ADMIN_POLICY, "envs/dev/main.tf": ledger("dev", TLS % ""),
                        "envs/prod/main.tf": ledger("prod", TLS % "")},
                       {"envs/dev/main.tf": ledger("dev", GLASS), "envs/prod/main.tf": ledger("prod", LOCK)})
    code, doc = review_json(repo, base)
    admin = [(c[1], c[3], c[4]) for c in changes(doc) if c[0] == "admin_access_change"]
    # before: dev's decision "decided" the address and prod's new ADM004 had none (the CTO alone)
    assert admin == [("cto", "envs/dev/main.tf", "dev"), ("strategic", "envs/prod/main.tf", "prod")]
    assert [a["authority"] for a in doc["required_approvals"]] == ["cto", "strategic"] and code == 1


# --------------------------------------------------------------------------- bug 12: drift twins

def test_drift_on_an_address_two_roots_declare_keeps_the_plans_own_location(pr, review_json, tmp_path):
    from tests.review.test_decision_grid import BUCKET, DRIFT_DB, DRIFT_PAB, DRIFT_PLAN, DRIFT_QUEUE

    root = AWS + DRIFT_DB + BUCKET + DRIFT_PAB + DRIFT_QUEUE
    tree = {"envs/a-prod/main.tf": root, "envs/b-dev/main.tf": root.replace('"prod"', '"dev"')}
    repo, base, _ = pr(tree, tree)
    plan = tmp_path / "plan.json"
    plan.write_bytes(DRIFT_PLAN.read_bytes())
    code, doc = review_json(repo, base, "--plan", str(plan))
    # before: moved to the last root's block of each address (envs/b-dev/main.tf:4, :20): the plan's root is unknown
    assert {d["file"] for d in doc["drift"]} == {"plan.json"}
    db = next(d for d in doc["drift"] if d["address"] == "aws_db_instance.billing")
    assert (db["authority"], db["line"]) == ("cto", 87) and code == 1


# --------------------------------------------------------------------------- bug 9: cost attribution per root

def web(env: str, size: str) -> str:
    return AWS + ('resource "aws_instance" "web" {\n  ami           = "ami-123"\n'
                  f'  instance_type = "{size}"\n  tags = {{ env = "{env}" }}\n}}\n')


def test_each_roots_resize_is_costed_and_placed_as_its_own(pr, review_json):
    # "a-prod" before "b-dev": the last root's line used to win the address (head_env, the largest delta)
    repo, base, _ = pr({"envs/a-prod/main.tf": web("prod", "t3.micro"), "envs/b-dev/main.tf": web("dev", "t3.micro")},
                       {"envs/a-prod/main.tf": web("prod", "m5.4xlarge"), "envs/b-dev/main.tf": web("dev", "t3.small")})
    code, doc = review_json(repo, base)
    got = {(c["change_class"], c["file"]): c for c in doc["changes"]}
    over = got[("cost_over_envelope", "envs/a-prod/main.tf")]  # before: envs/b-dev/main.tf
    assert over["authority"] == "cto" and over["environment"] == "prod"
    # prod's own delta (t3.micro -> m5.4xlarge), not prod's head less dev's base and prod's
    assert over["detail"].endswith("; largest: aws_instance.web +$645.47")
    # dev's resize is within its envelope (before: taken as prod's, over its envelope, and dropped) ...
    assert got[("resize_within_envelope", "envs/b-dev/main.tf")]["authority"] == "provider"
    # ... and prod's, over its envelope, is decided by cost_over_envelope alone (before: "within the dev envelope")
    assert ("resize_within_envelope", "envs/a-prod/main.tf") not in got
    assert code == 1


def test_a_decision_whose_root_is_not_known_takes_the_strictest_root_of_its_file_and_address():
    from iacgov.model import Location, Resource
    from iacgov.policy import parse_policy
    from iacgov.review.grid import route, strictest_each
    from iacgov.review.model import Decision

    def instance(env: str) -> Resource:
        return Resource("module.db.aws_db_instance.this", "aws_db_instance", "aws", "terraform",
                        Location("modules/db/main.tf", 2), tags={"env": env}, meta={"root_module": f"envs/{env}"})

    policy = parse_policy(grid(suppression_added="dev: provider, default: cto"), "iacgov.yaml")
    head = [instance("dev"), instance("prod")]
    unknown = Decision("suppression_added", "cto", "module.db.aws_db_instance.this", "modules/db/main.tf", 5,
                       "ENC001 suppressed")  # a finding of no known root (two roots call the module)
    assert [(d.authority, d.properties["environment"]) for d in route([unknown], [], head, policy)] == [("cto", "prod")]
    # its own root known: its own environment; the same change seen from both roots keeps the strictest
    routed = route([replace(unknown, stack="envs/prod"), replace(unknown, stack="envs/dev")], [], head, policy)
    assert [d.authority for d in routed] == ["cto", "provider"]
    assert [(d.authority, d.stack) for d in strictest_each(routed)] == [("cto", "envs/prod")]  # not the last
