"""Estimates compared with figures computed by hand from the catalog rows, for
each priced kind, in Terraform HCL, plan JSON and CloudFormation.

Every expected figure is written as the product of the catalog row it comes
from (file:line of src/iacgov/data/prices/ in the comment), 730 hours a month.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from iacgov.cost.estimate import estimate
from iacgov.cost.model import PRICED, UNPRICED, USAGE_BASED, money

from costkit import COST_FIXTURES, by_address, inventory, line, policy

HOURS = D(730)


@pytest.fixture(scope="module")
def hcl():
    inv = inventory("terraform")
    assert not inv.errors
    return by_address(estimate(inv.resources, inv.policy, usage_path=COST_FIXTURES / "iacgov-usage.yaml"))


# --------------------------------------------------------------------------- Terraform HCL


def test_multi_az_postgres_db_r5_large_paris(hcl):
    db = hcl["aws_db_instance.billing"]
    instance = line(db, "Database instance (PostgreSQL, Multi-AZ")
    # aws_rds.csv: eu-west-3,db.r5.large,postgres,0.294,0.588 (multi-az column)
    assert instance.unit_price == D("0.588") and instance.quantity == HOURS
    assert instance.monthly == D("429.240")
    assert "aws_rds.csv:" in instance.source and "multi_az_usd_per_hour" in instance.source
    # extra_prices.csv: eu-west-3 rds_gp3_storage_multi_az 0.266 ([APW] 'Database Storage Multi AZ General Purpose-GP3')
    storage = line(db, "Database storage (General Purpose SSD gp3, Multi-AZ)")
    assert storage.quantity == 100 and storage.unit_price == D("0.266") and storage.monthly == D("26.600")
    assert db.status == "priced" and db.monthly == D("455.840")


def test_multi_az_postgres_with_gp3_storage_ireland(hcl):
    db = hcl["aws_db_instance.billing_ie"]
    # aws_rds.csv: eu-west-1,db.r5.large,postgres,...,0.56 -> 730 x 0.56 = 408.80
    assert line(db, "Database instance").monthly == D("408.80")
    # extra_prices.csv: eu-west-1 rds_gp3_storage_multi_az 0.254 (Terracost EU-RDS:Multi-AZ-GP3-Storage) -> 100 x 0.254
    storage = line(db, "Database storage (General Purpose SSD gp3, Multi-AZ)")
    assert storage.quantity == 100 and storage.unit_price == D("0.254") and storage.monthly == D("25.400")
    assert storage.source.startswith("extra_prices.csv:") and "EU-RDS:Multi-AZ-GP3-Storage" in storage.source
    assert money(db.monthly) == D("434.20") and db.status == "priced"


def test_three_m5_xlarge_through_count(hcl):
    instances = [hcl[f"aws_instance.app[{i}]"] for i in range(3)]
    for app in instances:
        # aws_ec2.csv: eu-west-3,m5.xlarge,0.224 -> 730 x 0.224 = 163.52 each
        usage = line(app, "Instance usage (Linux, on-demand, m5.xlarge)")
        assert usage.unit_price == D("0.224") and usage.monthly == D("163.520")
        # extra_prices.csv: eu-west-3 ebs_gp3_storage 0.0928 ([PLX-EUW3] EUW3-EBS:VolumeUsage.gp3) -> 50 x 0.0928
        root = line(app, "Root volume storage (General Purpose SSD gp3)")
        assert root.unit_price == D("0.0928") and root.monthly == D("4.6400") and "EUW3-EBS:VolumeUsage.gp3" in root.source
        assert app.monthly == D("168.160") and app.status == "priced"
    assert sum(a.monthly for a in instances) == D("504.480")


def test_count_from_a_variable_and_every_ebs_line(hcl):
    # var.worker_count = 2 -> worker[0], worker[1] in eu-west-1
    workers = [hcl["aws_instance.worker[0]"], hcl["aws_instance.worker[1]"]]
    for w in workers:
        assert line(w, "Instance usage").monthly == D("0.0456") * HOURS  # aws_ec2.csv eu-west-1 t3.medium 0.0456 = 33.288
        assert line(w, "Root volume storage (General Purpose SSD gp3)").monthly == 20 * D("0.088")  # misc ebs_gp3_storage
        assert line(w, "Root volume provisioned IOPS above 3000").monthly == (4000 - 3000) * D("0.0055")
        assert line(w, "Root volume provisioned throughput above 125").monthly == (200 - 125) * D("0.044")
        assert line(w, "EBS volume /dev/sdf storage (Throughput Optimized HDD st1)").monthly == 100 * D("0.05")
        # 33.288 + 1.76 + 5.50 + 3.30 + 5.00
        assert w.monthly == D("48.848")


def test_standalone_io1_volume(hcl):
    vol = hcl["aws_ebs_volume.data"]
    assert line(vol, "EBS volume storage (Provisioned IOPS SSD io1)").monthly == 500 * D("0.138")  # 69.00
    assert line(vol, "EBS volume provisioned IOPS (io1)").monthly == 1000 * D("0.072")  # 72.00
    assert vol.monthly == D("141.000")


def test_nat_gateway_hours_and_processed_data_from_the_usage_file(hcl):
    nat = hcl["aws_nat_gateway.main"]
    assert line(nat, "NAT gateway").monthly == HOURS * D("0.048")  # misc eu-west-1 nat_gateway 0.048 -> 35.04
    # usage file: resource_type_default_usage.aws_nat_gateway.monthly_data_processed_gb = 250
    assert line(nat, "NAT gateway data processed").monthly == 250 * D("0.048")  # 12.00
    assert nat.monthly == D("47.040")


def test_application_and_network_load_balancers(hcl):
    web, tcp = hcl["aws_lb.web"], hcl["aws_lb.tcp"]
    assert line(web, "Application Load Balancer").monthly == HOURS * D("0.0252")  # 18.396
    assert line(tcp, "Network Load Balancer").monthly == HOURS * D("0.0252")
    lcu = line(web, "Application Load Balancer capacity units")
    assert lcu.kind == USAGE_BASED and lcu.unit_price == D("0.008") and "average_lcu_per_hour" in lcu.reason


def test_eks_kms_eip_and_s3_in_us_east_1(hcl):
    assert hcl["aws_eks_cluster.main"].monthly == HOURS * D("0.1")  # misc eks_cluster_standard_support 0.1 -> 73.00
    assert line(hcl["aws_kms_key.main"], "KMS customer managed key").monthly == D("1")
    assert line(hcl["aws_eip.nat"], "Public IPv4 address").monthly == HOURS * D("0.005")  # extra public_ipv4 -> 3.65
    s3 = hcl["aws_s3_bucket.archive"]
    # usage: 1000 GB x 0.023 + 100,000 PUT / 1000 x 0.005 + 1,000,000 GET / 1000 x 0.0004
    assert line(s3, "S3 Standard storage").monthly == D("23.000")
    assert line(s3, "S3 Standard PUT").monthly == D("0.500")
    assert line(s3, "S3 Standard GET").monthly == D("0.4000")
    assert s3.monthly == D("23.9")


def test_azure_vm_size_and_gcp_machine_type(hcl):
    vm = hcl["azurerm_linux_virtual_machine.api"]
    # azure_vm.csv: francecentral,Standard_D2s_v5,0.112 ("France Central" -> francecentral)
    assert line(vm, "Virtual machine (Linux").monthly == HOURS * D("0.112")  # 81.76
    assert line(vm, "Managed OS disk").kind == UNPRICED
    etl = hcl["google_compute_instance.etl"]
    # gcp_compute.csv: europe-west9,e2-standard-4,0.155464 (zone europe-west9-b)
    assert line(etl, "VM instance").monthly == HOURS * D("0.155464")  # 113.48872
    assert etl.environment == "prod" and etl.application == "analytics"


def test_unknown_and_missing_prices_are_listed_never_zero(hcl):
    mystery = hcl["aws_instance.mystery"]
    assert mystery.status == "unpriced" and mystery.monthly == 0
    assert "instance type is not known" in line(mystery, "Instance usage").reason
    assert "set by the AMI" in line(mystery, "Root volume storage").reason
    future = hcl["aws_instance.future"]
    assert "no price for ec2:m9g.large in eu-west-1" in line(future, "Instance usage").reason
    assert line(future, "Root volume storage (General Purpose SSD gp2)").monthly == 8 * D("0.11")  # default type gp2
    assert hcl["aws_vpc.main"].status == "free"


def test_environments_from_provider_default_tags(hcl):
    assert hcl["aws_db_instance.billing"].environment == "prod"
    assert hcl["aws_db_instance.billing_ie"].environment == "staging"
    assert hcl["aws_eks_cluster.main"].environment == "dr"
    assert hcl["aws_eks_cluster.main"].environment_source == "tag env"


def test_totals_per_environment(hcl):
    inv = inventory("terraform")
    est = estimate(inv.resources, inv.policy, usage_path=COST_FIXTURES / "iacgov-usage.yaml")
    # dr: 73.00 + 1.00 + 3.65 + 23.90
    assert est.by_environment["dr"] == D("101.55")
    # prod: 429.24 + 26.60 + 3 x (163.52 + 4.64) + 81.76 + 113.48872
    #       + 0.464 (the GCE VM's debian-12 boot disk: the 10 GB default x pd-standard 0.0464 in europe-west9)
    assert est.by_environment["prod"] == D("1156.03272")
    # staging: 434.20 + 2 x 48.848 + 141 + 47.04 + 2 x 18.396 + 0.88 (future's root volume)
    assert est.by_environment["staging"] == D("757.608")
    assert est.total_monthly == sum(est.by_environment.values())


# --------------------------------------------------------------------------- plan JSON


def test_plan_json_count_instances_database_and_deletions():
    inv = inventory("plan")
    est = by_address(estimate(inv.resources, inv.policy))
    for i in range(3):
        app = est[f"aws_instance.app[{i}]"]
        assert line(app, "Instance usage (Linux, on-demand, m5.xlarge)").monthly == D("163.520")  # 730 x 0.224
        assert app.environment == "prod"  # tags_all
    db = est["aws_db_instance.billing"]
    assert line(db, "Database instance (PostgreSQL, Multi-AZ").monthly == D("429.240")  # 730 x 0.588
    assert "aws_nat_gateway.old" not in est  # planned deletion: costs nothing after the change
    # extra_prices.csv: eu-west-3 nat_gateway 0.05 ([PLX-EUW3] EUW3-NatGateway-Hours) -> 730 x 0.05
    nat = line(est["aws_nat_gateway.main"], "NAT gateway")
    assert nat.unit_price == D("0.05") and nat.monthly == D("36.50") and "EUW3-NatGateway-Hours" in nat.source
    # no usage file: the processed data is listed as usage-based at its Paris price, not invented
    data = line(est["aws_nat_gateway.main"], "NAT gateway data processed")
    assert data.kind == USAGE_BASED and data.unit_price == D("0.05")


# --------------------------------------------------------------------------- CloudFormation


def test_cloudformation_counterparts_in_ireland():
    inv = inventory("cloudformation", region="eu-west-1")
    est = by_address(estimate(inv.resources, inv.policy))
    db = est["Database"]
    assert line(db, "Database instance (PostgreSQL, Multi-AZ").monthly == D("408.80")  # 730 x 0.56
    assert line(db, "Database storage (General Purpose SSD gp3, Multi-AZ)").monthly == D("25.400")  # "100" x 0.254
    app = est["App"]  # InstanceType from a parameter default
    assert line(app, "Instance usage (Linux, on-demand, m5.xlarge)").monthly == HOURS * D("0.214")  # 156.22
    assert line(app, "Root volume storage (General Purpose SSD gp3)").monthly == 50 * D("0.088")  # /dev/xvda, 4.40
    assert est["Data"].monthly == 500 * D("0.138") + 1000 * D("0.072")  # 141.00
    assert line(est["Nat"], "NAT gateway").monthly == HOURS * D("0.048")
    assert line(est["Web"], "Application Load Balancer").monthly == HOURS * D("0.0252")  # Type defaults to application
    # extra_prices.csv: eu-west-1 kms_customer_managed_key 1 ([WEB-KMS], one price for every region)
    assert line(est["Key"], "KMS customer managed key").monthly == D("1")
    assert est["Archive"].status == "usage-based"
    # SQS is usage-based (requests); the catalog has no SQS rows yet, so the line has no unit price
    assert est["Jobs"].status == "usage-based" and "set monthly_requests" in est["Jobs"].components[0].reason
    assert all(r.environment == "staging" for r in est.values())  # Tags Value: !Ref Env (default staging)


def test_same_rule_same_figures_in_every_format():
    """The Multi-AZ db.r5.large and the m5.xlarge cost the same written in HCL, plan JSON or CloudFormation."""
    hcl = by_address(estimate(inventory("terraform").resources, policy()))
    plan = by_address(estimate(inventory("plan").resources, policy()))
    cfn = by_address(estimate(inventory("cloudformation", region="eu-west-3").resources, policy()))
    expected = D("429.240")
    assert line(hcl["aws_db_instance.billing"], "Database instance").monthly == expected
    assert line(plan["aws_db_instance.billing"], "Database instance").monthly == expected
    assert line(cfn["Database"], "Database instance").monthly == expected
    assert line(cfn["App"], "Instance usage").monthly == line(plan["aws_instance.app[0]"], "Instance usage").monthly
    for est in (hcl, plan, cfn):
        for cost in est.values():
            for c in cost.components:
                if c.kind == PRICED:
                    assert c.quantity * c.unit_price == c.monthly and c.source
