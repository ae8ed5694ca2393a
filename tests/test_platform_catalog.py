"""The platform catalog (src/iacgov/platform/): its sources, what reads it, and what it claims.

Issue 16 part A: every resource-kind fact written once, as data. These tests
hold the catalog to its schema and its compiled form, show the drifted copies
it replaced now agree (one key-policy list, one App Service TLS list,
AWS::KMS::ReplicaKey mapped), and check that every kind the code names is in
it and every fact it claims is exercised by a rule fixture.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacgov import platform
from iacgov.cli import main
from iacgov.model import Location, Resource, Unknown
from iacgov.platform import loader
from iacgov.platform.values import get_path, walk
from tests.review.gitkit import pr, rcli, repo, review_json  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[1]


def test_the_sources_validate_and_compile_to_the_shipped_catalog_and_page():
    compiled = loader.load_sources()
    assert json.loads(loader.COMPILED.read_text(encoding="utf-8")) == compiled, \
        "catalog.json is stale: python scripts/generate_platform_docs.py"
    from scripts.generate_platform_docs import main as generate

    assert generate(["--check"]) == 0, "docs/platform.md is stale: python scripts/generate_platform_docs.py"


@pytest.fixture
def sources(tmp_path):
    shutil.copytree(loader.SOURCES, tmp_path / "catalog")
    return tmp_path / "catalog"


def test_a_default_without_a_source_is_refused_naming_the_file_and_the_entry(sources):
    s3 = sources / "aws" / "s3.yaml"
    s3.write_text(re.sub(r"\n      source: https://docs\.aws\.amazon\.com/AmazonS3/[^\n]*", "", s3.read_text()))
    with pytest.raises(loader.CatalogError, match=r"^aws/s3\.yaml: kinds/aws_s3_bucket/encryption: 'source' is a required property"):
        loader.load_sources(sources)


def test_an_unknown_fact_and_a_misnamed_file_are_refused(sources):
    sqs = sources / "aws" / "sqs.yaml"
    sqs.write_text(sqs.read_text().replace("    holds_data: true\n", "    holds_data: true\n    hold_data: true\n", 1))
    with pytest.raises(loader.CatalogError, match=r"aws/sqs\.yaml: kinds/aws_sqs_queue: Additional properties.*'hold_data'"):
        loader.load_sources(sources)
    sqs.write_text(sqs.read_text().replace("    hold_data: true\n", ""))
    sqs.rename(sources / "aws" / "queues.yaml")
    with pytest.raises(loader.CatalogError, match=r"aws/queues\.yaml: a file is named after its cloud and service \(aws/sqs\.yaml\)"):
        loader.load_sources(sources)


def test_a_kind_in_two_files_and_bad_yaml_are_refused(sources):
    (sources / "aws" / "other.yaml").write_text(
        "cloud: aws\nservice: other\nkinds:\n  aws_sqs_queue:\n    label: again\n    category: other\n")
    with pytest.raises(loader.CatalogError, match=r"aws/sqs\.yaml: aws_sqs_queue is also in aws/other\.yaml|"
                                                  r"aws/other\.yaml: aws_sqs_queue is also in aws/sqs\.yaml"):
        loader.load_sources(sources)
    (sources / "aws" / "other.yaml").write_text("cloud: aws\n\tservice: other\n")
    with pytest.raises(loader.CatalogError, match=r"^aws/other\.yaml line 2: not valid YAML"):
        loader.load_sources(sources)


def test_every_platform_default_cites_its_provider_documentation():
    for kind, entry in platform.catalog().kinds.items():
        for fact in ("encryption", "database"):
            if fact in entry:
                assert re.match(r"^https://(docs\.aws\.amazon\.com|aws\.amazon\.com|learn\.microsoft\.com|"
                                r"cloud\.google\.com|registry\.terraform\.io)/", entry[fact]["source"]), (kind, fact)
    for name, table in platform.catalog().tables.items():
        assert table["source"].startswith("https://"), name


def test_one_kind_of_for_every_format():
    assert platform.kind_of("AWS::RDS::DBInstance") == "aws_db_instance"
    assert platform.kind_of("AWS::KMS::ReplicaKey") == "aws_kms_replica_key"  # was missing from kinds.CFN_TO_TERRAFORM
    assert platform.kind_of("AWS::DynamoDB::GlobalTable") == "aws_dynamodb_table"
    assert platform.kind_of("aws_s3_bucket") == "aws_s3_bucket"
    assert platform.kind_of("AWS::Custom::Thing") == "AWS::Custom::Thing"
    replica = Resource("Replica", "AWS::KMS::ReplicaKey", "aws", "cloudformation", Location("t.yaml", 3))
    assert replica.kind == "aws_kms_replica_key"


def test_a_service_and_its_companions_are_one_service():
    assert platform.entry("aws_s3_bucket")["service"] == "s3"
    assert platform.entry("aws_s3_bucket_server_side_encryption_configuration")["service"] == "s3"
    assert platform.entry("AWS::S3::Bucket")["kind"] == "aws_s3_bucket"
    assert platform.entry("aws_iam_role")["location"] == "global"
    assert platform.entry("aws_s3_bucket")["location"] == "regional"
    assert platform.cloud_name("gcp") == "Google Cloud" and platform.cloud_name("ibm") == "ibm"


def test_the_one_path_walker():
    attrs = {"ebs": [{"encrypted": True}], "rule": [{"dest": [{"region": "eu-west-1"}, {"region": None}]},
                                                    {"dest": [{"region": "us-east-1"}]}], "unset": None}
    assert get_path(attrs, "ebs.0.encrypted") is True
    assert get_path(attrs, "ebs.encrypted") is None  # strict: a block is stepped into by its index
    assert get_path(attrs, "ebs.encrypted", into_blocks=True) is True  # the cost reader's rule
    assert get_path(attrs, "ebs.3.encrypted", "none") == "none"
    assert list(walk(attrs, "rule.*.dest.*.region".split("."), skip_null=True)) == [
        ("rule.0.dest.0.region", "eu-west-1"), ("rule.1.dest.0.region", "us-east-1")]
    unknown = Unknown("not known", ref="var.x")
    assert get_path({"a": unknown}, "a.b.c", into_blocks=True) is unknown  # an unknown on the way is the answer
    assert get_path({"a": unknown}, "a.b.c") is None


def test_one_key_policy_list_for_adm001_adm004_and_review():
    from iacgov.review.classify import KEY_POLICY_KINDS
    from iacgov_rules.adm001_key_policy_locks_out_company import KEY_POLICIES
    from iacgov_rules.adm004_resource_policy_denies_company import RESOURCE_POLICIES

    assert KEY_POLICIES == {t: a for t, (a, what, _actions) in RESOURCE_POLICIES.items() if what == "key"}
    assert set(KEY_POLICIES) == {"aws_kms_key", "aws_kms_key_policy", "aws_kms_replica_key", "aws_kms_external_key",
                                 "aws_kms_replica_external_key", "AWS::KMS::Key", "AWS::KMS::ReplicaKey"}
    # review had 3 (no external keys); it reads the same entries now
    assert {k: v for k, v in KEY_POLICY_KINDS.items()} == {
        "aws_kms_key": ("policy", "KeyPolicy"), "aws_kms_key_policy": ("policy", None),
        "aws_kms_replica_key": ("policy", "KeyPolicy"), "aws_kms_external_key": ("policy", None),
        "aws_kms_replica_external_key": ("policy", None)}


def test_one_app_service_tls_list_for_enc003_and_review():
    from iacgov.review.classify import TLS_SETTINGS
    from iacgov_rules.enc003_weak_encryption_in_transit import APP_SERVICE_KINDS

    review = {kind: path for kind, path, _reader in TLS_SETTINGS if kind.startswith("azurerm_") and "site_config" in path}
    assert review == dict(APP_SERVICE_KINDS) and len(review) == 8  # review had 2 of ENC003's 8


AZURE = 'provider "azurerm" {\n  features {}\n}\n'
KEY = ('resource "aws_kms_external_key" "imported" {\n  description = "imported"\n  policy = jsonencode({Version = '
       '"2012-10-17", Statement = [{Effect = "Allow", Principal = {AWS = "arn:aws:iam::%s:root"}, Action = "kms:*", '
       'Resource = "*"}]})\n}\n')


def test_review_sees_a_key_policy_change_on_an_external_key(pr, review_json):
    aws = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
    repo, base, _ = pr({"main.tf": aws + KEY % "111111111111"}, {"main.tf": aws + KEY % "222222222222"})
    _, doc = review_json(repo, base)
    assert [(c["change_class"], c["address"]) for c in doc["changes"] if c["change_class"] == "admin_access_change"] \
        == [("admin_access_change", "aws_kms_external_key.imported")]


def test_review_sees_minimum_tls_lowered_on_a_web_app_slot(pr, review_json):
    slot = ('resource "azurerm_linux_web_app_slot" "staging" {\n  name = "staging"\n  app_service_id = "x"\n'
            '  location = "francecentral"\n  site_config {\n    minimum_tls_version = "%s"\n  }\n}\n')
    repo, base, _ = pr({"main.tf": AZURE + slot % "1.2"}, {"main.tf": AZURE + slot % "1.0"})
    _, doc = review_json(repo, base)
    assert [c["detail"] for c in doc["changes"] if c["change_class"] == "security_downgrade"] == [
        'minimum TLS lowered: TLS 1.2 → TLS 1.0 ("1.2" → "1.0")']


def test_iacgov_kinds_lists_every_kind_and_what_checks_it():
    result = CliRunner().invoke(main, ["kinds", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == len(platform.catalog().kinds) == sum(data["counts"].values())
    by_kind = {k["kind"]: k for k in data["kinds"]}
    db = by_kind["aws_db_instance"]
    assert db["cloudformation"] == ["AWS::RDS::DBInstance"] and db["service"] == "rds" and db["category"] == "database"
    assert {"BCK001", "BCK003", "ENC001", "ENC002", "LOC001", "TAG001"} <= set(db["checked_by"])
    assert db["facts"]["encryption"]["read_by"] == ["ENC001", "ENC002", "review"]
    assert db["facts"]["encryption"]["value"]["switch"] == {"terraform": "storage_encrypted",
                                                           "cloudformation": "StorageEncrypted"}
    assert "LOC001" not in by_kind["aws_iam_role"]["checked_by"]  # global: no region to check
    text = CliRunner().invoke(main, ["kinds"])
    assert text.exit_code == 0
    assert re.search(r"^  aws_db_instance \(AWS::RDS::DBInstance\): RDS DB instance \[rds, database\] checked by: .*ENC001",
                     text.output, re.M)
    assert text.output.splitlines()[-1] == (f"{data['total']} kinds: {data['counts']['alicloud']} Alibaba Cloud, "
                                            f"{data['counts']['aws']} AWS, "
                                            f"{data['counts']['azure']} Azure, {data['counts']['gcp']} Google Cloud, "
                                            f"{data['counts']['helm']} Helm, {data['counts']['kind']} kind, "
                                            f"{data['counts']['kubernetes']} Kubernetes, {data['counts']['oci']} Oracle Cloud")


# --------------------------------------------------------------------------- meta-tests

KIND_LITERAL = re.compile(r"""["']((?:aws|azurerm|azuread|google)_[a-z0-9_]+|AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']""")


