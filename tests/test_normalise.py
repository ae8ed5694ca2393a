"""Platform normalisation shared by the Terraform HCL and plan parsers."""

from __future__ import annotations

import pytest

from iacgov.model import Unknown, is_unknown
from iacgov.normalise import cloud_of_type, cloudformation_region, terraform_region, terraform_tags


@pytest.mark.parametrize(
    "rtype, attrs, provider, expected",
    [
        ("aws_s3_bucket", {}, {"region": "EU-West-3"}, "eu-west-3"),
        ("aws_sqs_queue", {"region": "us-west-2"}, {"region": "eu-west-3"}, "us-west-2"),
        ("aws_iam_role", {}, {"region": "us-east-1"}, None),
        ("aws_route53_resolver_endpoint", {}, {"region": "us-east-1"}, "us-east-1"),
        ("azurerm_storage_account", {"location": "France Central"}, None, "francecentral"),
        ("google_container_cluster", {"location": "europe-west1-b"}, None, "europe-west1"),
        ("google_storage_bucket", {"location": "EU"}, None, "eu"),
        ("google_compute_instance", {"zone": "europe-west9-a"}, None, "europe-west9"),
        ("google_compute_subnetwork", {}, {"zone": "us-central1-c"}, "us-central1"),
        ("google_project_iam_member", {}, {"region": "us-central1"}, None),
        ("random_id", {}, None, None),
    ],
)
def test_terraform_region(rtype, attrs, provider, expected):
    assert terraform_region(rtype, attrs, provider, "p") == expected


def test_unknown_regions_say_why():
    assert is_unknown(terraform_region("aws_s3_bucket", {}, None, "aws.dr"))
    assert "aws.dr" in terraform_region("aws_s3_bucket", {}, {}, "aws.dr").reason
    assert cloudformation_region("AWS::S3::Bucket", None).ref == "AWS::Region"
    assert cloudformation_region("AWS::IAM::Role", None) is None


def test_provider_default_tags_and_labels_are_merged_under_the_resource_own():
    aws = {"default_tags": [{"tags": {"env": "prod", "app": "x"}}]}
    assert terraform_tags("aws_s3_bucket", {"tags": {"app": "billing"}}, aws) == {"env": "prod", "app": "billing"}
    google = {"default_labels": {"env": "prod"}}
    assert terraform_tags("google_storage_bucket", {"labels": {"app": "etl"}}, google) == {"env": "prod", "app": "etl"}
    sql = {"settings": [{"user_labels": {"app": "analytics"}}]}
    assert terraform_tags("google_sql_database_instance", sql, google) == {"env": "prod", "app": "analytics"}
    assert is_unknown(terraform_tags("aws_s3_bucket", {"tags": Unknown("x")}, aws))


def test_cloud_of_type():
    assert [cloud_of_type(t) for t in ("aws_s3_bucket", "azurerm_key_vault", "azuread_group", "google_project",
                                       "AWS::S3::Bucket", "kubernetes_namespace")] == \
        ["aws", "azure", "azure", "gcp", "aws", "kubernetes"]
