"""Every change class, on real base and head commits."""

from __future__ import annotations

from tests.review.gitkit import POLICY, classes, pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
US = 'provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n'
BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n  tags = { env = "prod" }\n}\n'
DB = """\
resource "aws_db_instance" "billing" {
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  storage_encrypted       = true
  backup_retention_period = 14
  deletion_protection     = true
  multi_az                = true
  tags = { env = "prod" }
}
"""


def test_nothing_changed_needs_no_approval(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"README.md": "docs only\n"})
    code, doc = review_json(repo, base)
    assert code == 0
    assert doc["changes"] == [] and doc["required_approvals"] == [] and doc["approvals_satisfied"] is True
    assert doc["verdict"] == "ready: nothing left to approve"


def test_new_cloud_provider_is_strategic(pr, review_json):
    gcs = ('resource "google_storage_bucket" "eu" {\n  name = "acme-eu"\n  location = "europe-west9"\n'
           '  labels = { env = "prod" }\n}\n')
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"gcp.tf": gcs})
    code, doc = review_json(repo, base)
    assert ("new_cloud_provider", "strategic", "google_storage_bucket.eu") in classes(doc)
    # a new cloud is one decision: not also a new region and a new service of that cloud
    assert [c for c in classes(doc) if c[0] in ("new_region", "new_service")] == []
    change = next(c for c in doc["changes"] if c["change_class"] == "new_cloud_provider")
    assert (change["file"], change["line"]) == ("gcp.tf", 1)
    assert change["detail"] == "Google Cloud: not used in base → 1 resource in head"
    assert code == 1 and doc["required_approvals"][0]["authority"] == "strategic"


def test_new_region_is_cto_and_loc001_is_a_new_blocking_finding(pr, review_json):
    queue = 'resource "aws_sqs_queue" "jobs" {\n  provider = aws.us\n  name = "jobs"\n}\n'
    repo, base, _ = pr({"main.tf": AWS + US + BUCKET + 'resource "aws_sqs_queue" "x" {\n  name = "x"\n}\n'},
                       {"jobs.tf": queue})
    code, doc = review_json(repo, base)
    assert ("new_region", "cto", "aws_sqs_queue.jobs") in classes(doc)
    assert "new_service" not in [c[0] for c in classes(doc)]  # SQS is used in base
    region = next(c for c in doc["changes"] if c["change_class"] == "new_region")
    assert region["detail"] == "AWS region us-east-1: base uses eu-west-3 → 1 resource in us-east-1"
    assert [(f["code"], f["address"]) for f in doc["new_findings"]] == [("LOC001", "aws_sqs_queue.jobs")]
    assert code == 1


def test_new_service_names_the_service(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"db.tf": DB})
    _, doc = review_json(repo, base)
    service = [c for c in doc["changes"] if c["change_class"] == "new_service"]
    assert [(c["address"], c["authority"], c["detail"]) for c in service] == [
        ("aws_db_instance.billing", "cto", "AWS RDS: not used in base → 1 resource (aws_db_instance)")]


def test_storage_class_change(pr, review_json):
    vol = 'resource "aws_ebs_volume" "v" {\n  availability_zone = "eu-west-3a"\n  size = 100\n  type = "%s"\n}\n'
    repo, base, _ = pr({"main.tf": AWS + vol % "gp3"}, {"main.tf": AWS + vol % "sc1"})
    _, doc = review_json(repo, base)
    change = [c for c in doc["changes"] if c["change_class"] == "storage_class_change"]
    assert [(c["address"], c["line"], c["detail"]) for c in change] == [
        ("aws_ebs_volume.v", 7, 'type: "gp3" → "sc1"')]


