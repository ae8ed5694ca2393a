#!/usr/bin/env python3
"""Build ``azure_network_retail.csv``: Azure networking list prices from a public copy of the Azure Retail Prices API.

    python scripts/build_azure_network_prices.py --snapshot GIT_DIR            # write the file
    python scripts/build_azure_network_prices.py --snapshot GIT_DIR --check    # exit 1 when the shipped file differs

Input (read offline with ``git show``; GIT_DIR is a clone or bare mirror holding the commit below):

- ``[ADB]`` github.com/Arturo-Quiroga-MSFT/azure-architecture-diagram-builder@31f894ae29cc7d61e973db6f6ddff710d68a4fb2
  (MIT, Copyright (c) Microsoft Corporation) ``src/data/pricing/regions/<armRegionName>/<service>.json``: each file
  is the Retail Prices API's answer (``BillingCurrency`` USD, ``Items``, ``NextPageLink`` null: every page kept)
  to ``serviceName eq '<service>' and armRegionName eq '<region>' and priceType eq 'Consumption'``, as its
  ``scripts/fetch-multi-region-pricing.sh`` asks for them. Files read: ``azure_firewall.json`` (Azure Firewall),
  ``vpn_gateway.json`` (VPN Gateway), ``expressroute.json`` (ExpressRoute gateways), ``virtual_network.json``
  (Virtual Network: public IP addresses) and ``application_gateway.json`` (Application Gateway). The snapshot has
  14 regions; of the regions iacgov prices (:data:`REGIONS`) it holds westeurope, northeurope, swedencentral,
  uksouth, eastus2, westus2 and centralus. francecentral, germanywestcentral, switzerlandnorth, italynorth,
  spaincentral, belgiumcentral and eastus are not in it and get no row here (nothing is carried across regions).
  It has no Virtual WAN, Load Balancer, NAT Gateway, Private Link or DNS file (its service list names "Load
  Balancer", whose files are empty, and no "Virtual WAN").

Each row is one ``Items`` entry, found by (``productName``, ``skuName``, ``meterName``, ``tierMinimumUnits``) and
cited by file, ``meterId``, names and ``effectiveStartDate``; ``dated`` is the date of the commit that last wrote
the file. A key another shipped price file already states (infracost's goldens: westeurope's Standard static
public IP) is left to that file after checking that the two figures agree. A meter a region's answer does not
list gets no row there (swedencentral lists no Basic firewall outside a virtual hub); one stated twice with
different prices stops the build.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pricefile import check_or_write  # noqa: E402  (the --check / write ending every builder shares)

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO / "src" / "iacgov" / "data" / "prices"
OUT = PRICES / "azure_network_retail.csv"
HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]
COMMIT = "31f894ae29cc7d61e973db6f6ddff710d68a4fb2"
TAG = f"[ADB] Arturo-Quiroga-MSFT/azure-architecture-diagram-builder@{COMMIT[:7]}"
FOLDER = "src/data/pricing/regions"
# The European regions of issue 25 and the US regions public modules default to (as scripts/build_azure_prices.py).
REGIONS = ("francecentral", "westeurope", "northeurope", "germanywestcentral", "switzerlandnorth", "italynorth",
           "spaincentral", "swedencentral", "uksouth", "belgiumcentral", "eastus", "eastus2", "westus2", "centralus")
# the Retail Prices API's unitOfMeasure -> the unit the price rules ask for
UNITS = {"1 Hour": "hour", "1/Hour": "hour", "1 GB": "GB"}


@dataclass(frozen=True)
class Meter:
    """One catalog item and the Retail Prices API meter it is read from."""

    item: str
    file: str
    product: str
    sku: str
    meter: str
    tier: str = "0"  # tierMinimumUnits
    unit: str = ""  # the catalog unit when it is not the API's own (capacity units are per CU-hour)


def _firewall() -> list[Meter]:
    out = []
    for tier in ("Basic", "Standard", "Premium"):
        low = tier.lower()
        hub = {"Basic": "Basic Secured Virtual Hub", "Standard": "Standard Secure Virtual Hub",
               "Premium": "Premium Secured Virtual Hub"}[tier]  # the API spells Standard's hub "Secure"
        out += [Meter(f"firewall:{low}", "azure_firewall", "Azure Firewall", tier, f"{tier} Deployment"),
                Meter(f"firewall:{low}:data", "azure_firewall", "Azure Firewall", tier, f"{tier} Data Processed"),
                Meter(f"firewall:{low}:hub", "azure_firewall", "Azure Firewall", hub, f"{hub} Deployment"),
                Meter(f"firewall:{low}:hub:data", "azure_firewall", "Azure Firewall", hub, f"{hub} Data Processed")]
    return out


def _vpn() -> list[Meter]:
    out = [Meter("vpn_gateway:basic", "vpn_gateway", "VPN Gateway", "Basic", "Basic Gateway")]
    for n in range(1, 6):
        for sku in (f"VpnGw{n}", f"VpnGw{n}AZ"):
            out.append(Meter(f"vpn_gateway:{sku.lower()}", "vpn_gateway", "VPN Gateway", sku, sku))
    return out


def _expressroute() -> list[Meter]:
    # the virtual network gateway SKUs of type ExpressRoute (azurerm_virtual_network_gateway sku)
    return [Meter("er_gateway:standard", "expressroute", "ExpressRoute Standard Gateway", "Standard",
                  "Standard Gateway"),
            Meter("er_gateway:highperformance", "expressroute", "ExpressRoute High Performance Gateway",
                  "High Performance", "High Performance Gateway"),
            Meter("er_gateway:ultraperformance", "expressroute", "ExpressRoute Ultra High Performance Gateway",
                  "Ultra High Performance", "Ultra High Performance Gateway"),
            *(Meter(f"er_gateway:ergw{n}az", "expressroute", "ExpressRoute Gateway", f"ErGw{n}AZ", f"ErGw{n}AZ Gateway")
              for n in (1, 2, 3))]


def _public_ip() -> list[Meter]:
    ips = (("standard:static", "Standard", "Standard IPv4 Static Public IP"),
           ("basic:static", "Basic", "Basic IPv4 Static Public IP"),
           ("basic:dynamic", "Basic", "Basic IPv4 Dynamic Public IP"))
    return [Meter(f"public_ip:{key}", "virtual_network", "IP Addresses", sku, meter) for key, sku, meter in ips]


# v1 gateways: infracost internal/resources/azure/application_gateway.go reads a Standard_<size> gateway from
# productName "Basic Application Gateway" and a WAF_<size> one from "WAF Application Gateway", meter "<size> Gateway";
# data processed by meter "<size> Data Processed" at its tier: Small from 0 GB, Medium past 10,240 GB, Large past
# 40,960 GB (the tier below is priced 0 in the API).
V1_DATA_TIER = {"small": "0", "medium": "10240", "large": "40960"}


def _application_gateway() -> list[Meter]:
    out = []
    for size in ("Small", "Medium", "Large"):
        low = size.lower()
        out += [Meter(f"application_gateway:standard:{low}", "application_gateway", "Basic Application Gateway", size,
                      f"{size} Gateway"),
                Meter(f"application_gateway:v1:{low}:data", "application_gateway", "Basic Application Gateway", size,
                      f"{size} Data Processed", V1_DATA_TIER[low])]
        if size != "Small":  # WAF v1 has no Small size
            out.append(Meter(f"application_gateway:waf:{low}", "application_gateway", "WAF Application Gateway", size,
                             f"{size} Gateway"))
    for tier, product, sku in (("standard_v2", "Application Gateway Standard v2", "Standard"),
                               ("waf_v2", "Application Gateway WAF v2", "Standard"),
                               ("basic_v2", "Application Gateway Basic v2", "Basic")):
        out += [Meter(f"application_gateway:{tier}", "application_gateway", product, sku, f"{sku} Fixed Cost"),
                Meter(f"application_gateway:{tier}:capacity_unit", "application_gateway", product, sku,
                      f"{sku} Capacity Units", unit="CU-hour")]
    return out


METERS: tuple[Meter, ...] = (*_firewall(), *_vpn(), *_expressroute(), *_public_ip(), *_application_gateway())


def _git(git_dir: Path, *args: str) -> str:
    done = subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} in {git_dir}: {done.stderr.strip()}")
    return done.stdout


def snapshot_regions(git_dir: Path) -> list[str]:
    listed = _git(git_dir, "ls-tree", "--name-only", f"{COMMIT}:{FOLDER}").split()
    return [r for r in REGIONS if r in listed]


def _read(git_dir: Path, region: str, file: str) -> tuple[list[dict[str, object]], str]:
    path = f"{FOLDER}/{region}/{file}.json"
    answer = json.loads(_git(git_dir, "show", f"{COMMIT}:{path}"))
    if answer.get("NextPageLink") or answer.get("BillingCurrency") != "USD":
        raise SystemExit(f"{path}: not a whole USD answer of the Retail Prices API")
    dated = _git(git_dir, "log", "-1", "--format=%cs", COMMIT, "--", path).strip()
    return list(answer["Items"]), dated


def _row(region: str, meter: Meter, items: list[dict[str, object]], dated: str) -> list[str] | None:
    """The row of one meter in one region; None when the region's answer does not list the meter."""
    where = f"{FOLDER}/{region}/{meter.file}.json"
    found = [i for i in items if i.get("type") == "Consumption" and i.get("armRegionName") == region
             and i.get("productName") == meter.product and i.get("skuName") == meter.sku
             and i.get("meterName") == meter.meter and Decimal(str(i.get("tierMinimumUnits"))) == Decimal(meter.tier)]
    prices = {Decimal(str(i["retailPrice"])) for i in found}
    if not found:
        return None
    if len(prices) != 1:
        raise SystemExit(f"{where}: {len(found)} items for {meter.product!r} {meter.sku!r} {meter.meter!r} "
                         f"tier {meter.tier} ({sorted(prices)})")
    item = found[0]
    unit = meter.unit or UNITS.get(str(item["unitOfMeasure"]))
    if unit is None:
        raise SystemExit(f"{where}: unit {item['unitOfMeasure']!r} of {meter.meter!r} is not one iacgov reads")
    usd = format(prices.pop().normalize(), "f")
    tier = f" tierMinimumUnits {meter.tier}" if meter.tier != "0" else ""
    source = (f"{TAG} {where} meterId {item['meterId']} '{meter.product}' '{meter.sku}' '{meter.meter}'{tier} "
              f"{usd} per {item['unitOfMeasure']} (effective {str(item['effectiveStartDate'])[:10]})")
    return ["azure", region, meter.item, unit, usd, source, dated]


