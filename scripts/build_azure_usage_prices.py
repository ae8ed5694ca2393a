#!/usr/bin/env python3
"""Build ``azure_usage_retail.csv``: the unit prices of Azure's usage-based meters from a public copy of the Azure
Retail Prices API (blob capacity, Azure Monitor, Log Analytics, Network Watcher, Key Vault).

    python scripts/build_azure_usage_prices.py --snapshot GIT_DIR            # write the file
    python scripts/build_azure_usage_prices.py --snapshot GIT_DIR --check    # exit 1 when the shipped file differs

Input (read offline with ``git show``; GIT_DIR is a clone or bare mirror holding the commit below): the same copy
as ``scripts/build_azure_network_prices.py`` reads,

- ``[ADB]`` github.com/Arturo-Quiroga-MSFT/azure-architecture-diagram-builder@31f894ae29cc7d61e973db6f6ddff710d68a4fb2
  (MIT, Copyright (c) Microsoft Corporation) ``src/data/pricing/regions/<armRegionName>/<service>.json``: each file
  is the Retail Prices API's whole answer (``NextPageLink`` null) to ``serviceName eq '<service>' and armRegionName
  eq '<region>' and priceType eq 'Consumption'``. Files read: ``storage.json`` (Storage: General Block Blob v2 Hot,
  Cool and Cold capacity, Premium Block Blob capacity), ``azure_monitor.json`` (Azure Monitor: metrics ingestion,
  platform logs processed), ``log_analytics.json`` (Log Analytics: Analytics Logs data ingestion),
  ``network_watcher.json`` (Network Watcher: diagnostic checks, flow logs collected, Traffic Analytics),
  ``virtual_network.json`` (Virtual Network: global VNet peering ingress and egress) and ``key_vault.json`` (Key
  Vault: operations, advanced key operations, HSM-protected RSA 2048 keys, automated key rotation). Of the regions
  iacgov prices it holds westeurope, northeurope, swedencentral, uksouth, eastus2, westus2 and centralus;
  francecentral, germanywestcentral, switzerlandnorth, italynorth, spaincentral, belgiumcentral and eastus are not in
  it and get no row here (nothing is carried across regions). Its ``azure_automation.json`` and
  ``azure_sentinel.json`` answers are empty (the API names those services "Automation" and "Sentinel"), so
  Automation job minutes and Sentinel analysis get no row from it.

Tiered meters: a row is the tier the price rule charges. Hot blob capacity is tiered by volume (``tierMinimumUnits``
0, 51200 and 512000 GB): the row is the first 50 TB (tier 0), the catalog item ``...:first_50tb``. Log Analytics
ingestion lists 0 USD for the first 5 GB (the free allowance of a billing account) and the charged rate from 5 GB:
the row is the charged rate (tier 5). Network Watcher lists its free allowances the same way (1,000 checks, 5 GB of
flow logs): the row is the rate past them, which the rule's label says.

Each row cites the file, ``meterId``, names, tier and ``effectiveStartDate``; ``dated`` is the date of the commit
that last wrote the file. A key another shipped price file already states (infracost's westeurope goldens) is left
to that file; where the two figures differ the build says so and stops, as scripts/build_azure_network_prices.py
does.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_azure_network_prices as adb  # noqa: E402  (the [ADB] reader: one snapshot, one citation format)
from build_azure_network_prices import Meter  # noqa: E402
from pricefile import check_or_write  # noqa: E402

REPO = adb.REPO
OUT = adb.PRICES / "azure_usage_retail.csv"
# the API's redundancy names -> iacgov's (azurerm account_replication_type, lower-cased)
REDUNDANCY = (("LRS", "lrs"), ("ZRS", "zrs"), ("GRS", "grs"), ("RA-GRS", "ragrs"), ("GZRS", "gzrs"),
              ("RA-GZRS", "ragzrs"))


def _storage() -> list[Meter]:
    out = []
    for api, key in REDUNDANCY:
        out += [Meter(f"blob:standard:hot:{key}:first_50tb", "storage", "General Block Blob v2", f"Hot {api}",
                      f"Hot {api} Data Stored", unit="GB-month"),
                Meter(f"blob:standard:cool:{key}", "storage", "General Block Blob v2", f"Cool {api}",
                      f"Cool {api} Data Stored", unit="GB-month"),
                Meter(f"blob:standard:cold:{key}", "storage", "General Block Blob v2", f"Cold {api}",
                      f"Cold {api} Data Stored", unit="GB-month")]
    out += [Meter(f"blob:premium:{key}", "storage", "Premium Block Blob", f"Premium {api}",
                  f"Premium {api} Data Stored", unit="GB-month") for api, key in REDUNDANCY[:2]]
    return out


def _monitoring() -> list[Meter]:
    return [
        Meter("monitor:metrics_ingestion", "azure_monitor", "Azure Monitor", "Metrics ingestion",
              "Metrics ingestion Metric samples", unit="10M samples"),
        Meter("monitor:platform_logs_processed", "azure_monitor", "Azure Monitor", "Platform Logs",
              "Platform Logs Data Processed", unit="GB"),
        Meter("log_analytics_ingestion", "log_analytics", "Log Analytics", "Analytics Logs",
              "Analytics Logs Data Ingestion", tier="5", unit="GB"),
        Meter("network_watcher:diagnostic_checks", "network_watcher", "Network Watcher", "Standard",
              "Standard Diagnostic Tool API", tier="1000", unit="check"),
        Meter("network_watcher:flow_logs_collected", "network_watcher", "Network Watcher", "Standard",
              "Standard Network Logs Collected", tier="5", unit="GB"),
        Meter("network_watcher:traffic_analytics:60", "network_watcher", "Network Watcher", "Standard",
              "Standard Traffic Analytics Processing", unit="GB"),
        Meter("network_watcher:traffic_analytics:10", "network_watcher", "Network Watcher", "Standard",
              "Standard Traffic Analytics Processing at 10-Minute Interval", unit="GB"),
        # global (inter-region) VNet peering: data into and out of the region's network over a peering to another
        # region (intra-region peering is one "Global" price: azure_infracost.csv)
        Meter("vnet_peering:inter_region:inbound", "virtual_network", "Global Virtual Network Peering", "Inter-Region",
              "Inter-Region Ingress", unit="GB"),
        Meter("vnet_peering:inter_region:outbound", "virtual_network", "Global Virtual Network Peering",
              "Inter-Region", "Inter-Region Egress", unit="GB"),
    ]


def _key_vault() -> list[Meter]:
    return [
        Meter("key_vault_operations:standard", "key_vault", "Key Vault", "Standard", "Operations", unit="10k requests"),
        Meter("key_vault:software_key_operations:rsa2048", "key_vault", "Key Vault", "Standard", "Operations",
              unit="10k requests"),
        Meter("key_vault:software_key_operations:advanced", "key_vault", "Key Vault", "Standard",
              "Advanced Key Operations", unit="10k requests"),
        Meter("key_vault:hsm_key:rsa2048", "key_vault", "Key Vault", "Premium",
              "Premium HSM-protected RSA 2048-bit key", unit="month"),
        Meter("key_vault:key_rotation", "key_vault", "Key Vault", "Standard", "Automated Key Rotation", unit="renewal"),
    ]


METERS: tuple[Meter, ...] = (*_storage(), *_monitoring(), *_key_vault())


def _stated_elsewhere() -> dict[tuple[str, str, str], Decimal]:
    """(cloud, region, item) -> price of every row another shipped row-format file states."""
    out: dict[tuple[str, str, str], Decimal] = {}
    manifest = adb.json.loads((adb.PRICES / "manifest.json").read_text(encoding="utf-8"))
    for name in manifest["files"]:
        if name == OUT.name:
            continue
        with (adb.PRICES / name).open(encoding="utf-8", newline="") as handle:
            reader = adb.csv.reader(handle)
            if next(reader, None) != adb.HEADER:
                continue
            for row in reader:
                if row and row[0] == "azure":
                    out[row[0], row[1], row[2].lower()] = Decimal(row[4])
    return out


def rows(git_dir: Path) -> list[list[str]]:
    elsewhere = _stated_elsewhere()
    out: list[list[str]] = []
    for region in adb.snapshot_regions(git_dir):
        files: dict[str, tuple[list[dict[str, object]], str]] = {}
        for meter in METERS:
            if meter.file not in files:
                files[meter.file] = adb._read(git_dir, region, meter.file)
            row = adb._row(region, meter, *files[meter.file])
            if row is None:
                continue
            stated = elsewhere.get(("azure", region, meter.item))
            if stated is None:
                out.append(row)
            elif stated != Decimal(row[4]):
                raise SystemExit(f"{meter.item} in {region}: another shipped file states {stated}, "
                                 f"the snapshot {row[4]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--snapshot", type=Path, required=True,
                        help="git directory of Arturo-Quiroga-MSFT/azure-architecture-diagram-builder holding "
                             f"{adb.COMMIT[:7]}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs")
    args = parser.parse_args(argv)
    text = adb.render(rows(args.snapshot))
    return check_or_write(OUT, text, "scripts/build_azure_usage_prices.py", args.check)


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files

    sys.exit(and_index(main()))