def test_every_resource_kind_named_in_the_code_is_in_the_catalog():
    cat = platform.catalog()
    known = set(cat.kinds) | set(cat.types)
    missing = {}
    for folder in ("src", "rules"):
        for path in (REPO / folder).rglob("*.py"):
            for m in KIND_LITERAL.finditer(path.read_text(encoding="utf-8")):
                if m.group(1) not in known:
                    missing.setdefault(m.group(1), path.relative_to(REPO).as_posix())
    assert missing == {}, "add these kinds to src/iacgov/platform/catalog/ (CONTRIBUTING.md)"


# Entries whose claimed fact no pass_/fail_ fixture exercises yet (issue 16: listed,
# to be covered by the catalog's breadth issue). A new entry claiming a fact
# brings its fixture; covering one of these removes it from the list.
WITHOUT_FIXTURE = {
    "AWS::IAM::RolePolicy", "aws_iam_group_policy", "aws_iam_role_policy_attachments_exclusive", "aws_iam_user", "aws_iam_user_policy",
    "aws_iam_user_policy_attachment", "aws_route53_health_check", "aws_route53_zone",
    "aws_s3_account_public_access_block",
    "google_compute_target_ssl_proxy",
    "google_logging_project_sink",
    "google_project_iam_audit_config",
}


