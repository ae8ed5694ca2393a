"""Issue 18: the decision grid — companions, per-environment authority, the monthly
envelope, policy changes explained, drift, approvals that mean something."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.review.gitkit import GIT_ENV, POLICY, Repo, classes, pr, rcli, repo, review_json  # noqa: F401

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n  tags = { env = "prod" }\n}\n'


# --------------------------------------------------------------------------- the two wrong answers


def test_a_bucket_companion_is_not_a_new_service(pr, review_json):
    sse = ('resource "aws_s3_bucket_server_side_encryption_configuration" "data" {\n'
           '  bucket = aws_s3_bucket.data.id\n  rule {\n    apply_server_side_encryption_by_default {\n'
           '      sse_algorithm = "aws:kms"\n    }\n  }\n}\n')
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"sse.tf": sse})
    code, doc = review_json(repo, base)
    assert [c for c in classes(doc) if c[0] == "new_service"] == []
    assert code == 0 and doc["verdict"] == "ready: nothing left to approve"


def test_a_really_new_service_is_named_once_in_cloudformation_spelling(pr, review_json):
    queue = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
    policy = ('resource "aws_sqs_queue_policy" "jobs" {\n  queue_url = aws_sqs_queue.jobs.id\n'
              '  policy = "{}"\n}\n')
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"queue.tf": queue + policy})
    _, doc = review_json(repo, base)
    service = [(c["address"], c["detail"]) for c in doc["changes"] if c["change_class"] == "new_service"]
    assert service == [("aws_sqs_queue.jobs", "AWS SQS: not used in base → 2 resources (aws_sqs_queue)")]


LIFECYCLE = """\
resource "aws_s3_bucket_lifecycle_configuration" "archive" {
  bucket = aws_s3_bucket.data.id
  rule {
    id     = "archive"
    status = "Enabled"
    transition {
      days          = 30
      storage_class = "DEEP_ARCHIVE"
    }
  }
}
"""


def test_a_lifecycle_companion_moving_an_existing_bucket_is_its_storage_class_change(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"archive.tf": LIFECYCLE})
    code, doc = review_json(repo, base)
    change = [c for c in doc["changes"] if c["change_class"] == "storage_class_change"]
    assert [(c["address"], c["authority"], c["file"], c["line"], c["detail"]) for c in change] == [
        ("aws_s3_bucket.data", "cto", "archive.tf", 8,
         "storage classes (none) → DEEP_ARCHIVE (aws_s3_bucket_lifecycle_configuration.archive added)")]
    assert change[0]["environment"] == "prod"
    assert code == 1 and doc["verdict"] == "blocked: needs approval from the CTO"


def test_the_companion_found_by_the_buckets_name_too(pr, review_json):
    by_name = LIFECYCLE.replace("aws_s3_bucket.data.id", '"acme-data"')
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"archive.tf": by_name})
    _, doc = review_json(repo, base)
    assert ("storage_class_change", "cto", "aws_s3_bucket.data") in classes(doc)


def test_moving_an_inline_lifecycle_rule_into_a_companion_decides_nothing(pr, review_json):
    inline = BUCKET.replace('  tags', '  lifecycle_rule {\n    enabled = true\n    transition {\n      days = 30\n'
                                       '      storage_class = "DEEP_ARCHIVE"\n    }\n  }\n  tags')
    repo, base, _ = pr({"main.tf": AWS + inline}, {"main.tf": AWS + BUCKET + LIFECYCLE})
    code, doc = review_json(repo, base)
    assert [c for c in classes(doc) if c[0] == "storage_class_change"] == []
    assert code == 0


def test_a_companion_suspending_versioning_is_a_downgrade_of_the_bucket(pr, review_json):
    inline = BUCKET.replace('  tags', '  versioning {\n    enabled = true\n  }\n  tags')
    companion = ('resource "aws_s3_bucket_versioning" "data" {\n  bucket = aws_s3_bucket.data.id\n'
                 '  versioning_configuration {\n    status = "Suspended"\n  }\n}\n')
    repo, base, _ = pr({"main.tf": AWS + inline}, {"main.tf": AWS + BUCKET + companion})
    _, doc = review_json(repo, base)
    downgrade = [c for c in doc["changes"] if c["change_class"] == "security_downgrade"]
    assert [(c["address"], c["detail"]) for c in downgrade] == [
        ("aws_s3_bucket.data", "versioning suspended (aws_s3_bucket_versioning.data added)")]


def test_a_new_bucket_with_its_companions_is_not_a_change_of_an_existing_one(pr, review_json):
    other = BUCKET.replace('"data"', '"logs"').replace("acme-data", "acme-logs")
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"logs.tf": other + LIFECYCLE.replace(".data.", ".logs.")})
    _, doc = review_json(repo, base)
    assert [c for c in classes(doc) if c[0] == "storage_class_change"] == []


# --------------------------------------------------------------------------- decisions per environment

GRID_POLICY = POLICY + """\
decisions:
  new_service: {dev: provider, default: cto}