def test_stateful_delete_and_replace_but_not_a_move(pr, review_json):
    base_files = {"main.tf": AWS + BUCKET + DB + 'resource "aws_s3_bucket" "old" {\n  bucket = "acme-old"\n}\n'}
    head_db = DB.replace('engine                  = "postgres"', 'engine                  = "mysql"')
    moved = 'moved {\n  from = aws_s3_bucket.data\n  to   = aws_s3_bucket.archive\n}\n'
    head_files = {"main.tf": AWS + BUCKET.replace('"data"', '"archive"') + moved + head_db}
    repo, base, _ = pr(base_files, head_files)
    _, doc = review_json(repo, base)
    deletes = {c["address"]: c for c in doc["changes"] if c["change_class"] == "stateful_delete"}
    assert set(deletes) == {"aws_s3_bucket.old", "aws_db_instance.billing"}
    assert deletes["aws_s3_bucket.old"]["detail"] == "aws_s3_bucket deleted (its data is destroyed)"
    assert deletes["aws_s3_bucket.old"]["side"] == "base"
    assert deletes["aws_db_instance.billing"]["detail"] == (
        'aws_db_instance replaced (destroyed and re-created) because engine changes: engine: "postgres" → "mysql"')
    moves = [r for r in doc["resources"] if r["action"] == "moved"]
    assert [(r["previous_address"], r["address"]) for r in moves] == [("aws_s3_bucket.data", "aws_s3_bucket.archive")]


def test_security_downgrades_from_attributes(pr, review_json):
    weaker = (DB.replace("storage_encrypted       = true", "storage_encrypted       = false")
              .replace("= 14", "= 3").replace("deletion_protection     = true", "deletion_protection     = false")
              .replace("multi_az                = true", "multi_az                = false"))
    repo, base, _ = pr({"main.tf": AWS + DB}, {"main.tf": AWS + weaker})
    _, doc = review_json(repo, base)
    downgrades = [(c["line"], c["detail"]) for c in doc["changes"] if c["change_class"] == "security_downgrade"]
    assert (8, "encryption at rest turned off (storage_encrypted: true → false)") in downgrades
    assert (9, "backup retention shortened (backup_retention_period): 14 → 3 days") in downgrades
    assert (10, "deletion protection turned off (deletion_protection: true → false)") in downgrades
    assert (11, "zone redundancy turned off (multi_az: true → false)") in downgrades
    assert all(c["authority"] == "cto" for c in doc["changes"] if c["change_class"] == "security_downgrade")


def test_security_downgrade_from_a_new_finding_on_an_existing_resource(pr, review_json):
    policy = POLICY + "logging:\n  min_retention_days: 90\n"
    group = 'resource "aws_cloudwatch_log_group" "app" {\n  name = "app"\n  retention_in_days = %d\n}\n'
    repo, base, _ = pr({"iacgov.yaml": policy, "main.tf": AWS + group % 365}, {"main.tf": AWS + group % 30})
    _, doc = review_json(repo, base)
    details = [c["detail"] for c in doc["changes"] if c["change_class"] == "security_downgrade"]
    assert details == ["log retention shortened: 365 days → 30 days"]  # LOG002 on the same line is not repeated
    assert [f["code"] for f in doc["new_findings"]] == ["LOG002"]


def test_public_exposure_added(pr, review_json):
    sg = ('resource "aws_security_group" "web" {\n  name = "web"\n  ingress {\n    from_port = 443\n'
          '    to_port = 443\n    protocol = "tcp"\n    cidr_blocks = ["%s"]\n  }\n}\n')
    repo, base, _ = pr({"main.tf": AWS + sg % "10.0.0.0/8"}, {"main.tf": AWS + sg % "0.0.0.0/0"})
    _, doc = review_json(repo, base)
    assert [c["detail"] for c in doc["changes"] if c["change_class"] == "security_downgrade"] == [
        "public exposure added: ingress.0.cidr_blocks=0.0.0.0/0"]


