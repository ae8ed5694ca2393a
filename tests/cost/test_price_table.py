"""Issue 25, second pass: one price table (cost/pricers.KINDS holds the cloud_pricers rules), so COST002's
size lookup, the usage-key reference and the CloudFormation counterparts see every priced kind."""

from __future__ import annotations

import io
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


def _az(address, rtype, attributes, region="eastus", **kw):
    return resource(address, rtype, attributes, region=region, cloud="azure", **kw)


def test_azure_network_kinds_from_infracost_goldens():
    est = {c.address: c for c in estimate([
        _az("azurerm_firewall.std", "azurerm_firewall", {}),
        _az("azurerm_firewall.hub", "azurerm_firewall", {"sku_tier": "Premium", "sku_name": "AZFW_Hub"}),
        _az("azurerm_firewall.basic", "azurerm_firewall", {"sku_tier": "Basic"}),
        _az("azurerm_virtual_network_gateway.vpn", "azurerm_virtual_network_gateway", {"type": "Vpn", "sku": "VpnGw1"}),
        _az("azurerm_virtual_network_gateway.er", "azurerm_virtual_network_gateway",
            {"type": "ExpressRoute", "sku": "Standard"}),
        _az("azurerm_virtual_hub.std", "azurerm_virtual_hub", {"sku": "Standard"}, region="westeurope"),
        _az("azurerm_virtual_hub.basic", "azurerm_virtual_hub", {}, region="westeurope"),
        _az("azurerm_firewall.paris", "azurerm_firewall", {}, region="francecentral"),
    ], policy()).resources}
    # [ICG] firewall_test: Deployment (Standard) 730 h $912.50, (Premium Secured Virtual Hub) $1,277.50,
    # Data processed "depends on usage: $0.016 per GB"
    std = est["azurerm_firewall.std"]
    assert std.monthly == D("912.50") and std.status == "priced"
    assert next(c for c in std.components if c.item == "Firewall data processed").unit_price == D("0.016")
    assert est["azurerm_firewall.hub"].monthly == D("1277.50")
    assert "no price for firewall:basic in eastus" in est["azurerm_firewall.basic"].components[0].reason
    # [ICG] virtual_network_gateway_test: VPN gateway (VpnGw1) 730 h $138.70
    assert est["azurerm_virtual_network_gateway.vpn"].monthly == D("138.70")
    assert est["azurerm_virtual_network_gateway.er"].status == "unpriced"
    # [ICG] virtual_hub_test: Deployment 730 h $182.50 (Standard, West Europe); no sku is the free Basic hub
    assert est["azurerm_virtual_hub.std"].monthly == D("182.50")
    assert est["azurerm_virtual_hub.basic"].status == "free"
    assert "no price for firewall:standard in francecentral" in est["azurerm_firewall.paris"].components[0].reason


def test_dns_zones_priced_by_billing_zone():
    est = {c.address: c for c in estimate([
        _az("azurerm_private_dns_zone.eu", "azurerm_private_dns_zone", {}, region="westeurope", count=3),
        _az("azurerm_dns_zone.de", "azurerm_dns_zone", {}, region="germanywestcentral"),
        _az("azurerm_private_dns_zone.unknown", "azurerm_private_dns_zone", {}, region=None),
        _az("azurerm_private_dns_zone.gov", "azurerm_private_dns_zone", {}, region="usgovvirginia"),
    ], policy()).resources}
    # [ICG] private_dns_zone_test: Hosted zone 1 month $0.50 (westus -> Zone 1), $0.54 (germanywestcentral -> DE Zone 1)
    eu = est["azurerm_private_dns_zone.eu"]
    assert eu.monthly == 3 * D("0.50") and "Zone 1" in eu.components[0].item
    assert est["azurerm_dns_zone.de"].monthly == D("0.54")
    assert "resource group's location, which is not known" in est["azurerm_private_dns_zone.unknown"].components[0].reason
    assert "sovereign cloud" in est["azurerm_private_dns_zone.gov"].components[0].reason


def test_free_citations_live_in_the_catalog_entry():
    import csv
    from importlib import resources

    from iacgov import platform
    from iacgov.cost.cloud_pricers import free_source

    entry = platform.entry("aws_customer_gateway")
    assert entry["free"] is True and "FreeResources (AWS VPC)" in entry["free_source"]
    assert free_source("aws_customer_gateway") == ("platform catalog (aws/ec2.yaml: free); " + entry["free_source"])
    text = resources.files("iacgov").joinpath("data", "prices", "free_kinds.csv").read_text(encoding="utf-8")
    kinds = {row["kind"] for row in csv.DictReader(text.splitlines())}
    assert "aws_customer_gateway" not in kinds  # moved, not copied
    assert not {k for k, e in platform.catalog().kinds.items() if e.get("free_source")} & kinds


def test_no_two_shipped_price_files_state_the_same_price_key():
    """Files of one cited price per row are read in the manifest's order; a key in two of them would make
    the answer depend on that order, so a new source must not repeat a key another file already states."""
    import csv

    from iacgov.cost import catalog

    seen: dict[tuple[str, str, str], str] = {}
    for name in catalog._row_files():
        rows = csv.reader(io.StringIO(catalog._data_text(name)))
        assert next(rows) == catalog.ROW_HEADER, name
        for row in rows:
            key = (row[0], row[1], row[2])
            assert key not in seen, f"{key} is in both {seen.get(key)} and {name}"
            seen[key] = name
    assert len(seen) > 800


def test_each_kind_has_one_price_rule_across_the_rule_modules():
    from iacgov.cost import cloud_pricers, kinds_aws, kinds_azure, kinds_gcp, kinds_other

    seen: dict[str, str] = {}
    for module in (cloud_pricers, kinds_aws, kinds_azure, kinds_gcp, kinds_other):
        table = getattr(module, "CLOUD_KINDS", None) or module.KINDS
        for kind in table:
            for t in (*kind.terraform, *kind.cloudformation):
                assert t not in seen, f"{t} priced by both {seen[t]} and {module.__name__}"
                seen[t] = module.__name__


def test_a_provider_outside_the_priced_clouds_is_unpriced_and_named_never_zero():
    server = resource("hcloud_server.web", "hcloud_server", {"server_type": "cx22"}, cloud="hcloud",
                      region="fsn1")
    result = estimate([server], policy())
    [cost] = result.resources
    assert cost.status == "unpriced" and cost.monthly == 0
    [component] = cost.components
    assert component.reason == ("iacgov has no price rule for hcloud_server: the price catalog covers AWS, "
                                "Azure and Google Cloud, not the 'hcloud' provider")
    # a kind of a priced cloud without a rule keeps the short reason
    other = estimate([resource("aws_made_up_kind.x", "aws_made_up_kind")], policy()).resources[0]
    assert other.components[0].reason == "iacgov has no price rule for aws_made_up_kind"