"""
DB = ('resource "aws_db_instance" "%s" {\n  engine = "postgres"\n  instance_class = "db.t3.micro"\n'
      '  allocated_storage = 20\n  storage_encrypted = true\n  backup_retention_period = 7\n'
      '  tags = { env = "%s" }\n}\n')


def test_new_service_in_dev_is_the_providers_and_in_prod_the_ctos(pr, review_json):
    repo, base, _ = pr({"iacgov.yaml": GRID_POLICY, "main.tf": AWS + BUCKET}, {"db.tf": DB % ("sandbox", "dev")})
    code, doc = review_json(repo, base)
    service = [(c["authority"], c["environment"]) for c in doc["changes"] if c["change_class"] == "new_service"]
    assert service == [("provider", "dev")]
    assert code == 0 and doc["required_approvals"] == []

    repo.write({"db.tf": DB % ("sandbox", "dev") + DB % ("billing", "prod")})
    repo.commit("and prod")
    code, doc = review_json(repo, base)
    # One service used in dev and prod: decided as prod decides it, pointing at the prod database.
    service = [(c["authority"], c["address"], c["environment"], c["line"]) for c in doc["changes"]
               if c["change_class"] == "new_service"]
    assert service == [("cto", "aws_db_instance.billing", "prod", 9)]
    assert code == 1 and [a["authority"] for a in doc["required_approvals"]] == ["cto"]


def test_the_environment_comes_from_the_path_rules_without_a_tag(pr, review_json):
    policy = GRID_POLICY.replace("  change_envelope: 100\n", "  change_envelope: 100\n  environment_paths:\n"
                                                              "    'envs/dev/**': dev\n")
    untagged = DB.replace('  tags = { env = "%s" }\n', "") % "sandbox"
    repo, base, _ = pr({"iacgov.yaml": policy, "main.tf": AWS + BUCKET}, {"envs/dev/db.tf": AWS + untagged})
    code, doc = review_json(repo, base)
    assert [(c["authority"], c["environment"]) for c in doc["changes"] if c["change_class"] == "new_service"] == [
        ("provider", "dev")]
    assert code == 0


def test_a_per_environment_decision_must_name_authorities(pr, rcli):
    bad = POLICY + "decisions:\n  new_service: {dev: nobody}\n"
    repo, base, _ = pr({"iacgov.yaml": bad, "main.tf": AWS + BUCKET}, {"db.tf": DB % ("x", "dev")})
    result = rcli("--repo", repo.path, "--base", base)
    assert result.exit_code == 2
    assert "base policy: iacgov.yaml:15: decisions.new_service.dev: 'nobody' is not one of ['provider', 'cto', 'strategic']" \
        in result.output


# --------------------------------------------------------------------------- the monthly envelope

MONTH_POLICY = POLICY.replace("  change_envelope: 100\n",
                              "  change_envelope:\n    prod: {per_change: 100, per_month: 150}\n")
INSTANCE = ('resource "aws_instance" "%s" {\n  ami = "ami-1"\n  instance_type = "t3.large"\n'
            '  tags = { env = "prod" }\n}\n')  # $68.91 a month in eu-west-3


def _commit_at(repo: Repo, when: str, message: str, *extra: str) -> str:
    env = {**GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "add", "-A"], cwd=repo.path, env=env, check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message, *extra], cwd=repo.path, env=env, check=True)
    return repo.git("rev-parse", "HEAD")


@pytest.fixture
def month(repo: Repo) -> Repo:
    """main: an instance from December, then in January a merged pull request (merge commit) and a
    squashed one, each adding a t3.large to prod; branch ``provider`` adds a third."""
    repo.write({"iacgov.yaml": MONTH_POLICY, "main.tf": AWS + INSTANCE % "a"})
    _commit_at(repo, "2025-12-20T09:00:00Z", "estate")
    repo.git("checkout", "-q", "-b", "first")
    repo.write({"b.tf": INSTANCE % "b"})
    _commit_at(repo, "2025-12-30T09:00:00Z", "b")  # written in December, merged in January
    repo.git("checkout", "-q", "main")
    env = {**GIT_ENV, "GIT_AUTHOR_DATE": "2026-01-02T09:00:00Z", "GIT_COMMITTER_DATE": "2026-01-02T09:00:00Z"}
    subprocess.run(["git", "merge", "-q", "--no-ff", "-m", "merge first", "first"], cwd=repo.path, env=env,
                   check=True)
    repo.write({"c.tf": INSTANCE % "c"})
    _commit_at(repo, "2026-01-03T09:00:00Z", "c (squashed)")
    repo.git("checkout", "-q", "-b", "provider")
    repo.write({"d.tf": INSTANCE % "d"})
    _commit_at(repo, "2026-01-05T09:00:00Z", "d")
    return repo


def test_a_third_change_within_the_per_change_envelope_but_over_the_month_needs_the_cto(month, review_json):
    code, doc = review_json(month, "main", head="provider")
    assert doc["cost"]["by_environment"]["prod"]["delta"] == "68.91"  # within per_change 100
    assert doc["cost"]["months"] == {"prod": {"per_month": "150.00", "used": "137.82", "changes": 2,
                                              "this_change": "68.91", "since": "2026-01-01", "complete": True}}
    over = [c for c in doc["changes"] if c["change_class"] == "cost_over_envelope"]
    assert [(c["authority"], c["address"], c["detail"]) for c in over] == [
        ("cto", "aws_instance.d", "prod: $137.82 of $150.00 used this month by 2 changes (since 2026-01-01); "
                                  "this change adds $68.91 → $206.73, over the monthly envelope")]
    assert code == 1 and doc["required_approvals"][0]["authority"] == "cto"
    assert doc["base"]["branches"] == ["main"] and doc["head"]["branches"] == ["provider"]


def test_the_month_starts_again_on_the_first(month, review_json):
    # "now" in February: January's changes no longer count.
    code, doc = review_json(month, "main", "--as-of", "2026-02-01", head="provider")
    assert doc["cost"]["months"]["prod"]["used"] == "0.00" and doc["cost"]["months"]["prod"]["changes"] == 0
    assert [c for c in classes(doc) if c[0] == "cost_over_envelope"] == []
    assert code == 0


def test_the_monthly_envelope_in_text_and_markdown(month, rcli):
    text = rcli("--repo", month.path, "--base", "main", "--head", "provider")
    assert "prod: $137.82 of $150.00 used this month by 2 changes (since 2026-01-01); this change adds $68.91" \
           " — over the monthly envelope" in text.output
    assert "base main (" in text.output and "head provider [" not in text.output  # refs given by name
    md = rcli("--repo", month.path, "--base", "main", "--head", "provider", "--format", "markdown")
    assert "`prod`: $137.82 of $150.00 used this month by 2 changes" in md.output


def test_branch_names_beside_shas_when_refs_are_shas(month, rcli):
    base, head = month.git("rev-parse", "main"), month.git("rev-parse", "provider")
    result = rcli("--repo", month.path, "--base", base, "--head", head)
    assert f"base {base} [main] ({base[:12]}) -> head {head} [provider] ({head[:12]})" in result.output


def test_a_shallow_clone_says_fetch_depth_0(month, tmp_path, review_json):
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{month.path}", str(clone)],
                   env=GIT_ENV, check=True)
    result = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=clone, capture_output=True,
                            text=True, env=GIT_ENV)
    assert result.stdout.strip() == "true"
    shallow = Repo.__new__(Repo)
    shallow.path = clone
    code, doc = review_json(shallow, "origin/main", head="origin/provider")
    assert any("fetch-depth: 0" in n for n in doc["history_notes"])
    assert doc["cost"]["months"]["prod"]["complete"] is False


# --------------------------------------------------------------------------- policy changes explained


def test_a_policy_change_lists_each_loosened_key_and_the_findings_it_would_silence(pr, review_json):
    queue = 'resource "aws_sqs_queue" "jobs" {\n  provider = aws.us\n  name = "jobs"\n}\n'
    us = 'provider "aws" {\n  alias  = "us"\n  region = "us-east-1"\n}\n'
    base_policy = POLICY.replace("  change_envelope: 100\n", "  change_envelope: 100\n  budgets:\n    prod: 3000\n")
    head_policy = base_policy.replace("aws: [eu-west-3, eu-west-1]", "aws: [eu-west-3, eu-west-1, us-east-1]") \
        .replace("prod: 3000", "prod: 5000").replace("  locked: [LOC]\n", "  locked: []\n") \
        .replace("  cto: [alice]\n", "  cto: [alice, mallory]\n")
    repo, base, _ = pr({"iacgov.yaml": base_policy, "main.tf": AWS + us + BUCKET + queue},
                       {"iacgov.yaml": head_policy})
    code, doc = review_json(repo, base)
    assert ("policy_change", "strategic", "iacgov.yaml") in classes(doc) and code == 1
    diff = doc["policy_diff"]
    assert [(k["key"], k["words"]) for k in diff["loosened"]] == [
        ("approvers.cto", "+ mallory"),
        ("cost.budgets.prod", "3,000 → 5,000"),
        ("data_location.allowed_regions.aws", "+ us-east-1"),
        ("suppressions.locked", "− LOC"),
    ]
    assert diff["tightened"] == [] and diff["error"] is None
    assert [(f["code"], f["address"]) for f in diff["effect"]["disappear"]] == [("LOC001", "aws_sqs_queue.jobs")]
    assert diff["effect"]["appear"] == []


def test_a_tightened_policy_and_its_new_findings(pr, review_json, rcli):
    head_policy = POLICY + "tags:\n  required: [owner]\n"
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"iacgov.yaml": head_policy})
    _, doc = review_json(repo, base)
    assert [(k["key"], k["words"]) for k in doc["policy_diff"]["tightened"]] == [("tags.required", "+ owner")]
    assert [(f["code"], f["address"]) for f in doc["policy_diff"]["effect"]["appear"]] == [
        ("TAG001", "aws_s3_bucket.data")]
    text = rcli("--repo", repo.path, "--base", base).output
    assert "tightened tags.required: + owner" in text and "would appear: TAG001 aws_s3_bucket.data" in text
    md = rcli("--repo", repo.path, "--base", base, "--format", "markdown").output
    assert "- **tightened** `tags.required`: + owner" in md


def test_an_invalid_head_policy_is_said_not_a_traceback(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"iacgov.yaml": POLICY + "decisions:\n  new_service: boss\n"})
    code, doc = review_json(repo, base)
    assert code == 1 and "decisions.new_service" in doc["policy_diff"]["error"]


def test_policy_diff_command(cli, tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(POLICY + "decisions:\n  new_service: cto\n")
    new.write_text(POLICY.replace("  locked: [LOC]\n", "  locked: [LOC, BCK]\n") +
                   "decisions:\n  new_service: {dev: provider, default: cto}\n")
    result = cli("-p", "no:checkov", "-p", "no:cfn-lint", "policy", "diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [(k["key"], k["before"], k["after"]) for k in doc["loosened"]] == [
        ("decisions.new_service.dev", "cto", "provider")]
    assert [(k["key"], k["words"]) for k in doc["tightened"]] == [("suppressions.locked", "+ BCK")]
    failing = cli("-p", "no:checkov", "-p", "no:cfn-lint", "policy", "diff", str(old), str(new), "--fail-on-loosened")
    assert failing.exit_code == 1 and "loosened  decisions.new_service.dev: cto → provider" in failing.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\ncost:\n  change_envelope: -5\n")
    bad = cli("-p", "no:checkov", "-p", "no:cfn-lint", "policy", "diff", str(old), str(broken))
    assert bad.exit_code == 2 and "broken.yaml" in bad.output and "Traceback" not in bad.output


def test_policy_diff_command_effect_with_scan(cli, tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(AWS + BUCKET)
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(POLICY)
    new.write_text(POLICY + "tags:\n  required: [owner]\n")
    result = cli("-p", "no:checkov", "-p", "no:cfn-lint", "policy", "diff", str(old), str(new), "--scan",
                 str(tmp_path / "infra"), "-f", "json")
    doc = json.loads(result.output)
    assert [f["code"] for f in doc["effect"]["appear"]] == ["TAG001"] and doc["effect"]["disappear"] == []


# --------------------------------------------------------------------------- drift

DRIFT_PLAN = FIXTURES / "plan" / "drift.plan.json"
DRIFT_DB = ('resource "aws_db_instance" "billing" {\n  identifier = "billing"\n  engine = "postgres"\n'
            '  instance_class = "db.t3.micro"\n  allocated_storage = 20\n  storage_encrypted = true\n'
            '  backup_retention_period = 14\n  deletion_protection = true\n  multi_az = true\n'
            '  publicly_accessible = false\n  tags = { env = "prod" }\n}\n')
DRIFT_PAB = ('resource "aws_s3_bucket_public_access_block" "data" {\n  bucket = aws_s3_bucket.data.id\n'
             '  block_public_acls = true\n  block_public_policy = true\n  ignore_public_acls = true\n'
             '  restrict_public_buckets = true\n}\n')
DRIFT_QUEUE = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n  tags = { env = "prod" }\n}\n'


def test_review_with_a_plan_reports_drift_as_decisions_nobody_approved(pr, review_json, tmp_path):
    tree = {"main.tf": AWS + DRIFT_DB + BUCKET + DRIFT_PAB + DRIFT_QUEUE}
    repo, base, _ = pr(tree, tree)
    plan = tmp_path / "plan.json"
    shutil.copy(DRIFT_PLAN, plan)
    code, doc = review_json(repo, base, "--plan", str(plan))
    drift = {(d["change_class"], d["address"]): d for d in doc["drift"]}
    db = drift[("security_downgrade", "aws_db_instance.billing")]
    assert db["detail"] == ("backup retention shortened (backup_retention_period): 14 → 1 days on "
                            "aws_db_instance.billing, changed outside the code: security_downgrade, "
                            "no approval on record")
    assert (db["authority"], db["file"], db["line"]) == ("cto", "main.tf", 4)  # its block in the head tree
    assert ("stateful_delete", "aws_sqs_queue.old") in drift
    assert ("security_downgrade", "aws_s3_bucket_public_access_block.data") in drift
    assert all((d["change_class"], d["authority"], d["address"]) in classes(doc) for d in doc["drift"])
    assert code == 1 and "needs approval from the CTO" in doc["verdict"]


def test_drift_command(cli):
    result = cli("-p", "no:checkov", "-p", "no:cfn-lint", "drift", str(DRIFT_PLAN), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["needs_approval_from"] == ["cto"]
    assert {(d["change_class"], d["address"]) for d in doc["drift"]} == {
        ("stateful_delete", "aws_sqs_queue.old"), ("security_downgrade", "aws_db_instance.billing"),
        ("security_downgrade", "aws_s3_bucket_public_access_block.data")}
    db = next(d for d in doc["drift"] if d["address"] == "aws_db_instance.billing")
    assert db["file"].endswith("drift.plan.json") and db["line"] > 1


def test_drift_command_bad_plan_is_a_usage_error(cli, tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text('{"format_version": "1.2",\n "resource_drift": {}}')
    result = cli("drift", str(bad))
    assert result.exit_code == 2 and "resource_drift is not a list" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"format_version": \n')
    result = cli("drift", str(broken))
    assert result.exit_code == 2 and "broken.json:2: invalid JSON" in result.output


# --------------------------------------------------------------------------- approvals


def _reviews(tmp_path: Path, *logins: str) -> Path:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([{"user": {"login": x}, "state": "APPROVED", "commit_id": None,
                                 "submitted_at": f"2026-01-05T10:0{i}:00Z"} for i, x in enumerate(logins)]))
    return path


DB_PROD = DB % ("billing", "prod")


def test_a_provider_login_never_counts_as_the_companys_approval(pr, review_json, tmp_path):
    policy = POLICY.replace("  cto: [alice]\n", "  cto: [alice, pat]\n  provider: [pat]\n")
    repo, base, _ = pr({"iacgov.yaml": policy, "main.tf": AWS + BUCKET}, {"db.tf": DB_PROD})
    code, doc = review_json(repo, base, "--approvals", str(_reviews(tmp_path, "pat")))
    assert code == 1 and doc["required_approvals"][0]["approved_by"] == []
    assert doc["approvals_not_counted"] == [
        "pat: approved, but is one of the provider's people (approvers.provider): never counted as the company's "
        "approval"]
    code, doc = review_json(repo, base, "--approvals", str(_reviews(tmp_path, "pat", "alice")))
    assert code == 0 and doc["required_approvals"][0]["approved_by"] == ["alice"]


def test_team_slugs_count_through_a_teams_file(pr, review_json, rcli, tmp_path):
    policy = POLICY.replace("  cto: [alice]\n", "  cto: ['@acme/platform-leads']\n  provider: ['@acme/provider-ops']\n")
    repo, base, _ = pr({"iacgov.yaml": policy, "main.tf": AWS + BUCKET}, {"db.tf": DB_PROD})
    reviews = _reviews(tmp_path, "carol", "pat")
    code, doc = review_json(repo, base, "--approvals", str(reviews))
    assert code == 1 and "@acme/platform-leads: a team matches no one without its members (iacgov review --teams " \
                         "FILE)" in doc["approvals_not_counted"]
    teams = tmp_path / "teams.json"
    teams.write_text(json.dumps({"acme/platform-leads": [{"login": "Carol", "id": 7}, {"login": "pat"}],
                                 "acme/provider-ops": [{"login": "pat"}]}))
    code, doc = review_json(repo, base, "--approvals", str(reviews), "--teams", str(teams))
    assert code == 0 and doc["required_approvals"][0]["approved_by"] == ["carol"]
    assert any(n.startswith("pat: approved, but is one of the provider's people") for n in doc["approvals_not_counted"])
    teams.write_text(json.dumps({"platform-leads": []}))
    bad = rcli("--repo", repo.path, "--base", base, "--teams", str(teams))
    assert bad.exit_code == 2 and "'platform-leads' is not a team slug (org/team)" in bad.output


def test_policy_schema_accepts_the_grid_forms(tmp_path):
    from iacgov.policy import PolicyError, parse_policy

    ok = POLICY.replace("  change_envelope: 100\n", "  change_envelope:\n    prod: {per_change: 150, per_month: 400}\n"
                                                    "    default: 100\n") + \
        "decisions:\n  new_service: {dev: provider, default: cto}\n  new_region: strategic\n"
    policy = parse_policy(ok, "iacgov.yaml")
    assert policy.get("cost.change_envelope.prod.per_month") == 400
    with pytest.raises(PolicyError, match=r"cost.change_envelope.prod.monthly: unknown key \(expected one of: "
                                          r"per_change, per_month\)"):
        parse_policy(POLICY.replace("  change_envelope: 100\n", "  change_envelope:\n    prod: {monthly: 4}\n"),
                     "iacgov.yaml")


# --------------------------------------------------------------------------- the access register

ADMIN_POLICY = POLICY + """\
admin_access:
  company_accounts:
    aws: ["111111111111"]
    gcp: ["domain:acme.example"]
  provider_accounts:
    aws: ["222222222222"]
    gcp: ["domain:provider.example"]
  break_glass:
    aws: ["arn:aws:iam::111111111111:role/break-glass"]