def test_admin_access_change_is_strategic(pr, review_json):
    role = ('resource "aws_iam_role" "ops" {\n  name = "ops"\n  assume_role_policy = jsonencode({Version = "2012-10-17",'
            ' Statement = [{Effect = "Allow", Action = "sts:AssumeRole", Principal = {AWS = "arn:aws:iam::222222222222:root"}}]})\n}\n')
    attach = ('resource "aws_iam_role_policy_attachment" "ops_admin" {\n  role = aws_iam_role.ops.name\n'
              '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n')
    repo, base, _ = pr({"main.tf": AWS + role}, {"main.tf": AWS + role + attach})
    _, doc = review_json(repo, base)
    admin = [c for c in doc["changes"] if c["change_class"] == "admin_access_change"]
    assert [(c["address"], c["authority"], c["detail"]) for c in admin] == [
        ("aws_iam_role_policy_attachment.ops_admin", "strategic", "administrator policy AdministratorAccess added")]


def test_cost_over_envelope_and_resize_within(pr, review_json):
    small = DB.replace("db.t3.micro", "db.t3.small")
    big = DB.replace("db.t3.micro", "db.r5.2xlarge")
    staging = DB.replace("billing", "staging").replace('env = "prod"', 'env = "staging"')
    repo, base, _ = pr({"main.tf": AWS + DB + staging}, {"main.tf": AWS + big + staging.replace("db.t3.micro", "db.t3.small")})
    code, doc = review_json(repo, base)
    over = [c for c in doc["changes"] if c["change_class"] == "cost_over_envelope"]
    assert len(over) == 1 and over[0]["address"] == "aws_db_instance.billing" and over[0]["authority"] == "cto"
    assert over[0]["detail"].startswith("prod: $")
    assert "envelope $100.00" in over[0]["detail"]
    resize = [c for c in doc["changes"] if c["change_class"] == "resize_within_envelope"]
    assert [(c["address"], c["authority"], c["detail"]) for c in resize] == [
        ("aws_db_instance.staging", "provider",
         'instance_class: "db.t3.micro" → "db.t3.small" (within the staging envelope)')]
    prod = doc["cost"]["by_environment"]["prod"]
    assert float(prod["delta"]) == float(prod["head"]) - float(prod["base"]) and float(prod["delta"]) > 100
    assert 0 < float(doc["cost"]["by_environment"]["staging"]["delta"]) <= 100
    # the provider needs no approval: only the CTO is asked
    assert [a["authority"] for a in doc["required_approvals"]] == ["cto"]
    assert small  # same resource at another size keeps its address


def test_resize_alone_is_the_providers_decision(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + DB}, {"main.tf": AWS + DB.replace("db.t3.micro", "db.t3.small")})
    code, doc = review_json(repo, base)
    assert [c[0:2] for c in classes(doc)] == [("resize_within_envelope", "provider")]
    assert doc["required_approvals"] == [] and code == 0


def test_policy_edit_does_not_loosen_the_review(pr, review_json):
    queue = 'resource "aws_sqs_queue" "jobs" {\n  provider = aws.us\n  name = "jobs"\n}\n'
    looser = POLICY.replace("aws: [eu-west-3, eu-west-1]", "aws: [eu-west-3, eu-west-1, us-east-1]")
    repo, base, _ = pr({"main.tf": AWS + US + BUCKET}, {"iacgov.yaml": looser, "jobs.tf": queue})
    code, doc = review_json(repo, base)
    assert ("policy_change", "strategic", "iacgov.yaml") in classes(doc)
    policy_change = next(c for c in doc["changes"] if c["change_class"] == "policy_change")
    assert (policy_change["file"], policy_change["line"], policy_change["detail"]) == (
        "iacgov.yaml", 4, "policy file modified")
    assert [f["code"] for f in doc["new_findings"]] == ["LOC001"]  # the base policy still applies
    assert code == 1 and {a["authority"] for a in doc["required_approvals"]} == {"cto", "strategic"}


