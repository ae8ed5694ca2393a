"""A pull request that silences the company's other scanners (checkov, tfsec,
cfn_nag...) is a suppression the CTO decides on, like an iacgov:ignore."""

from __future__ import annotations

import pytest

from iacgov.review.skips import read_comment, read_metadata
from tests.review.gitkit import POLICY, pr, rcli, repo, review_json  # noqa: F401 - fixtures

AWS = 'provider "aws" {\n  region = "eu-west-3"\n}\n'
BUCKET = """\
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
  tags   = { env = "prod" }
}
"""
SKIPPED = BUCKET.replace('  bucket = "acme-data"\n',
                         '  #checkov:skip=CKV_AWS_18:access logs go to the SIEM\n  bucket = "acme-data"\n')


def skips(doc):
    return [(c["address"], c["authority"], c["file"], c["line"], c["detail"])
            for c in doc["changes"] if c["change_class"] == "suppression_added"]


def test_a_checkov_skip_added_to_a_resource_needs_the_cto(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"main.tf": AWS + SKIPPED})
    code, doc = review_json(repo, base)
    assert skips(doc) == [("aws_s3_bucket.data", "cto", "main.tf", 5,
                           "checkov skip of CKV_AWS_18 added (comment): access logs go to the SIEM")]
    change = next(c for c in doc["changes"] if c["change_class"] == "suppression_added")
    assert change["code"] == "CHG011"
    assert code == 1  # waits for the CTO's approval
    assert doc["required_approvals"][0]["authority"] == "cto"


def test_an_existing_skip_kept_or_moved_with_its_resource_is_not_a_decision(pr, review_json):
    moved = 'moved {\n  from = aws_s3_bucket.data\n  to   = aws_s3_bucket.archive\n}\n'
    head = AWS + SKIPPED.replace('"data"', '"archive"') + moved
    repo, base, _ = pr({"main.tf": AWS + SKIPPED}, {"storage.tf": head, "main.tf": None})
    _, doc = review_json(repo, base)
    assert skips(doc) == []


def test_the_same_skip_put_on_another_resource_is_added(pr, review_json):
    other = SKIPPED.replace('"data"', '"logs"').replace("acme-data", "acme-logs")
    repo, base, _ = pr({"main.tf": AWS + SKIPPED}, {"main.tf": AWS + SKIPPED + other})
    _, doc = review_json(repo, base)
    assert [(a, line) for a, _, _, line, _ in skips(doc)] == [("aws_s3_bucket.logs", 10)]


def test_skip_text_inside_strings_and_heredocs_is_not_a_skip(pr, review_json):
    text = BUCKET.replace('  bucket = "acme-data"\n',
                          '  bucket = "acme-data"\n  policy = <<EOT\n#checkov:skip=CKV_AWS_18:x\nEOT\n'
                          '  description = "#tfsec:ignore:aws-s3-enable-versioning"\n')
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"main.tf": AWS + text})
    _, doc = review_json(repo, base)
    assert skips(doc) == []


def test_tfsec_trivy_tflint_kics_and_terrascan_comments(pr, review_json):
    head = BUCKET.replace(
        '  bucket = "acme-data"\n',
        '  # tfsec:ignore:aws-s3-enable-versioning:exp:2027-01-31 trivy:ignore:AVD-AWS-0090\n'
        '  bucket = "acme-data" # tflint-ignore: aws_s3_bucket_name, terraform_naming_convention\n'
        '  # kics-scan ignore-line\n'
        '  acl = "private" #ts:skip=AC_AWS_0214 not a public bucket\n')
    repo, base, _ = pr({"main.tf": AWS + BUCKET}, {"main.tf": AWS + head})
    _, doc = review_json(repo, base)
    assert [(a, line, d) for a, _, _, line, d in skips(doc)] == [
        ("aws_s3_bucket.data", 5, "tfsec skip of aws-s3-enable-versioning added (comment): until 2027-01-31"),
        ("aws_s3_bucket.data", 5, "trivy skip of AVD-AWS-0090 added (comment), no reason given"),
        ("aws_s3_bucket.data", 6, "tflint skip of aws_s3_bucket_name added (comment), no reason given"),
        ("aws_s3_bucket.data", 6, "tflint skip of terraform_naming_convention added (comment), no reason given"),
        ("aws_s3_bucket.data", 7, "kics skip of ignore-line added (comment), no reason given"),
        ("aws_s3_bucket.data", 8, "terrascan skip of AC_AWS_0214 added (comment): not a public bucket"),
    ]


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-data
      Tags:
        - {Key: env, Value: prod}
"""
METADATA = """\
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_18
            comment: access logs go to the SIEM
      cfn-lint:
        config:
          ignore_checks: [W3045]
      cfn_nag:
        rules_to_suppress:
          - id: W35
            reason: same as CKV_AWS_18
      guard:
        SuppressedRules: [S3_BUCKET_LOGGING_ENABLED]
