"""The cited EU prices of extra_prices.csv (Paris eu-west-3, Frankfurt eu-central-1,
Ireland eu-west-1) in estimates, each expected figure computed by hand from the
row it comes from; and what stays unpriced there.

Row ids in the comments are the source ids described in
src/iacgov/data/prices/extra_prices_notes.md.
"""

from __future__ import annotations

import csv
import importlib.util
from decimal import Decimal as D

import pytest

from iacgov.cost.estimate import estimate
from iacgov.cost.model import PRICED, UNPRICED, USAGE_BASED

from conftest import REPO
from costkit import by_address, line, policy, resource

HOURS = D(730)
PRICES = REPO / "src" / "iacgov" / "data" / "prices"


def priced(resources, usage_path=None):
    return by_address(estimate(resources, policy(), usage_path=usage_path))


# --------------------------------------------------------------------------- Paris (eu-west-3)


def test_single_az_postgres_db_r5_large_with_100_gb_gp3_in_paris():
    db = priced([resource("aws_db_instance.db", "aws_db_instance", {
        "engine": "postgres", "instance_class": "db.r5.large", "multi_az": False,
        "allocated_storage": 100, "storage_type": "gp3"})])["aws_db_instance.db"]
    # aws_rds.csv: eu-west-3,db.r5.large,postgres,0.294 (single-az) -> 730 x 0.294 = 214.62
    assert line(db, "Database instance").monthly == D("214.620")
    # extra_prices.csv: eu-west-3 rds_gp3_storage_single_az 0.133 ([PLX-EUW3] EUW3-RDS:GP3-Storage) -> 100 x 0.133
    storage = line(db, "Database storage (General Purpose SSD gp3, Single-AZ)")
    assert storage.unit_price == D("0.133") and storage.monthly == D("13.300")
    assert "[PLX-EUW3]" in storage.source and "dated 2026-10-06" in storage.source
    assert db.status == "priced" and db.monthly == D("227.920")


def test_multi_az_storage_in_paris_from_its_own_row():
    """The Multi-AZ gp3 figure for Paris is cited ([APW]); it is not derived from the Single-AZ one."""
    db = priced([resource("aws_db_instance.db", "aws_db_instance", {
        "engine": "postgres", "instance_class": "db.r5.large", "multi_az": True,
        "allocated_storage": 100, "storage_type": "gp3"})])["aws_db_instance.db"]
    assert line(db, "Database instance").monthly == HOURS * D("0.588")  # aws_rds.csv multi-az column: 429.24
    storage = line(db, "Database storage (General Purpose SSD gp3, Multi-AZ)")
    # [APW] rds-storage.json 'EU (Paris)' 'Database Storage Multi AZ General Purpose-GP3' 0.266 -> 100 x 0.266
    assert storage.unit_price == D("0.266") and storage.monthly == D("26.600")
    assert "[APW]" in storage.source and "dated 2025-05-23" in storage.source
    assert db.status == "priced" and db.monthly == D("455.840")


def test_paris_nat_gateway_load_balancer_and_s3_with_usage(tmp_path):
    usage = tmp_path / "iacgov-usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n"
                     "  aws_nat_gateway.nat:\n    monthly_data_processed_gb: 200\n"
                     "  aws_lb.web:\n    average_lcu_per_hour: 2\n"
                     "  aws_s3_bucket.assets:\n    storage_gb: 500\n    monthly_put_requests: 20000\n"
                     "    monthly_get_requests: 3000000\n")
    est = priced([resource("aws_nat_gateway.nat", "aws_nat_gateway"),
                  resource("aws_lb.web", "aws_lb", {"load_balancer_type": "application"}),
                  resource("aws_s3_bucket.assets", "aws_s3_bucket")], usage_path=usage)
    nat = est["aws_nat_gateway.nat"]
    # [PLX-EUW3] EUW3-NatGateway-Hours 0.05 and EUW3-NatGateway-Bytes 0.05: 730 x 0.05 + 200 x 0.05
    assert line(nat, "NAT gateway").monthly == D("36.50")
    assert line(nat, "NAT gateway data processed").monthly == D("10.00")
    assert nat.monthly == D("46.50")
    web = est["aws_lb.web"]
    # [PLX-EUW3] AWSELB EUW3-LoadBalancerUsage 0.02646, EUW3-LCUUsage 0.0084: 730 x 0.02646 + 2 x 730 x 0.0084
    assert line(web, "Application Load Balancer").monthly == D("19.31580")
    assert line(web, "Application Load Balancer capacity units").monthly == D("12.2640")
    s3 = est["aws_s3_bucket.assets"]
    # [PLX-EUW3] 0.024 per GB; 0.0053 and 0.00042 per 1k requests (per-request prices x 1,000)
    assert line(s3, "S3 Standard storage").monthly == D("12.000")  # 500 x 0.024
    assert line(s3, "S3 Standard PUT").monthly == D("0.1060")  # 20 x 0.0053
    assert line(s3, "S3 Standard GET").monthly == D("1.26000")  # 3,000 x 0.00042
    assert s3.monthly == D("13.366")