"""
ROLE = """\
resource "aws_iam_role" "admin" {
  name = "ops-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
      Principal = { AWS = [%s] } }]
  })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
BREAK_GLASS = '"arn:aws:iam::111111111111:role/break-glass"'
PROVIDER_ROOT = '"arn:aws:iam::222222222222:root"'
OWNER = ('resource "google_project_iam_member" "owner" {\n  project = "acme-prod"\n  role    = "roles/owner"\n'
         '  member  = "user:ops@provider.example"\n}\n')


def test_access_lists_holders_per_cloud_and_scope(cli, tmp_path):
    (tmp_path / "iacgov.yaml").write_text(ADMIN_POLICY)
    (tmp_path / "main.tf").write_text(AWS + ROLE % f"{BREAK_GLASS}, {PROVIDER_ROOT}" + OWNER)
    result = cli("-p", "no:checkov", "-p", "no:cfn-lint", "access", str(tmp_path), "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [(h["cloud"], h["scope"], h["principal"], h["over"], h["via"]) for h in doc["holders"]] == [
        ("aws", "provider", "arn:aws:iam::222222222222:root", "AWS account, administrator role ops-admin",
         "aws_iam_role.admin"),
        ("aws", "break-glass", "arn:aws:iam::111111111111:role/break-glass",
         "AWS account, administrator role ops-admin", "aws_iam_role.admin"),
        ("gcp", "provider", "user:ops@provider.example", "project acme-prod, roles/owner",
         "google_project_iam_member.owner"),
    ]
    assert doc["by_scope"] == {"company": 0, "provider": 2, "break-glass": 1, "unknown": 0}
    text = cli("-p", "no:checkov", "-p", "no:cfn-lint", "access", str(tmp_path))
    assert "provider    user:ops@provider.example over project acme-prod, roles/owner" in text.output


