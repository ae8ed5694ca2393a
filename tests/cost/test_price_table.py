"""Issue 25, second pass: one price table (cost/pricers.KINDS holds the cloud_pricers rules), so COST002's
size lookup, the usage-key reference and the CloudFormation counterparts see every priced kind."""

from __future__ import annotations

from costkit import policy, resource

from iacgov.api import size_of
from iacgov.cost import pricers
from iacgov.cost.estimate import estimate
from iacgov.cost.usage import usage_keys_reference
from iacgov.model import Unknown


def test_the_cloud_rules_are_in_the_one_table_and_win_over_the_first():
    names = [k.name for k in pricers.KINDS]
    assert len(names) == len(set(names))  # no kind twice (the first table's Cloud SQL / GCE entries gave way)
    assert pricers.kind_of("google_sql_database_instance").name == "google_sql_database_instance"
    # the first table said "Cloud SQL prices are not in the catalog"; the cloud rule prices db-custom tiers
    est = estimate([resource("google_sql_database_instance.db", "google_sql_database_instance",
                             {"settings": [{"tier": "db-custom-1-3840"}]}, region="us-central1", cloud="gcp")], policy())
    assert est.resources[0].status == "priced"
    assert pricers.kind_of("AWS::EKS::Nodegroup").name == "aws_eks_node_group"


def test_cost002_size_lookup_reads_the_cloud_kinds():
    gke = resource("google_container_node_pool.p", "google_container_node_pool",
                   {"node_config": [{"machine_type": "n2-standard-8"}]}, cloud="gcp")
    assert size_of(gke) == ("n2-standard-8", "node_config.machine_type")
    cfn = resource("Nodes", "AWS::EKS::Nodegroup", {"InstanceTypes": ["m5.large"]}, fmt="cloudformation")
    assert size_of(cfn) == ("m5.large", "InstanceTypes")  # a list of types: the first, the one priced
    sql = resource("google_sql_database_instance.db", "google_sql_database_instance",
                   {"settings": [{"tier": Unknown("var.tier has no value")}]}, cloud="gcp")
    size, attribute = size_of(sql)
    assert isinstance(size, Unknown) and attribute == "settings.tier"
    assert size_of(resource("aws_vpc.v", "aws_vpc")) == (None, None)


def test_usage_keys_and_counterparts_of_the_cloud_kinds():
    keys = usage_keys_reference()
    assert keys["google_sql_database_instance"] == ("backup_storage_gb",)
    assert keys["AWS::SQS::Queue"] == keys["aws_sqs_queue"] == ("monthly_requests",)
    assert keys["azurerm_storage_account"] == ("storage_gb",)
    assert pricers.counterparts("AWS::SQS::Queue") == ("AWS::SQS::Queue", "aws_sqs_queue")