def test_paris_nlb_from_its_own_row_not_from_the_alb():
    nlb = priced([resource("aws_lb.tcp", "aws_lb", {"load_balancer_type": "network"})])["aws_lb.tcp"]
    hour = line(nlb, "Network Load Balancer")
    # [APW] elb.json 'EU (Paris)' 'Network Load Balancer Hours' 0.02646 -> 730 x 0.02646 (the feed's own NLB rate)
    assert hour.monthly == D("19.31580") and "Network Load Balancer Hours" in hour.source
    lcu = line(nlb, "Network Load Balancer capacity units")
    assert lcu.kind == USAGE_BASED and lcu.unit_price == D("0.0063")  # [APW] 'Network Load Balancer LCU Hours'


def test_paris_ebs_volume_types():
    est = priced([
        resource("aws_ebs_volume.gp2", "aws_ebs_volume", {"size": 100, "type": "gp2"}),
        resource("aws_ebs_volume.io1", "aws_ebs_volume", {"size": 200, "type": "io1", "iops": 5000}),
        resource("aws_ebs_volume.st1", "aws_ebs_volume", {"size": 1000, "type": "st1"}),
        resource("aws_ebs_volume.sc1", "aws_ebs_volume", {"size": 1000, "type": "sc1"}),
        resource("aws_ebs_volume.fast", "aws_ebs_volume", {"size": 100, "type": "gp3", "iops": 6000}),
    ])
    # [TC-E2E] AWS Price List of 2020-10-19: gp2 0.116, io1 0.145 + 0.076 per IOPS, st1 0.053
    assert est["aws_ebs_volume.gp2"].monthly == D("11.600")
    io1 = est["aws_ebs_volume.io1"]
    assert line(io1, "EBS volume storage").monthly == D("29.000")  # 200 x 0.145
    assert line(io1, "EBS volume provisioned IOPS").monthly == D("380.000")  # 5000 x 0.076
    assert "dated 2020-10-19" in line(io1, "EBS volume storage").source
    assert est["aws_ebs_volume.st1"].monthly == D("53.000")
    assert est["aws_ebs_volume.sc1"].monthly == D("17.4000")  # [EV] ebs_sc1_gb_mo 0.0174 -> 1000 x 0.0174
    fast = est["aws_ebs_volume.fast"]
    assert line(fast, "EBS volume storage").monthly == D("9.2800")  # [PLX-EUW3] 100 x 0.0928
    # [EV] ebs_gp3_iops_mo 0.0058 -> (6000 - 3000) x 0.0058
    assert line(fast, "EBS volume provisioned IOPS above 3000").monthly == D("17.4000")
    assert fast.status == "priced" and fast.monthly == D("26.68")


