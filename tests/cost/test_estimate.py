"""The estimator on resources built in the test: multiplicity, unknowns, environments,
provider fees, usage, and what review calls."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from iacgov.cost.catalog import Catalog, CostConfigError, parse_rate_card
from iacgov.cost.estimate import compare, environment_totals, estimate, resolve_settings
from iacgov.cost.model import PROVIDER_FEE, UNPRICED, USAGE_BASED
from iacgov.cost.usage import parse_usage
from iacgov.model import Unknown

from costkit import by_address, inventory, line, policy, resource

M5 = {"instance_type": "m5.xlarge", "root_block_device": [{"volume_size": 50, "volume_type": "gp3"}]}


def test_static_count_multiplies_every_line():
    est = by_address(estimate([resource("aws_instance.app", "aws_instance", M5, region="eu-west-1", count=3)], policy()))
    app = est["aws_instance.app"]
    usage = line(app, "Instance usage")
    assert usage.quantity == 3 * 730 and usage.monthly == 3 * 730 * D("0.214")  # aws_ec2.csv eu-west-1 m5.xlarge
    assert line(app, "Root volume storage").quantity == 150  # 3 x 50 GB, ebs_gp3_storage 0.088
    assert app.count == 3 and app.per_instance_monthly == app.monthly / 3


def test_expanded_instances_are_one_each_whatever_count_says():
    r = resource("aws_instance.app[1]", "aws_instance", M5, region="eu-west-1", count=3)
    assert by_address(estimate([r], policy()))["aws_instance.app[1]"].count == 1


def test_unknown_count_makes_the_resource_unpriced():
    r = resource("aws_instance.app", "aws_instance", M5, count=Unknown("var.n has no value"))
    est = estimate([r], policy())
    assert est.total_monthly == 0
    assert [(u.address, u.item, u.reason) for u in est.unpriced] == [
        ("aws_instance.app", None, "number of instances is not known: var.n has no value")]


@pytest.mark.parametrize(
    "attributes, region, reason",
    [
        ({"instance_type": Unknown("computed")}, "eu-west-1", "instance type is not known: computed"),
        ({"instance_type": "m5.xlarge", "tenancy": "dedicated"}, "eu-west-1", "dedicated tenancy prices are not in the catalog"),
        ({"instance_type": "m5.xlarge"}, Unknown("provider has no region"), "region is not known: provider has no region"),
        ({"instance_type": "x9.huge"}, "eu-west-1", "no price for ec2:x9.huge in eu-west-1"),
    ],
)
def test_unknowns_are_unpriced_with_their_reason(attributes, region, reason):
    cost = estimate([resource("aws_instance.a", "aws_instance", attributes, region=region)], policy()).resources[0]
    assert any(reason in (c.reason or "") for c in cost.unpriced), [c.reason for c in cost.unpriced]
    assert cost.monthly == 0


def test_rds_single_az_mysql_and_io1_storage_in_us_east_1():
    db = resource("aws_db_instance.a", "aws_db_instance", {
        "engine": "mysql", "instance_class": "db.t3.medium", "allocated_storage": "100", "storage_type": "io1",
        "iops": 1200}, region="us-east-1")
    cost = estimate([db], policy()).resources[0]
    assert line(cost, "Database instance (MySQL, Single-AZ").unit_price == D("0.068")  # aws_rds.csv us-east-1 db.t3.medium
    assert line(cost, "Database storage (Provisioned IOPS SSD io1").monthly == 100 * D("0.125")  # Infracost golden
    assert line(cost, "Database provisioned IOPS").monthly == 1200 * D("0.1")


def test_rds_engines_without_prices_and_aurora():
    oracle = resource("aws_db_instance.o", "aws_db_instance", {"engine": "db2-se", "instance_class": "db.m5.large"})
    aurora = resource("aws_rds_cluster.c", "aws_rds_cluster", {"engine": "aurora-postgresql"})
    est = by_address(estimate([oracle, aurora], policy()))
    assert "no db2-se prices in the catalog" in line(est["aws_db_instance.o"], "Database instance").reason
    assert est["aws_rds_cluster.c"].status == "usage-based"  # Aurora bills storage and I/O by use (kinds_aws)


def test_data_sources_free_types_and_unsupported_types():
    est = estimate([
        resource("data.aws_ami.a", "aws_ami", mode="data"),
        resource("aws_security_group.s", "aws_security_group"),
        resource("AWSVpc", "AWS::EC2::VPC", fmt="cloudformation"),
        resource("aws_gamelift_fleet.n", "aws_gamelift_fleet"),
    ], policy())
    status = {r.address: r.status for r in est.resources}
    assert status == {"aws_security_group.s": "free", "AWSVpc": "free", "aws_gamelift_fleet.n": "unpriced"}
    assert est.unpriced[0].reason == "iacgov has no price rule for aws_gamelift_fleet"
    assert "aws_security_group" not in est.by_resource_type


def test_environment_from_tag_then_path_then_unassigned():
    pol = policy({"environment_tag": "env", "environment_paths": {"envs/dev/**": "dev"}})
    est = by_address(estimate([
        resource("aws_eip.tagged", "aws_eip", tags={"env": "prod"}, path="envs/dev/main.tf", region="us-east-1"),
        resource("aws_eip.by_path", "aws_eip", path="envs/dev/main.tf", region="us-east-1"),
        resource("aws_eip.unknown_tag", "aws_eip", tags={"env": Unknown("var.env has no value")}, region="us-east-1"),
    ], pol))
    assert (est["aws_eip.tagged"].environment, est["aws_eip.tagged"].environment_source) == ("prod", "tag env")
    assert (est["aws_eip.by_path"].environment, est["aws_eip.by_path"].environment_source) == ("dev", "path envs/dev/**")
    assert est["aws_eip.unknown_tag"].environment == "unassigned"
    assert "tag env is not known" in est["aws_eip.unknown_tag"].environment_source


def test_provider_fee_is_its_own_line_and_covers_the_cloudformation_counterpart():
    pol = policy({"provider_fees": {"aws_db_instance": 150, "aws_eks_cluster": {"monthly": 400, "label": "Kubernetes ops"}}})
    db = resource("Db", "AWS::RDS::DBInstance", {"Engine": "postgres", "DBInstanceClass": "db.r5.large",
                                                 "AllocatedStorage": "20"}, fmt="cloudformation", region="eu-west-1")
    eks = resource("aws_eks_cluster.k", "aws_eks_cluster", region="us-east-1", count=2)
    est = by_address(estimate([db, eks], pol))
    fee = line(est["Db"], "Provider fee (aws_db_instance)")
    assert fee.kind == PROVIDER_FEE and fee.monthly == 150 and fee.source == "policy cost.provider_fees.aws_db_instance"
    # db.r5.large single-AZ eu-west-1 (aws_rds.csv 0.28) + 20 GB gp2 (0.127) + fee
    assert est["Db"].monthly == 730 * D("0.28") + 20 * D("0.127") + 150
    assert line(est["aws_eks_cluster.k"], "Kubernetes ops").monthly == 800  # two instances
    assert est["aws_eks_cluster.k"].monthly == 2 * 730 * D("0.1") + 800


def test_usage_file_by_address_overrides_type_defaults_and_warns_on_unused_keys():
    usage = parse_usage(
        "version: 1\n"
        "resource_usage:\n  aws_s3_bucket.a:\n    storage_gb: 10\n    storage_gbs: 5\n  aws_s3_bucket.gone:\n    storage_gb: 1\n"
        "resource_type_default_usage:\n  aws_s3_bucket:\n    storage_gb: 100\n    monthly_get_requests: 2000\n",
        "u.yaml")
    settings = resolve_settings(policy())
    settings = type(settings)(settings.rate_card, usage, settings.provider_fees, settings.budgets)
    est = estimate([resource("aws_s3_bucket.a", "aws_s3_bucket", region="us-east-1"),
                    resource("aws_s3_bucket.b", "aws_s3_bucket", region="us-east-1")], policy(), settings=settings)
    costs = by_address(est)
    assert line(costs["aws_s3_bucket.a"], "S3 Standard storage").monthly == 10 * D("0.023")
    assert line(costs["aws_s3_bucket.b"], "S3 Standard storage").monthly == 100 * D("0.023")
    assert line(costs["aws_s3_bucket.a"], "S3 Standard GET").monthly == 2 * D("0.0004")
    assert line(costs["aws_s3_bucket.a"], "S3 Standard PUT").kind == USAGE_BASED
    assert any("storage_gbs not used by aws_s3_bucket.a" in w for w in est.warnings)
    assert any("resource_usage.aws_s3_bucket.gone: no such resource" in w for w in est.warnings)


def test_usage_based_without_usage_is_listed_with_its_unit_price():
    cost = estimate([resource("aws_lambda_function.f", "aws_lambda_function", {"memory_size": 512},
                              region="us-east-1")], policy()).resources[0]
    assert cost.status == "usage-based" and cost.monthly == 0
    requests = line(cost, "Lambda requests")
    assert requests.kind == USAGE_BASED and requests.unit_price == D("0.2") and "monthly_requests" in requests.reason


def test_lambda_priced_from_usage():
    usage = parse_usage("resource_type_default_usage:\n  aws_lambda_function:\n"
                        "    monthly_requests: 2000000\n    average_duration_ms: 150\n", "u.yaml")
    settings = resolve_settings(policy())
    settings = type(settings)(None, usage, {}, {})
    fn = resource("aws_lambda_function.f", "aws_lambda_function", {"memory_size": 512, "architectures": ["arm64"]},
                  region="us-east-1")
    cost = estimate([fn], policy(), settings=settings).resources[0]
    assert line(cost, "Lambda requests").monthly == 2 * D("0.2")
    # 2,000,000 x 0.150 s x 0.5 GB = 150,000 GB-s x 0.0000133334 (arm, first tier)
    duration = line(cost, "Lambda duration (arm64")
    assert duration.quantity == 150000 and duration.monthly == 150000 * D("0.0000133334")


def test_rate_card_unit_mismatch_is_unpriced_not_misread():
    catalog = Catalog(parse_rate_card("cloud,region,sku,unit,price,currency\n"
                                      "aws,eu-west-1,ec2:m5.xlarge,month,150,USD\n", "rates.csv"))
    cost = estimate([resource("aws_instance.a", "aws_instance", {"instance_type": "m5.xlarge"}, region="eu-west-1")],
                    policy(), catalog=catalog).resources[0]
    reason = line(cost, "Instance usage").reason
    assert "per month, expected per hour" in reason and "rate card rates.csv:2" in reason


def test_bad_policy_values_are_config_errors(tmp_path):
    with pytest.raises(CostConfigError, match="rate card not found"):
        estimate([], policy({"rate_card": "missing.csv"}), base_dir=tmp_path)


def test_environment_totals_and_compare_for_review():
    pol = policy({"environment_tag": "env"})
    base = [resource("aws_instance.a", "aws_instance", {"instance_type": "m5.xlarge"}, region="eu-west-1",
                     tags={"env": "prod"})]
    head = base + [resource("aws_instance.b", "aws_instance", {"instance_type": "m5.2xlarge"}, region="eu-west-1",
                            tags={"env": "prod"}),
                   resource("aws_instance.c", "aws_instance", {"instance_type": "m9g.large"}, region="eu-west-1",
                            tags={"env": "dev"})]
    assert environment_totals(base, pol) == {"prod": 730 * D("0.214")}
    changes = {c.environment: c for c in compare(estimate(base, pol), estimate(head, pol))}
    assert changes["prod"].delta == 730 * D("0.428")  # the new m5.2xlarge
    assert changes["dev"].delta == 0 and changes["dev"].new_unpriced[0].address == "aws_instance.c"


def test_output_is_deterministic():
    inv = inventory("terraform")
    from iacgov.cost.report import render_csv, render_json

    first = estimate(inv.resources, inv.policy)
    second = estimate(tuple(reversed(inv.resources)), inv.policy)
    assert render_json(first) == render_json(second) and render_csv(first) == render_csv(second)


def test_lambda_ephemeral_storage_above_the_free_512_mb():
    usage = parse_usage("resource_type_default_usage:\n  aws_lambda_function:\n"
                        "    monthly_requests: 2000000\n    average_duration_ms: 150\n", "u.yaml")
    settings = resolve_settings(policy())
    settings = type(settings)(None, usage, {}, {})
    big = resource("aws_lambda_function.big", "aws_lambda_function",
                   {"memory_size": 512, "ephemeral_storage": [{"size": 10240}]}, region="us-east-1")
    small = resource("aws_lambda_function.small", "aws_lambda_function",
                     {"memory_size": 512, "ephemeral_storage": [{"size": 512}]}, region="us-east-1")
    cfn = resource("Fn", "AWS::Lambda::Function", {"MemorySize": 512, "EphemeralStorage": {"Size": 2560}},
                   region="us-east-1", fmt="cloudformation")
    costs = by_address(estimate([big, small, cfn], policy(), settings=settings))
    # 2,000,000 x 0.150 s = 300,000 s; (10,240 - 512) / 1,024 = 9.5 GB -> 2,850,000 GB-s x 0.0000000309
    storage = line(costs["aws_lambda_function.big"], "Lambda ephemeral storage")
    assert storage.quantity == 2850000 and storage.monthly == 2850000 * D("0.0000000309")
    assert not [c for c in costs["aws_lambda_function.small"].components if "ephemeral" in c.item]
    # (2,560 - 512) / 1,024 = 2 GB -> 600,000 GB-s
    assert line(costs["Fn"], "Lambda ephemeral storage").quantity == 600000


def test_a_usage_line_without_a_unit_price_is_unpriced_and_the_resource_is_not_usage_based():
    """Setting the usage would not price a line whose unit price the catalog lacks: it must count as unpriced."""
    est = by_address(estimate([
        # the replicated backups' storage has a Frankfurt price; the transfer's source region is not known
        resource("aws_db_instance_automated_backups_replication.half", "aws_db_instance_automated_backups_replication",
                 {}, region="eu-central-1"),
        resource("aws_db_instance_automated_backups_replication.nowhere", "aws_db_instance_automated_backups_replication",
                 {}, region=Unknown("from a variable", ref="var.region")),
    ], policy()))
    half = est["aws_db_instance_automated_backups_replication.half"]
    storage = line(half, "Replicated backup storage")
    assert storage.kind == USAGE_BASED and storage.unit_price == D("0.103")  # the Frankfurt row, priced once usage is set
    assert line(half, "Cross-region transfer").kind == UNPRICED
    assert half.status == "partial" and half.monthly == 0
    nowhere = est["aws_db_instance_automated_backups_replication.nowhere"]
    assert nowhere.status == "unpriced"
    assert line(nowhere, "Replicated backup storage").reason.startswith("region is not known: from a variable")
    assert "set backup_storage_gb" in line(nowhere, "Replicated backup storage").reason