def test_access_of_a_missing_path_is_a_usage_error(cli, tmp_path):
    result = cli("access", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "no such file or directory" in result.output


def test_review_shows_how_the_access_register_changes(pr, review_json, rcli):
    repo, base, _ = pr({"iacgov.yaml": ADMIN_POLICY, "main.tf": AWS + ROLE % BREAK_GLASS},
                       {"main.tf": AWS + ROLE % PROVIDER_ROOT})
    code, doc = review_json(repo, base)
    assert [(h["scope"], h["principal"]) for h in doc["access"]["granted"]] == [
        ("provider", "arn:aws:iam::222222222222:root")]
    assert [(h["scope"], h["principal"]) for h in doc["access"]["revoked"]] == [
        ("break-glass", "arn:aws:iam::111111111111:role/break-glass")]
    assert ("admin_access_change", "strategic", "aws_iam_role.admin") in classes(doc) and code == 1
    text = rcli("--repo", repo.path, "--base", base).output
    assert "granted  provider    arn:aws:iam::222222222222:root over AWS account, administrator role ops-admin" in text


def test_a_shallow_clone_without_the_base_commit_names_fetch_depth_0(month, tmp_path, rcli):
    clone = tmp_path / "pr-checkout"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "provider", f"file://{month.path}", str(clone)],
                   env=GIT_ENV, check=True)
    base = month.git("rev-parse", "main")
    result = rcli("--repo", clone, "--base", base)
    assert result.exit_code == 2
    assert f"--base {base}: not a commit" in result.output and "fetch-depth: 0" in result.output