def test_cloudformation_counterparts_in_paris():
    est = priced([
        resource("Db", "AWS::RDS::DBInstance", {"Engine": "postgres", "DBInstanceClass": "db.r5.large",
                                                "MultiAZ": False, "AllocatedStorage": "100", "StorageType": "gp3"},
                 fmt="cloudformation"),
        resource("Nat", "AWS::EC2::NatGateway", {"SubnetId": "subnet-1"}, fmt="cloudformation"),
        resource("Key", "AWS::KMS::Key", {}, fmt="cloudformation"),
        resource("Cluster", "AWS::EKS::Cluster", {}, fmt="cloudformation"),
    ])
    assert est["Db"].monthly == D("227.920")  # 730 x 0.294 + 100 x 0.133
    assert line(est["Nat"], "NAT gateway").monthly == D("36.50")
    assert est["Key"].monthly == D("1")  # [WEB-KMS]
    assert est["Cluster"].monthly == D("73.0")  # [WEB-EKS] 730 x 0.1


# --------------------------------------------------------------------------- Frankfurt (eu-central-1)


def test_frankfurt_gp3_volume_with_iops_and_throughput():
    vol = priced([resource("aws_ebs_volume.data", "aws_ebs_volume",
                           {"size": 100, "type": "gp3", "iops": 4000, "throughput": 250},
                           region="eu-central-1")])["aws_ebs_volume.data"]
    assert line(vol, "EBS volume storage").monthly == D("9.5200")  # [WEB-HJ] 100 x 0.0952
    assert line(vol, "EBS volume provisioned IOPS above 3000").monthly == D("6.000")  # [WEB-HJ] 1000 x 0.006
    throughput = line(vol, "EBS volume provisioned throughput above 125")
    # [FOCUS] '$0.0476 per provisioned MiBps-month of gp3 - EU (Frankfurt)' (the blog's 0.048 was rounded)
    assert throughput.unit_price == D("0.0476") and throughput.monthly == D("5.9500")  # 125 x 0.0476
    assert vol.monthly == D("21.47")


def test_frankfurt_load_balancers_kms_and_eks():
    est = priced([
        resource("aws_lb.web", "aws_lb", {"load_balancer_type": "application"}, region="eu-central-1"),
        resource("aws_lb.tcp", "aws_lb", {"load_balancer_type": "network"}, region="eu-central-1"),
        resource("aws_elb.legacy", "aws_elb", region="eu-central-1"),
        resource("aws_kms_key.k", "aws_kms_key", region="eu-central-1"),
        resource("aws_eks_cluster.c", "aws_eks_cluster", region="eu-central-1"),
    ])
    assert line(est["aws_lb.web"], "Application Load Balancer").monthly == D("19.710")  # [FN] 730 x 0.027
    assert line(est["aws_lb.web"], "Application Load Balancer capacity units").kind == USAGE_BASED
    assert line(est["aws_lb.web"], "Application Load Balancer capacity units").unit_price == D("0.008")  # [APW]
    tcp = est["aws_lb.tcp"]
    assert line(tcp, "Network Load Balancer").monthly == D("19.710")  # [APW] 730 x 0.027
    lcu = line(tcp, "Network Load Balancer capacity units")
    assert lcu.kind == USAGE_BASED and lcu.unit_price == D("0.006")  # [FOCUS]
    assert line(est["aws_elb.legacy"], "Classic Load Balancer").monthly == D("21.90")  # [FOCUS] 730 x 0.03
    assert est["aws_kms_key.k"].monthly == D("1")  # [FOCUS] '$1 per customer managed KMS key version in EU (Frankfurt)'
    assert est["aws_eks_cluster.c"].monthly == D("73.0")  # [WEB-EKS]