def _fixture_text() -> str:
    texts = []
    for case in (REPO / "fixtures" / "rules").glob("*/*"):
        if case.name.startswith(("pass_", "fail_")):
            for f in ([case] if case.is_file() else sorted(case.rglob("*"))):
                if f.is_file():
                    texts.append(f.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def test_every_claimed_fact_is_exercised_by_a_rule_fixture():
    text = _fixture_text()
    lacking = set()
    for kind, entry in platform.catalog().kinds.items():
        claims = "encryption" in entry or entry.get("holds_data") or entry.get("location") == "global"
        if claims and not any(re.search(rf"(?<![\w:]){re.escape(name)}(?![\w:])", text)
                              for name in (kind, *entry.get("cloudformation", ()))):
            lacking.add(kind)
    assert lacking - WITHOUT_FIXTURE == set(), "add a pass_/fail_ fixture in fixtures/rules/ exercising these kinds"
    assert WITHOUT_FIXTURE - lacking == set(), "these kinds have a fixture now: remove them from WITHOUT_FIXTURE"


def test_iacgov_kinds_counts_the_kinds_that_store_or_carry_data():
    """Issue 17's breadth, as `iacgov kinds` and docs/platform.md count it: a kind stores or
    carries data when destroying it destroys data or it encrypts data at rest."""
    data = json.loads(CliRunner().invoke(main, ["kinds", "--format", "json"]).output)
    by_kind = {k["kind"]: k for k in data["kinds"]}
    stores = {c: sorted(k["kind"] for k in data["kinds"] if k["cloud"] == c
                        and ("holds_data" in k["facts"] or "encryption" in k["facts"])) for c in data["counts"]}
    assert data["data_kinds"] == {c: len(kinds) for c, kinds in stores.items()}
    assert data["data_kinds"]["aws"] >= 80
    assert {"aws_msk_cluster", "aws_memorydb_cluster", "aws_keyspaces_table", "aws_timestreamwrite_database",
            "aws_fsx_windows_file_system", "aws_sagemaker_notebook_instance", "aws_qldb_ledger"} <= set(stores["aws"])
    assert by_kind["aws_keyspaces_table"]["cloudformation"] == ["AWS::Cassandra::Table"]
    assert by_kind["AWS::FSx::FileSystem"]["facts"]["encryption"]["value"]["default"] is True
    assert "edge_bound" in by_kind["aws_wafv2_web_acl"]["facts"]