"""


def test_cloudformation_metadata_skips(pr, review_json):
    head = TEMPLATE.replace("    Properties:\n", METADATA + "    Properties:\n")
    repo, base, _ = pr({"bucket.yaml": TEMPLATE}, {"bucket.yaml": head})
    _, doc = review_json(repo, base)
    assert [(a, f, line, d) for a, _, f, line, d in skips(doc)] == [
        ("Data", "bucket.yaml", 3, "cfn-guard skip of S3_BUCKET_LOGGING_ENABLED added (Metadata), no reason given"),
        ("Data", "bucket.yaml", 3, "cfn-lint skip of W3045 added (Metadata), no reason given"),
        ("Data", "bucket.yaml", 3, "cfn_nag skip of W35 added (Metadata): same as CKV_AWS_18"),
        ("Data", "bucket.yaml", 3, "checkov skip of CKV_AWS_18 added (Metadata): access logs go to the SIEM"),
    ]


def test_a_skip_the_pr_removes_is_not_a_decision(pr, review_json):
    repo, base, _ = pr({"main.tf": AWS + SKIPPED}, {"main.tf": AWS + BUCKET})
    _, doc = review_json(repo, base)
    assert skips(doc) == []


def test_policy_can_route_suppressions_elsewhere(pr, review_json):
    policy = POLICY + "decisions:\n  suppression_added: strategic\n"
    repo, base, _ = pr({"iacgov.yaml": policy, "main.tf": AWS + BUCKET}, {"main.tf": AWS + SKIPPED})
    _, doc = review_json(repo, base)
    assert [a for _, a, *_ in skips(doc)] == ["strategic"]


@pytest.mark.parametrize("body, expected", [
    ("checkov:skip=CKV_AWS_18:reason here", [("checkov", ("CKV_AWS_18",), "reason here")]),
    ("checkov:skip=CKV2_AWS_6", [("checkov", ("CKV2_AWS_6",), None)]),
    ("bridgecrew:skip=BC_AWS_S3_13: legacy", [("checkov", ("BC_AWS_S3_13",), "legacy")]),
    ("tfsec:ignore:aws-ec2-no-public-egress-sgr", [("tfsec", ("aws-ec2-no-public-egress-sgr",), None)]),
    ("tflint-ignore-file: terraform_required_version", [("tflint", ("terraform_required_version",), None)]),
    ("kics-scan disable=e592a0c5-5bdb-414c-9066-5dba7cdea370,b6", [
        ("kics", ("disable=e592a0c5-5bdb-414c-9066-5dba7cdea370", "b6"), None)]),
    ("kics-scan ignore", [("kics", ("ignore",), None)]),
    ("just a comment about checkov", []),
    ("TODO: decide whether tfsec applies", []),
])
def test_read_comment(body, expected):
    assert [(w.source, w.codes, w.reason) for w in read_comment(body)] == expected


def test_read_metadata_ignores_malformed_entries():
    metadata = {"checkov": {"skip": [{"id": "CKV_AWS_1"}, "CKV_AWS_2", {"comment": "no id"}]},
                "cfn-lint": {"config": "E3012"}, "cfn_nag": {"rules_to_suppress": None}, "guard": []}
    assert [(w.source, w.codes) for w in read_metadata(metadata)] == [("checkov", ("CKV_AWS_1",))]


def test_a_skip_added_in_prod_is_added_when_dev_has_it_at_the_same_address(pr, review_json):
    # Addresses repeat across root modules: dev's skip on aws_s3_bucket.data is not prod's.
    dev = AWS + SKIPPED.replace('"prod"', '"dev"')
    repo, base, _ = pr({"envs/dev/main.tf": dev, "envs/prod/main.tf": AWS + BUCKET},
                       {"envs/dev/main.tf": dev.replace('"dev"', '"dev", team = "web"'),
                        "envs/prod/main.tf": AWS + SKIPPED})
    code, doc = review_json(repo, base)
    assert skips(doc) == [("aws_s3_bucket.data", "cto", "envs/prod/main.tf", 5,
                           "checkov skip of CKV_AWS_18 added (comment): access logs go to the SIEM")]
    assert code == 1


def test_a_skip_kept_in_a_module_two_roots_call_is_not_a_decision(pr, review_json):
    call = AWS + 'module "store" {\n  source = "../../modules/store"\n}\n'
    repo, base, _ = pr({"modules/store/main.tf": SKIPPED, "envs/dev/main.tf": call, "envs/prod/main.tf": call},
                       {"modules/store/main.tf": SKIPPED.replace('"prod"', '"prod", team = "web"')})
    _, doc = review_json(repo, base)
    assert skips(doc) == []