def test_frankfurt_nat_rds_storage_and_cold_hdd():
    est = priced([
        resource("aws_nat_gateway.nat", "aws_nat_gateway", region="eu-central-1"),
        resource("aws_db_instance.db", "aws_db_instance", {
            "engine": "mysql", "instance_class": "db.m5.large", "multi_az": True,
            "allocated_storage": 50, "storage_type": "gp3"}, region="eu-central-1"),
        resource("aws_ebs_volume.cold", "aws_ebs_volume", {"size": 500, "type": "sc1"}, region="eu-central-1"),
    ])
    assert line(est["aws_nat_gateway.nat"], "NAT gateway").monthly == D("37.960")  # [EV] nat_hr 0.052 x 730
    assert line(est["aws_nat_gateway.nat"], "NAT gateway data processed").unit_price == D("0.052")  # [EV] nat_gb
    db = est["aws_db_instance.db"]
    assert line(db, "Database instance").kind == PRICED  # aws_rds.csv
    # [APW] 'EU (Frankfurt)' 'Database Storage Multi AZ General Purpose-GP3' 0.274 -> 50 x 0.274
    assert line(db, "Database storage (General Purpose SSD gp3, Multi-AZ)").monthly == D("13.700")
    assert est["aws_ebs_volume.cold"].monthly == D("9.000")  # [EV] ebs_sc1_gb_mo 0.018 -> 500 x 0.018


def test_frankfurt_gaps_are_listed_with_their_reason():
    vol = priced([resource("aws_ebs_volume.piops", "aws_ebs_volume", {"size": 100, "type": "io1", "iops": 3000},
                           region="eu-central-1")])["aws_ebs_volume.piops"]
    assert vol.monthly == 0 and vol.status == "unpriced"  # no Frankfurt io1 price found
    assert "no price for ebs_io1_storage in eu-central-1" in line(vol, "EBS volume storage").reason


# --------------------------------------------------------------------------- Ireland (eu-west-1)


def test_ireland_kms_eks_and_s3_with_usage(tmp_path):
    usage = tmp_path / "iacgov-usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  aws_s3_bucket.b:\n    storage_gb: 100\n"
                     "    monthly_get_requests: 1000000\n")
    est = priced([resource("aws_kms_key.k", "aws_kms_key", region="eu-west-1"),
                  resource("aws_eks_cluster.c", "aws_eks_cluster", region="eu-west-1"),
                  resource("aws_s3_bucket.b", "aws_s3_bucket", region="eu-west-1")], usage_path=usage)
    assert est["aws_kms_key.k"].monthly == D("1")
    assert est["aws_eks_cluster.c"].monthly == D("73.0")
    storage = line(est["aws_s3_bucket.b"], "S3 Standard storage")
    assert storage.monthly == D("2.300") and "[S3W]" in storage.source  # 100 x 0.023
    assert line(est["aws_s3_bucket.b"], "S3 Standard GET").monthly == D("0.4000")  # [S3W] 1,000 x 0.0004


