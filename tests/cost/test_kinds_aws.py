"""AWS price rules of kinds_aws and the rows of aws_pricewatcher.csv they read, checked to the cent."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from iacgov.cost.catalog import shipped_price
from iacgov.cost.estimate import estimate, resolve_settings
from iacgov.cost.model import PRICED, UNPRICED, USAGE_BASED
from iacgov.cost.usage import parse_usage

from costkit import by_address, line, policy, resource

ROOT = Path(__file__).resolve().parents[2]
MIRROR = Path("/work/.mirror/QuinnyPig+aws-price-watcher/repo")


def run(*resources, usage: str | None = None):
    settings = resolve_settings(policy())
    if usage is not None:
        settings = type(settings)(settings.rate_card, parse_usage(usage, "u.yaml"), settings.provider_fees,
                                  settings.budgets)
    return by_address(estimate(list(resources), policy(), settings=settings))


def test_rows_cite_the_source_file_price_name_and_location():
    price = shipped_price("aws", "us-west-2", "eks_cluster_standard_support")
    assert price.usd == D("0.1") and price.unit == "hour"
    assert "QuinnyPig/aws-price-watcher@a6645eb processed/eks.json ['Compute per Hours']['US West (Oregon)']" \
        in price.source
    kms = shipped_price("aws", "eu-central-2", "kms_symmetric_requests")  # $0.000003 a request, per 10k
    assert (kms.usd, kms.unit) == (D("0.03"), "10k requests")
    assert shipped_price("aws", "us-west-2", "dynamodb_storage").usd == D("0.25")
    assert shipped_price("aws", "eu-north-1", "lambda_requests").usd == D("0.2")  # $0.0000002 a request, per million
    # a key another file states stays with it (one file per key): eu-west-3 ALB is in extra_prices.csv
    assert shipped_price("aws", "eu-west-3", "alb").source.startswith("extra_prices.csv")


def test_us_west_2_control_plane_key_and_classic_lb_are_priced():
    est = run(resource("aws_eks_cluster.k", "aws_eks_cluster", region="us-west-2"),
              resource("aws_kms_key.k", "aws_kms_key", region="us-west-2"),
              resource("aws_elb.e", "aws_elb", region="us-west-2"))
    assert est["aws_eks_cluster.k"].monthly == D("73.00")  # 730 h x $0.10
    assert est["aws_kms_key.k"].monthly == D("1")
    assert line(est["aws_elb.e"], "Classic Load Balancer").monthly == D("18.25")  # 730 h x $0.025


def test_aurora_instance_priced_by_class_and_unknowns_stay_unpriced():
    est = run(resource("aws_rds_cluster_instance.a", "aws_rds_cluster_instance",
                       {"engine": "aurora-postgresql", "instance_class": "db.r6g.large"}, region="us-west-2"),
              resource("aws_rds_cluster_instance.far", "aws_rds_cluster_instance",
                       {"engine": "aurora-postgresql", "instance_class": "db.r6g.large"}, region="ap-south-1"),
              resource("aws_rds_cluster_instance.u", "aws_rds_cluster_instance",
                       {"engine": "aurora-mysql"}, region="us-west-2"),
              resource("aws_rds_cluster_instance.s", "aws_rds_cluster_instance",
                       {"engine": "aurora-mysql", "instance_class": "db.serverless"}, region="eu-west-3"))
    assert est["aws_rds_cluster_instance.a"].monthly == D("189.80")  # 730 h x $0.26
    far = line(est["aws_rds_cluster_instance.far"], "Aurora PostgreSQL instance")
    assert far.kind == UNPRICED and far.reason == "no price for aurora:postgresql:db.r6g.large in ap-south-1 in the catalog"
    assert line(est["aws_rds_cluster_instance.u"], "Aurora instance").reason == "instance class is not set"
    serverless = line(est["aws_rds_cluster_instance.s"], "Aurora Serverless v2")
    assert serverless.kind == USAGE_BASED and serverless.unit_price == D("0.14")


def test_aurora_cluster_storage_and_io_are_usage_based_then_priced_from_the_usage_file():
    cluster = resource("aws_rds_cluster.c", "aws_rds_cluster", {}, region="us-west-2")  # engine: aurora (MySQL)
    assert run(cluster)["aws_rds_cluster.c"].status == "usage-based"
    est = run(cluster, usage="version: 1\nresource_usage:\n  aws_rds_cluster.c:\n    storage_gb: 100\n"
                             "    monthly_io_requests: 5000000\n")
    cost = est["aws_rds_cluster.c"]
    assert line(cost, "Aurora storage").monthly == D("10.0")  # 100 GB x $0.10
    assert line(cost, "Aurora I/O requests").monthly == D("1.0")  # 5M x $0.20 per million
    other = run(resource("aws_rds_cluster.m", "aws_rds_cluster", {"engine": "mysql"}, region="us-west-2"))
    assert "mysql is not an Aurora engine" in line(other["aws_rds_cluster.m"], "DB cluster").reason


def test_neptune_opensearch_and_directory():
    est = run(resource("aws_neptune_cluster_instance.n", "aws_neptune_cluster_instance",
                       {"instance_class": "db.t3.medium"}, region="us-west-2"),
              resource("aws_elasticsearch_domain.e", "aws_elasticsearch_domain",
                       {"cluster_config": {"instance_type": "t2.small.elasticsearch", "instance_count": 1},
                        "ebs_options": {"ebs_enabled": True, "volume_size": 30}}, region="us-west-2"),
              resource("aws_directory_service_directory.d", "aws_directory_service_directory",
                       {"type": "MicrosoftAD", "edition": "Standard"}, region="eu-west-1"))
    assert est["aws_neptune_cluster_instance.n"].monthly == D("71.54")  # 730 h x $0.098
    es = est["aws_elasticsearch_domain.e"]
    assert line(es, "Data nodes").monthly == D("26.28")  # 730 h x $0.036 (t2.small.search)
    assert es.status == "partial" and "EBS storage prices are not in the catalog" in line(es, "EBS storage").reason
    assert est["aws_directory_service_directory.d"].monthly == D("91.98")  # 2 DCs x 730 h x $0.063


def test_backups_replicated_across_regions_bill_storage_here_and_transfer_from_the_source():
    arn = "arn:aws:rds:eu-west-1:123456789012:db:source"
    replication = resource("aws_db_instance_automated_backups_replication.r",
                           "aws_db_instance_automated_backups_replication", {"source_db_instance_arn": arn},
                           region="eu-central-1")
    est = run(replication, usage="version: 1\nresource_usage:\n  aws_db_instance_automated_backups_replication.r:\n"
                                 "    backup_storage_gb: 100\n    monthly_transfer_gb: 50\n")
    cost = est["aws_db_instance_automated_backups_replication.r"]
    assert line(cost, "Replicated backup storage").monthly == D("10.300")  # 100 GB x $0.103 (Frankfurt)
    transfer = line(cost, "Cross-region transfer")
    assert transfer.kind == PRICED and transfer.monthly == D("1.00")  # 50 GB x $0.02 out of Ireland
    unknown = run(resource("aws_db_instance_automated_backups_replication.u",
                           "aws_db_instance_automated_backups_replication", {}, region="eu-central-1"))
    assert "source region is not known" in line(unknown["aws_db_instance_automated_backups_replication.u"],
                                                 "Cross-region transfer").reason


def test_usage_only_kinds_and_eks_capability_reason():
    est = run(resource("aws_ecr_repository.r", "aws_ecr_repository", region="us-west-2"),
              resource("aws_flow_log.f", "aws_flow_log", {"log_destination_type": "s3"}, region="us-west-2"),
              resource("aws_eks_capability.c", "aws_eks_capability", region="us-east-1"))
    assert line(est["aws_ecr_repository.r"], "ECR image storage").unit_price == D("0.1")
    assert line(est["aws_flow_log.f"], "Flow logs delivered to S3").unit_price == D("0.25")
    assert est["aws_eks_capability.c"].status == "unpriced"
    assert "EKS Capabilities prices are not in the catalog" in line(est["aws_eks_capability.c"], "EKS").reason


@pytest.mark.skipif(not MIRROR.is_dir(), reason="no local copy of QuinnyPig/aws-price-watcher")
def test_shipped_file_is_what_the_builder_reads_from_the_pinned_snapshot():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_aws_pricewatcher.py"), "--check",
                           "--repo", str(MIRROR)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_rds_engines_beyond_postgres_and_mysql_priced_by_engine_licence_and_deployment():
    est = run(resource("aws_db_instance.ex", "aws_db_instance",
                       {"engine": "sqlserver-ex", "instance_class": "db.t3.large", "allocated_storage": 20},
                       region="eu-west-1"),
              resource("aws_db_instance.ora", "aws_db_instance",
                       {"engine": "oracle-ee", "instance_class": "db.t3.large", "multi_az": True,
                        "license_model": "bring-your-own-license"}, region="eu-west-1"),
              resource("aws_db_instance.li", "aws_db_instance",
                       {"engine": "oracle-ee", "instance_class": "db.t3.large", "license_model": "license-included"},
                       region="eu-west-1"),
              resource("aws_db_instance.db2", "aws_db_instance", {"engine": "db2-se", "instance_class": "db.m5.large"},
                       region="eu-west-1"))
    ex = est["aws_db_instance.ex"]
    assert line(ex, "Database instance").monthly == D("126.290")  # 730 h x $0.173
    assert ex.monthly == D("128.830")  # + 20 GB gp2 x $0.127
    assert line(est["aws_db_instance.ora"], "Database instance").monthly == D("210.240")  # 730 h x $0.288 (BYOL)
    # RDS offers Oracle EE only with your own licence: no licence-included price, so it stays unpriced
    assert "no price for rdsdb:oracle-ee:license-included:single-az:db.t3.large in eu-west-1" in \
        line(est["aws_db_instance.li"], "Database instance").reason
    assert "no db2-se prices in the catalog" in line(est["aws_db_instance.db2"], "Database instance").reason


def test_elasticache_kinesis_and_sns():
    est = run(resource("aws_elasticache_cluster.c", "aws_elasticache_cluster",
                       {"engine": "redis", "node_type": "cache.t3.micro"}, region="eu-west-1"),
              resource("aws_elasticache_replication_group.g", "aws_elasticache_replication_group",
                       {"engine": "valkey", "node_type": "cache.r6g.large", "num_node_groups": 2,
                        "replicas_per_node_group": 1}, region="eu-west-1"),
              resource("aws_elasticache_replication_group.u", "aws_elasticache_replication_group",
                       {"node_type": "cache.r6g.large", "num_cache_clusters": "${var.n}"}, region="eu-west-1"),
              resource("aws_kinesis_stream.k", "aws_kinesis_stream", {"shard_count": 2}, region="us-west-2"),
              resource("aws_sns_topic.t", "aws_sns_topic", region="eu-south-2"))
    assert est["aws_elasticache_cluster.c"].monthly == D("13.140")  # 730 h x $0.018
    assert est["aws_elasticache_replication_group.g"].monthly == D("534.9440")  # 2 shards x 2 nodes x 730 h x $0.1832
    assert line(est["aws_elasticache_replication_group.u"], "Cache nodes").kind == UNPRICED
    assert line(est["aws_kinesis_stream.k"], "Kinesis shards").monthly == D("21.900")  # 2 x 730 h x $0.015
    assert line(est["aws_sns_topic.t"], "SNS API requests").unit_price == D("0.5")  # per million


def test_a_cloudformation_aurora_instance_is_priced_by_class_without_storage():
    est = run(resource("Db", "AWS::RDS::DBInstance", {"Engine": "aurora-mysql", "DBInstanceClass": "db.r6g.large",
                                                      "DBClusterIdentifier": "c"}, fmt="cloudformation",
                       region="us-west-2"))
    cost = est["Db"]
    assert [c.item for c in cost.components] == ["Aurora MySQL instance (db.r6g.large, on-demand)"]
    assert cost.monthly == D("189.80")  # 730 h x $0.26


def test_a_look_up_reads_only_the_row_files_of_its_cloud():
    """Each row file holds the clouds its manifest entry names, so a look-up skips the others' files (an Azure
    project does not read the 12k AWS rows)."""
    import csv
    import io

    from iacgov.cost import catalog

    for name in catalog._row_files():
        named = {c.strip() for c in catalog.manifest()["files"][name]["cloud"].split(",")}
        rows = csv.reader(io.StringIO(catalog._data_text(name)))
        next(rows)
        assert {row[0] for row in rows} <= named, name
    assert "aws_pricewatcher.csv" not in catalog._files_for("azure", "log_analytics_ingestion")
    assert "aws_pricewatcher.csv" in catalog._files_for("aws", "alb")


def test_fargate_pods_priced_per_vcpu_hour_and_gb_hour_from_the_eks_map():
    profile = resource("aws_eks_fargate_profile.p", "aws_eks_fargate_profile", region="eu-west-1")
    listed = run(profile)["aws_eks_fargate_profile.p"]
    assert listed.status == "usage-based"
    vcpu, memory = line(listed, "Fargate pod vCPU"), line(listed, "Fargate pod memory")
    assert (vcpu.unit_price, vcpu.unit) == (D("0.04048"), "vCPU-hour")
    assert (memory.unit_price, memory.unit) == (D("0.004445"), "GB-hour")
    assert "processed/eks.json ['Fargate perCPU per hours']['EU (Ireland)']" in vcpu.source
    # two pods of 0.5 vCPU / 1 GB all month: 730 vCPU-hours and 1,460 GB-hours
    est = run(profile, usage="version: 1\nresource_usage:\n  aws_eks_fargate_profile.p:\n"
                             "    monthly_vcpu_hours: 730\n    monthly_gb_hours: 1460\n")["aws_eks_fargate_profile.p"]
    assert line(est, "Fargate pod vCPU").monthly == D("29.5504")  # 730 x $0.04048
    assert line(est, "Fargate pod memory").monthly == D("6.4897")  # 1,460 x $0.004445
    paris = line(run(resource("aws_eks_fargate_profile.q", "aws_eks_fargate_profile",
                              region="eu-west-3"))["aws_eks_fargate_profile.q"], "Fargate pod vCPU")
    assert paris.unit_price == D("0.0486")



def test_fargate_outside_the_catalog_regions_or_without_a_region_stays_unpriced_with_the_reason():
    far = run(resource("aws_eks_fargate_profile.f", "aws_eks_fargate_profile", region="ap-south-1"))
    vcpu = line(far["aws_eks_fargate_profile.f"], "Fargate pod vCPU")
    assert vcpu.kind == UNPRICED and vcpu.reason.startswith("no price for fargate_vcpu in ap-south-1 in the catalog")
    nowhere = run(resource("aws_eks_fargate_profile.n", "aws_eks_fargate_profile", region=None))
    assert line(nowhere["aws_eks_fargate_profile.n"], "Fargate pod memory").kind == UNPRICED


def test_instance_types_aws_ec2_csv_lacks_are_priced_from_the_ec2_map_and_the_others_stay_with_it():
    est = run(resource("aws_instance.gpu", "aws_instance", {"instance_type": "p4d.24xlarge"}, region="eu-west-1"),
              resource("aws_instance.web", "aws_instance", {"instance_type": "m5.xlarge"}, region="eu-west-1"),
              resource("aws_instance.far", "aws_instance", {"instance_type": "p4d.24xlarge"}, region="ap-south-1"))
    gpu = line(est["aws_instance.gpu"], "Instance")
    assert gpu.monthly == D("17312.4537")  # 730 h x $23.71569
    assert gpu.source.startswith("aws_ec2_pricewatcher.csv:") and \
        "processed/ec2.json ['OnDemand Linux-instancetype-p4d.24xlarge']['EU (Ireland)']" in gpu.source
    assert line(est["aws_instance.web"], "Instance").source.startswith("aws_ec2.csv:")  # the first file keeps its keys
    far = line(est["aws_instance.far"], "Instance")
    assert far.kind == UNPRICED and far.reason == "no price for ec2:p4d.24xlarge in ap-south-1 in the catalog"


def test_ebs_snapshot_storage_priced_in_us_east_1_from_the_infracost_golden_and_unpriced_where_no_row_is():
    usage = ("version: 1\nresource_usage:\n  aws_ebs_snapshot.east:\n    storage_gb: 100\n"
             "  aws_ebs_snapshot.oregon:\n    storage_gb: 100\n")
    est = run(resource("aws_ebs_snapshot.east", "aws_ebs_snapshot", region="us-east-1"),
              resource("aws_ebs_snapshot.oregon", "aws_ebs_snapshot", region="us-west-2"), usage=usage)
    east = line(est["aws_ebs_snapshot.east"], "EBS snapshot storage")
    assert east.monthly == D("5.00")  # 100 GB x $0.05 ($0.50 for the golden's 10 GB snapshot)
    assert "ebs_snapshot_test.golden [aws_ebs_snapshot.gp2 / EBS snapshot storage: $0.50 for 10 GB" in east.source
    oregon = line(est["aws_ebs_snapshot.oregon"], "EBS snapshot storage")
    assert oregon.kind == UNPRICED and oregon.monthly is None
    assert oregon.reason.startswith("no price for ebs_snapshot_storage in us-west-2 in the catalog")


def test_nat_gateways_in_the_european_regions_from_the_second_copy_of_the_natgateway_map():
    usage = "version: 1\nresource_usage:\n  aws_nat_gateway.london:\n    monthly_data_processed_gb: 100\n"
    est = run(resource("aws_nat_gateway.london", "aws_nat_gateway", region="eu-west-2"),
              resource("aws_nat_gateway.zurich", "aws_nat_gateway", region="eu-central-2"),
              resource("aws_nat_gateway.paris", "aws_nat_gateway", region="eu-west-3"), usage=usage)
    london = est["aws_nat_gateway.london"]
    assert line(london, "NAT gateway").monthly == D("36.50")  # 730 h x $0.05
    assert line(london, "NAT gateway data processed").monthly == D("5.00")  # 100 GB x $0.05
    assert "[NGW] lamngockhuong/aws-price@508fb45 lib/data/pricing/natgateway.json" in line(london, "NAT gateway").source
    assert line(est["aws_nat_gateway.zurich"], "NAT gateway").monthly == D("41.756")  # 730 h x $0.0572
    # a region another file already stated keeps its row (the copies agree: 0.05)
    assert line(est["aws_nat_gateway.paris"], "NAT gateway").source.startswith("extra_prices.csv")


def test_internet_egress_first_tier_in_the_regions_the_catalog_lacked():
    usage = "version: 1\nresource_usage:\n  aws_instance.web:\n    monthly_internet_egress_gb: 200\n"
    est = run(resource("aws_instance.web", "aws_instance", {"instance_type": "m5.large"}, region="eu-north-1"),
              usage=usage)
    egress = line(est["aws_instance.web"], "Data transfer out to the internet")
    assert egress.monthly == D("18.00")  # 200 GB x $0.09
    assert ("processed/datatransfer.json ['DataTransfer External Outbound Next 10 TB']"
            "['EU (Stockholm) (StartingRange: 0, EndingRange: 10240)']") in egress.source