def test_pipeline_change_only_for_ci_that_runs_iacgov(pr, review_json):
    workflow = "on: pull_request\njobs:\n  gov:\n    runs-on: ubuntu-latest\n    steps:\n      - run: iacgov review --base origin/main\n"
    other = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n"
    repo, base, _ = pr({"main.tf": AWS + BUCKET, ".github/workflows/gov.yml": workflow,
                        ".github/workflows/lint.yml": other},
                       {".github/workflows/gov.yml": workflow.replace("iacgov review --base origin/main", "true"),
                        ".github/workflows/lint.yml": other.replace("make lint", "make lint test")})
    _, doc = review_json(repo, base)
    assert [(c["change_class"], c["authority"], c["file"], c["line"], c["detail"]) for c in doc["changes"]] == [
        ("pipeline_change", "strategic", ".github/workflows/gov.yml", 6,
         "CI configuration running iacgov stops mentioning iacgov")]


def test_policy_decisions_override_the_default_authority(pr, review_json):
    policy = POLICY + "decisions:\n  new_service: strategic\n"
    repo, base, _ = pr({"iacgov.yaml": policy, "main.tf": AWS + BUCKET}, {"db.tf": DB})
    _, doc = review_json(repo, base)
    assert ("new_service", "strategic", "aws_db_instance.billing") in classes(doc)


def test_suppression_added_by_the_pr_needs_the_cto(pr, review_json):
    unencrypted = 'resource "aws_ebs_volume" "scratch" {\n  availability_zone = "eu-west-3a"\n  size = 10\n}\n'
    suppressed = ('# iacgov:ignore ENC001 reason="scratch space, no data" expires=2099-01-01\n' + unencrypted)
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"scratch.tf": suppressed})
    code, doc = review_json(repo, base)
    added = [c for c in doc["changes"] if c["change_class"] == "suppression_added"]
    assert [(c["address"], c["authority"], c["file"]) for c in added] == [("aws_ebs_volume.scratch", "cto", "scratch.tf")]
    assert "ENC001 suppressed (inline): scratch space, no data, expires 2099-01-01" == added[0]["detail"]
    assert doc["new_findings"] == []  # suppressed: not a new finding, but a decision
    assert [f["code"] for f in doc["suppressions_added"]] == ["ENC001"]


def test_suppression_of_a_locked_rule_stays_a_finding(pr, review_json):
    queue = ('resource "aws_sqs_queue" "jobs" {\n  # iacgov:ignore LOC001 reason="temporary" expires=2099-01-01\n'
             '  provider = aws.us\n  name = "jobs"\n}\n')
    repo, base, _ = pr({"main.tf": AWS + US + BUCKET}, {"jobs.tf": queue})
    code, doc = review_json(repo, base)
    assert [f["code"] for f in doc["new_findings"]] == ["LOC001"]
    assert doc["new_findings"][0]["suppression"] is None
    assert "suppression_added" not in [c[0] for c in classes(doc)]
    assert [f["code"] for f in doc["suppressions_refused"]] == ["LOC001"]
    assert code == 1


def test_a_rename_written_in_terraform_json_is_a_move_not_a_deletion(pr, review_json):
    import json

    def config(name: str, moved: bool) -> str:
        doc = {"provider": {"aws": {"region": "eu-west-3"}},
               "resource": {"aws_s3_bucket": {name: {"bucket": "acme-data", "tags": {"env": "prod"}}}}}
        if moved:
            doc["moved"] = [{"from": "aws_s3_bucket.data", "to": "aws_s3_bucket.archive"}]
        return json.dumps(doc, indent=2)

    repo, base, _ = pr({"main.tf.json": config("data", False)}, {"main.tf.json": config("archive", True)})
    _, doc = review_json(repo, base)
    assert [c for c in doc["changes"] if c["change_class"] == "stateful_delete"] == []
    moves = [(r["previous_address"], r["address"]) for r in doc["resources"] if r["action"] == "moved"]
    assert moves == [("aws_s3_bucket.data", "aws_s3_bucket.archive")]