def test_serverless_items_in_the_three_eu_regions_from_usage(tmp_path):
    """Lambda, DynamoDB on-demand, KMS requests and CloudWatch Logs from the [APW] feed copies."""
    usage = tmp_path / "iacgov-usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n"
                     "  aws_lambda_function.f:\n    monthly_requests: 3000000\n    average_duration_ms: 200\n"
                     "  aws_lambda_function.g:\n    monthly_requests: 3000000\n    average_duration_ms: 200\n"
                     "  aws_dynamodb_table.t:\n    monthly_read_request_units: 10000000\n"
                     "    monthly_write_request_units: 2000000\n    storage_gb: 20\n"
                     "  aws_dynamodb_table.p:\n    monthly_read_request_units: 10000000\n"
                     "    monthly_write_request_units: 2000000\n    storage_gb: 20\n"
                     "  aws_kms_key.k:\n    monthly_requests: 100000\n"
                     "  aws_cloudwatch_log_group.l:\n    monthly_ingested_gb: 10\n    storage_gb: 50\n")
    est = priced([
        resource("aws_lambda_function.f", "aws_lambda_function", {"memory_size": 1024}, region="eu-central-1"),
        resource("aws_lambda_function.g", "aws_lambda_function", {"memory_size": 1024, "architectures": ["arm64"]},
                 region="eu-west-1"),
        resource("aws_dynamodb_table.t", "aws_dynamodb_table", {"billing_mode": "PAY_PER_REQUEST"},
                 region="eu-central-1"),
        resource("aws_dynamodb_table.p", "aws_dynamodb_table", {"billing_mode": "PAY_PER_REQUEST"}),  # Paris
        resource("aws_kms_key.k", "aws_kms_key", region="eu-west-1"),
        resource("aws_cloudwatch_log_group.l", "aws_cloudwatch_log_group", region="eu-central-1"),
    ], usage_path=usage)
    fn = est["aws_lambda_function.f"]
    assert line(fn, "Lambda requests").monthly == D("0.6")  # [APW] 'Lambda Requests' 0.0000002 x 1e6 = 0.2; 3 x 0.2
    # 3,000,000 x 0.2 s x 1 GB = 600,000 GB-s x 0.0000166667 ('EU (Frankfurt)' 'Lambda Duration')
    assert line(fn, "Lambda duration (x86_64").monthly == D("10.00002")
    # Ireland arm: 600,000 GB-s x 0.0000133334 ('EU (Ireland)' 'Lambda Duration-ARM')
    assert line(est["aws_lambda_function.g"], "Lambda duration (arm64").monthly == D("8.00004")
    table = est["aws_dynamodb_table.t"]  # 'EU (Frankfurt)' PayPerRequest RRU 0.1525/1M, WRU 0.7625/1M, 0.306/GB-Mo
    assert line(table, "DynamoDB on-demand read").monthly == D("1.525")  # 10 x 0.1525
    assert line(table, "DynamoDB on-demand write").monthly == D("1.525")  # 2 x 0.7625
    assert line(table, "DynamoDB storage").monthly == D("6.12")  # 20 x 0.306
    paris = est["aws_dynamodb_table.p"]  # 'EU (Paris)' RRU 0.1487/1M, WRU 0.7423/1M, 0.29715/GB-Mo
    assert line(paris, "DynamoDB on-demand read").monthly == D("1.487")
    assert line(paris, "DynamoDB on-demand write").monthly == D("1.4846")
    assert line(paris, "DynamoDB storage").monthly == D("5.943")
    key = est["aws_kms_key.k"]
    assert line(key, "KMS requests").monthly == D("0.3")  # 'API request - Non Free Tier' 0.000003 x 10,000 = 0.03; 10 x
    logs = est["aws_cloudwatch_log_group.l"]
    assert line(logs, "CloudWatch Logs data ingested").monthly == D("6.3")  # 10 x 0.63
    assert line(logs, "CloudWatch Logs storage").monthly == D("1.62")  # 50 x 0.0324
    assert "[APW]" in line(logs, "CloudWatch Logs storage").source


# --------------------------------------------------------------------------- the rows themselves


def _build_module():
    spec = importlib.util.spec_from_file_location("build_price_catalog", REPO / "scripts" / "build_price_catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_source_id_is_described_in_the_notes():
    notes = (PRICES / "extra_prices_notes.md").read_text()
    ids = {row["source"].split("]", 1)[0] + "]" for row in csv.DictReader((PRICES / "extra_prices.csv").open())}
    assert ids >= {"[PLX-EUW3]", "[TC-E2E]", "[FOCUS]", "[FN]", "[WEB-KMS]", "[WEB-EKS]", "[APW]", "[EV]", "[S3W]"}
    assert all(f"`{i}`" in notes for i in ids), ids
    sources = (PRICES / "SOURCES.md").read_text()
    assert "### Gaps that remain" in sources and "EBS io2" in sources  # the notes ship with the catalog


def test_a_row_citing_an_undescribed_source_is_refused(tmp_path):
    build = _build_module()
    rows = tmp_path / "extra_prices.csv"
    rows.write_text("cloud,region,item,unit,usd,source,dated\n"
                    "aws,eu-west-3,nlb,hour,0.02646,[GUESS] same as the ALB in the same region,2026-10-09\n")
    with pytest.raises(build.BuildError) as err:
        build.check_extra(rows, set(), "- `[TC]` — Terracost")
    assert str(err.value) == "extra_prices.csv:2: source id [GUESS] is not described in extra_prices_notes.md"
    rows.write_text("cloud,region,item,unit,usd,source,dated\naws,eu-west-3,nlb,hour,0.02646,an unnamed blog,2026-10-09\n")
    with pytest.raises(build.BuildError, match="must start with its id in brackets"):
        build.check_extra(rows, set(), "")