def _stated_elsewhere() -> dict[tuple[str, str, str], Decimal]:
    """(cloud, region, item) -> price of every row another shipped row-format file states."""
    manifest = json.loads((PRICES / "manifest.json").read_text(encoding="utf-8"))
    out: dict[tuple[str, str, str], Decimal] = {}
    for name in manifest["files"]:
        if name == OUT.name:
            continue
        with (PRICES / name).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            if next(reader, None) != HEADER:
                continue
            for row in reader:
                if row and row[0] == "azure":
                    out[row[0], row[1], row[2].lower()] = Decimal(row[4])
    return out


def rows(git_dir: Path) -> list[list[str]]:
    elsewhere = _stated_elsewhere()
    out: list[list[str]] = []
    for region in snapshot_regions(git_dir):
        files: dict[str, tuple[list[dict[str, object]], str]] = {}
        for meter in METERS:
            if meter.file not in files:
                files[meter.file] = _read(git_dir, region, meter.file)
            row = _row(region, meter, *files[meter.file])
            stated = elsewhere.get(("azure", region, meter.item))
            if row is None:
                continue
            if stated is None:
                out.append(row)
            elif stated != Decimal(row[4]):
                raise SystemExit(f"{meter.item} in {region}: another shipped file states {stated}, "
                                 f"the snapshot {row[4]}")
    return out


def render(table: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in sorted(table, key=lambda r: (r[2], r[1])):
        writer.writerow(row)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--snapshot", type=Path, required=True,
                        help="git directory of Arturo-Quiroga-MSFT/azure-architecture-diagram-builder holding "
                             f"{COMMIT[:7]}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs")
    args = parser.parse_args(argv)
    text = render(rows(args.snapshot))
    return check_or_write(OUT, text, "scripts/build_azure_network_prices.py", args.check)


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files

    sys.exit(and_index(main()))
