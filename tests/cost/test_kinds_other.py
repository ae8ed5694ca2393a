"""Issue 25, Alibaba Cloud, Oracle Cloud and the AWS EBS rows of aws_pricewatcher.csv: the rules of
cost/kinds_other.py, oci_pricelist.csv (scripts/build_oci_prices.py), the free kinds of the alicloud/ and oci/
platform catalog files, `iacgov catalog --cloud alicloud|oci`.

The fixture (fixtures/cost/other_clouds) is parsed from Terraform, so the field paths the rules read are the
providers'. Every figure is computed by hand from the cited row.
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from click.testing import CliRunner
from costkit import by_address, host, inventory, line, policy, resource

from iacgov.cli import main
from iacgov.cost.catalog import manifest, shipped_price
from iacgov.cost.cloud_pricers import free_source
from iacgov.cost.estimate import estimate
from iacgov.engine import ScanRequest, parse_inventory


@pytest.fixture(scope="module")
def est():
    inv = inventory("other_clouds")
    assert not inv.errors
    return by_address(estimate(inv.resources, inv.policy))


def _usage(tmp_path, address: str, **values: int):
    path = tmp_path / "usage.yaml"
    body = "".join(f"    {k}: {v}\n" for k, v in values.items())
    path.write_text(f"version: 1\nresource_usage:\n  {address}:\n{body}", encoding="utf-8")
    return path


def test_oci_bucket_storage_and_requests_are_usage_based_at_the_one_oracle_price(est):
    standard = est["oci_objectstorage_bucket.standard"]
    assert standard.cloud == "oci" and standard.region == "eu-frankfurt-1"  # priced from the one price list
    storage = line(standard, "Object Storage Standard storage")
    # oci_pricelist.csv: [OCI-KP] prices['B91628']['PAY_AS_YOU_GO'] = 0.0255 per GB-month, region global
    assert storage.kind == "usage-based" and storage.unit_price == D("0.0255") and storage.unit == "GB-month"
    assert "B91628" in storage.source and "All the OCI region have same pricing" in storage.source
    requests = line(standard, "Object Storage requests")
    assert requests.unit_price == D("0.0034") and requests.unit == "10k requests"
    assert standard.status == "usage-based"
    assert line(est["oci_objectstorage_bucket.archive"], "Object Storage Archive storage").unit_price == D("0.0026")


def test_oci_bucket_priced_to_the_cent_from_the_usage_file(tmp_path):
    bucket = resource("oci_objectstorage_bucket.b", "oci_objectstorage_bucket", {}, cloud="oci", region=None)
    usage = _usage(tmp_path, "oci_objectstorage_bucket.b", storage_gb=2000, monthly_requests=1_000_000)
    [cost] = estimate([bucket], policy(), usage_path=usage).resources
    # 2000 GB x 0.0255 = 51.00; 1,000,000 requests / 10,000 x 0.0034 = 0.34
    assert line(cost, "Object Storage Standard storage").monthly == D("51.00")
    assert line(cost, "Object Storage requests").monthly == D("0.34")
    assert cost.monthly == D("51.34") and cost.status == "priced"


def test_oci_unknown_tier_stays_unknown_and_an_unknown_tier_name_is_named(est):
    unknown = line(est["oci_objectstorage_bucket.unknown"], "Object Storage storage")
    assert unknown.kind == "unpriced" and unknown.reason.startswith("storage tier is not known")
    cost = estimate([resource("oci_objectstorage_bucket.x", "oci_objectstorage_bucket",
                              {"storage_tier": "Glacier"}, cloud="oci", region=None)], policy()).resources[0]
    assert line(cost, "Object Storage storage (Glacier)").reason == ("'Glacier' is not an Object Storage tier the "
                                                                     "catalog prices (Standard, Archive)")


def test_oss_bucket_without_a_price_is_unpriced_with_or_without_usage(est, tmp_path):
    logs = line(est["alicloud_oss_bucket.logs"], "OSS Standard storage")
    assert logs.kind == "unpriced" and logs.unit_price is None
    assert "no machine-readable copy was reached offline" in logs.reason and "set storage_gb" in logs.reason
    assert line(est["alicloud_oss_bucket.cold"], "OSS Infrequent Access storage").kind == "unpriced"
    bucket = resource("alicloud_oss_bucket.b", "alicloud_oss_bucket", {}, cloud="alicloud", region=None)
    usage = _usage(tmp_path, "alicloud_oss_bucket.b", storage_gb=100)
    [cost] = estimate([bucket], policy(), usage_path=usage).resources
    assert cost.status == "unpriced" and cost.monthly == 0  # never a guessed price
    assert line(cost, "OSS Standard storage").reason.startswith("storage_gb is set, but Alibaba Cloud states OSS")


def test_apsaradb_rds_instance_is_unpriced_with_the_reason(est):
    db = est["alicloud_db_instance.db"]
    assert db.status == "unpriced"
    component = line(db, "ApsaraDB RDS instance (rds.mysql.s2.large)")
    assert "GetPayAsYouGoPrice" in component.reason and "not guessed" in component.reason


def test_free_kinds_carry_their_citation_and_a_kind_without_rule_is_named(est):
    for address in ("alicloud_ram_role.r", "alicloud_actiontrail_trail.t", "oci_identity_compartment.c",
                    "oci_identity_policy.p"):
        assert est[address].status == "free", address
    assert "'The ActionTrail service is free of charge" in free_source("alicloud_actiontrail_trail")
    assert "no product for compartments or policies" in free_source("oci_identity_compartment")
    assert free_source("oci_identity_user") is None  # premium identity domains bill per user: not free
    vpc = est["alicloud_vpc.v"]
    assert vpc.status == "unpriced"
    assert vpc.components[0].reason == ("iacgov has no price rule for alicloud_vpc: the price catalog covers AWS, "
                                        "Azure and Google Cloud, and of Alibaba Cloud only the kinds `iacgov catalog "
                                        "--cloud alicloud --free` and docs/cost.md list")


def test_catalog_command_lists_the_new_clouds():
    result = CliRunner().invoke(main, ["catalog", "--cloud", "oci", "--items", "--free", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data["clouds"]) == ["oci"] and data["clouds"]["oci"]["global"]["prices"] == 4
    assert {i["sku"] for i in data["items"]} == {"oci_object_storage_standard", "oci_object_storage_infrequent_access",
                                                 "oci_archive_storage", "oci_object_storage_requests"}
    assert {f["kind"] for f in data["free_kinds"]} == {"oci_identity_compartment", "oci_identity_policy"}
    ali = CliRunner().invoke(main, ["catalog", "--cloud", "alicloud", "--free"])
    assert ali.exit_code == 0 and "alicloud_ram_role — platform catalog (alicloud/ram.yaml: free)" in ali.output


def test_oci_rows_are_what_the_builder_renders_and_the_manifest_counts_them():
    from scripts import build_oci_prices as module

    assert module.OUT.read_text(encoding="utf-8") == module.render()
    assert manifest()["files"]["oci_pricelist.csv"]["rows"] == len(module.PARTS) == 4
    assert shipped_price("oci", "global", "oci_object_storage_standard").usd == D("0.0255")
    assert shipped_price("oci", "eu-frankfurt-1", "oci_object_storage_standard") is None  # rows only for 'global'


def test_gp2_in_us_west_2_priced_from_the_infracost_golden_and_regions_without_a_row_named():
    volume = resource("aws_ebs_volume.v", "aws_ebs_volume", {"size": 100, "type": "gp2"}, region="us-west-2")
    [cost] = estimate([volume], policy()).resources
    storage = line(cost, "EBS volume storage (General Purpose SSD gp2)")
    # aws_pricewatcher.csv [ICG] breakdown_skip_autodetection_if_terraform_var_file_passed.golden: $0.80 for 8 GB
    assert storage.unit_price == D("0.1") and storage.monthly == D("10.0") and cost.status == "priced"
    assert "breakdown_skip_autodetection_if_terraform_var_file_passed.golden" in storage.source
    for region, vtype in (("eu-south-2", "gp2"), ("us-west-2", "gp3")):
        other = resource("aws_ebs_volume.o", "aws_ebs_volume", {"size": 10, "type": vtype}, region=region)
        [cost] = estimate([other], policy()).resources
        assert cost.status == "unpriced"
        assert cost.components[0].reason == f"no price for ebs_{vtype}_storage in {region} in the catalog"


def test_alibaba_and_oracle_resources_are_in_their_providers_region_identities_in_none(est, tmp_path):
    # fixtures/cost/other_clouds/main.tf: provider "alicloud" { region = "eu-central-1" }, "oci" eu-frankfurt-1
    assert est["alicloud_oss_bucket.logs"].region == "eu-central-1"
    assert est["alicloud_db_instance.db"].region == "eu-central-1"
    # RAM and OCI compartments / policies belong to the account or tenancy (clouds.yaml global_terraform)
    for address in ("alicloud_ram_role.r", "oci_identity_compartment.c", "oci_identity_policy.p"):
        assert est[address].region is None, address
    (tmp_path / "main.tf").write_text('provider "alicloud" {}\nresource "alicloud_oss_bucket" "b" {\n'
                                      '  bucket = "b"\n}\n', encoding="utf-8")
    inv = parse_inventory(ScanRequest(paths=(tmp_path,), root=tmp_path), host())
    [bucket] = inv.resources
    assert bucket.region.reason == "provider alicloud sets no region"
    oss = line(estimate([bucket], policy()).resources[0], "OSS Standard storage")
    assert oss.kind == "unpriced" and oss.reason.startswith("region is not known: provider alicloud sets no region")
