"""Issue 25, second pass: one price table (cost/pricers.KINDS holds the cloud_pricers rules), so COST002's
size lookup, the usage-key reference and the CloudFormation counterparts see every priced kind."""

from __future__ import annotations

from decimal import Decimal as D

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


def _asg(module: str, **attrs):
    return resource(f'{module}.aws_autoscaling_group.this[0]', "aws_autoscaling_group", attrs, region="eu-west-1")


def test_autoscaling_group_priced_from_the_launch_template_of_its_module():
    module = 'module.eks.module.self_managed_node_group["default"]'
    ref = Unknown("aws_launch_template.this[0].id is known only after apply", ref="aws_launch_template.this[0].id")
    template = resource(f"{module}.aws_launch_template.this[0]", "aws_launch_template", {"instance_type": "m5.large"},
                        region="eu-west-1")
    other = resource('module.other.aws_launch_template.this[0]', "aws_launch_template", {"instance_type": "c5.9xlarge"},
                     region="eu-west-1")
    est = {c.address: c for c in estimate([
        template, other,
        _asg(module, desired_capacity=2, launch_template=[{"id": ref}]),
        _asg("module.mixed", desired_capacity=2, launch_template=[],
             mixed_instances_policy=[{"launch_template": [{"override": [{"instance_type": "m5.large"}]}]}]),
        _asg("module.orphan", min_size=1, launch_template=[{"id": ref}]),
    ], policy()).resources}
    asg = est[f"{module}.aws_autoscaling_group.this[0]"]
    instances = next(c for c in asg.components if c.item.startswith("Instances"))
    # shared/pricing aws_ec2.csv eu-west-1,m5.large,0.107 (docs/cost.md check 7): 2 x 730 x 0.107 = 156.22
    assert instances.monthly == 2 * 730 * D("0.107") and "aws_launch_template.this[0]" in instances.item
    assert asg.status == "partial"  # the volumes come from the template's mappings / AMI: listed unpriced, not zero
    assert "mixed instances policy" in est["module.mixed.aws_autoscaling_group.this[0]"].components[0].reason
    orphan = est["module.orphan.aws_autoscaling_group.this[0]"]  # module.orphan has no template: not module.eks's
    assert orphan.status == "unpriced" and "not a resource of this module" in orphan.components[0].reason
