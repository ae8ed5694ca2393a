#!/usr/bin/env python3
"""Build ``azure_retail_2022.csv``: Azure Retail Prices API items for meters and regions no newer copy reached
(France Central Hot ZRS blob capacity, Network Watcher in East US and three European regions, Automation job
minutes in North Europe, Germany West Central and Central US).

    python scripts/build_azure_retail_2022.py                   # write the file from the items below
    python scripts/build_azure_retail_2022.py --check           # exit 1 when the shipped file differs
    python scripts/build_azure_retail_2022.py --pages DIR       # also prove each item against the raw pages

Source ``[JV]``: github.com/joelverhagen/az-retail-prices, a scraper that stored the whole Retail Prices API answer
(``https://prices.azure.com/api/retail/prices``, no filter, 100 items a page, items ordered by ``meterId``) as
``snapshot/pageNNNNN.json``, one commit a day. Two of those commits are read:

- ``0660546b42158f81922e5719519aa5835da5e8fb``: the newest ``effectiveStartDate`` in its pages is 2022-06-01 (items
  ending 2022-06-30 are still listed), so the snapshot was taken in June 2022;
- ``08ef2104f0c33928046f71ee4846c5bf076087c2``: its pages list items effective 2022-08-01, so it is August 2022 or
  later.

The repository (927 MB) is over the size a snapshot can be brought onto this machine, so the items below were read
page by page from the stored copy of those files and are written here field for field (``ITEMS``; the file and
commit of each). ``--pages DIR`` re-reads them from raw copies of the same files (``DIR/<commit>/<path>``, e.g.
from ``https://raw.githubusercontent.com/joelverhagen/az-retail-prices/<commit>/<path>``) and stops unless every
item is found there with every field equal and no other Consumption item of the same meter, region and tier has
another price.

Why a 2022 copy. The 2026 copies read elsewhere (``scripts/build_azure_usage_prices.py``) hold no France Central
storage and no East US at all; for the meters used here the 2022 items agree with every 2026 figure that can be
compared (the build stops otherwise, see ``CROSS_CHECKS``): Network Watcher and Automation meters are shared by
every region (one ``meterId``), and their 2026 items in northeurope, uksouth and westus2 (``[ADB]``) and eastus
(infracost's automation golden) carry the 2022 price and ``effectiveStartDate``; France Central Hot ZRS is meter
``f11df106-…`` in both the 2022 copy and the 2026 azure-pricing-radar copy, whose one price for it (0.02208, the
radar keeps a single tier) is the 2022 copy's tier 512000. Rows are dated by the snapshot (lower bound above).

Tiered meters: a row is the tier the price rule charges, as in ``scripts/build_azure_usage_prices.py`` — Hot blob
capacity at tier 0 (first 50 TB, catalog item ``…:first_50tb``); Network Watcher past its free allowance (1,000
checks: tier 1000; 5 GB of flow logs: tier 5); Automation past the 500 free minutes (tier 500). The repository has
no licence file; only the list-price facts are used, with this citation.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pricefile import check_or_write  # noqa: E402  (the --check / write ending every builder shares)

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO / "src" / "iacgov" / "data" / "prices"
OUT = PRICES / "azure_retail_2022.csv"
HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]
JUNE = "0660546b42158f81922e5719519aa5835da5e8fb"
AUGUST = "08ef2104f0c33928046f71ee4846c5bf076087c2"
DATED = {JUNE: "2022-06-01", AUGUST: "2022-08-01"}
TAG = "[JV] joelverhagen/az-retail-prices"


@dataclass(frozen=True)
class Item:
    """One Retail Prices API item (type Consumption) as the page states it."""

    commit: str
    page: str
    region: str
    meter_id: str
    sku_id: str
    product: str
    sku: str
    meter: str
    tier: str
    price: str
    unit_of_measure: str
    effective: str


@dataclass(frozen=True)
class Pick:
    """The catalog item one API meter prices, at the tier the rule charges."""

    item: str
    unit: str
    product: str
    sku: str
    meter: str
    tier: str


HOT_ZRS = Pick("blob:standard:hot:zrs:first_50tb", "GB-month", "General Block Blob v2", "Hot ZRS",
               "Hot ZRS Data Stored", "0")
DIAGNOSTICS = Pick("network_watcher:diagnostic_checks", "check", "Network Watcher", "Standard", "Diagnostic Tool API",
                   "1000")
FLOW_LOGS = Pick("network_watcher:flow_logs_collected", "GB", "Network Watcher", "Standard", "Network Logs Collected",
                 "5")
JOB_MINUTES = Pick("automation:job_minutes", "minute", "Process Automation", "Basic", "Basic Runtime", "500")
PICKS = (HOT_ZRS, DIAGNOSTICS, FLOW_LOGS, JOB_MINUTES)

_ZRS_FC = ("francecentral", "f11df106-8b4e-44ef-8d03-42cb650c8a47", "DZH318Z0BPH7/008V", "General Block Blob v2",
           "Hot ZRS", "Hot ZRS Data Stored")
_NW = ("73ad5336-6f64-4263-9537-1d571874dac6", "Network Watcher", "Standard", "Diagnostic Tool API")
_FLOW = ("e29b4409-5330-4d12-8620-e9e80c29e7ab", "Network Watcher", "Standard", "Network Logs Collected")
_AUTO = ("95eca2c1-9519-4c55-baa1-9a0e0b201e25", "Process Automation", "Basic", "Basic Runtime")


def _nw(region: str, sku_id: str, page: str) -> Item:
    return Item(AUGUST, page, region, _NW[0], sku_id, *_NW[1:], "1000", "0.001", "1", "2017-10-01")


def _flow(region: str, sku_id: str) -> Item:
    return Item(JUNE, "snapshot/page03671.json", region, _FLOW[0], sku_id, *_FLOW[1:], "5", "0.5", "1 GB",
                "2017-10-20")


def _auto(region: str, sku_id: str, effective: str) -> Item:
    return Item(AUGUST, "snapshot/page02530.json", region, _AUTO[0], sku_id, *_AUTO[1:], "500", "0.002", "1 Minute",
                effective)


# Every item read, including the two later Hot ZRS tiers (the radar cross-check) and the regions another shipped
# file already prices (CROSS_CHECKS); rows are made only for keys no other file states.
ITEMS: tuple[Item, ...] = (
    Item(AUGUST, "snapshot/page04071.json", *_ZRS_FC, "0", "0.024", "1 GB/Month", "2018-06-01"),
    Item(AUGUST, "snapshot/page04071.json", *_ZRS_FC, "51200", "0.02304", "1 GB/Month", "2018-06-01"),
    Item(AUGUST, "snapshot/page04071.json", *_ZRS_FC, "512000", "0.02208", "1 GB/Month", "2018-06-01"),
    _nw("eastus", "DZH318Z0BNXK/000S", "snapshot/page01947.json"),
    _nw("francecentral", "DZH318Z0BNXK/001D", "snapshot/page01947.json"),
    _nw("germanywestcentral", "DZH318Z0BNXK/001S", "snapshot/page01947.json"),
    _nw("switzerlandnorth", "DZH318Z0BNXK/001T", "snapshot/page01947.json"),
    _nw("northeurope", "DZH318Z0BNXK/000H", "snapshot/page01947.json"),
    _nw("uksouth", "DZH318Z0BNXK/000M", "snapshot/page01947.json"),
    _nw("westus2", "DZH318Z0BNXK/0015", "snapshot/page01948.json"),
    _flow("eastus", "DZH318Z0BNXK/000S"),
    _flow("francecentral", "DZH318Z0BNXK/001D"),
    _flow("northeurope", "DZH318Z0BNXK/000H"),
    _auto("northeurope", "DZH318Z0BQV1/0006", "2017-10-01"),
    _auto("germanywestcentral", "DZH318Z0BQV1/003T", "2022-03-01"),
    _auto("centralus", "DZH318Z0BQV1/000H", "2017-10-01"),
    _auto("eastus", "DZH318Z0BQV1/000M", "2017-10-01"),
)

# (region, catalog item) a newer shipped file states: the 2022 item must carry the same price or the build stops.
CROSS_CHECKS = frozenset({("northeurope", DIAGNOSTICS.item), ("uksouth", DIAGNOSTICS.item),
                          ("westus2", DIAGNOSTICS.item), ("northeurope", FLOW_LOGS.item),
                          ("eastus", JOB_MINUTES.item)})
# the 2026 azure-pricing-radar copy (andy-diericks/azure-pricing-radar@cf741f2 data/latest/storage-francecentral.json)
# states one price for meter f11df106-… (its key drops the tier): it must be one of the 2022 tiers
RADAR_FC_HOT_ZRS = "0.02208"


def _pick(item: Item) -> Pick | None:
    for pick in PICKS:
        if (item.product, item.sku, item.meter, item.tier) == (pick.product, pick.sku, pick.meter, pick.tier):
            return pick
    return None


def _row(item: Item, pick: Pick) -> list[str]:
    tier = f" tierMinimumUnits {item.tier}" if item.tier != "0" else ""
    source = (f"{TAG}@{item.commit[:7]} {item.page} meterId {item.meter_id} skuId {item.sku_id} '{item.product}' "
              f"'{item.sku}' '{item.meter}'{tier} {item.price} per {item.unit_of_measure} "
              f"(effective {item.effective})")
    return ["azure", item.region, pick.item, pick.unit, item.price, source, DATED[item.commit]]


def _stated_elsewhere() -> dict[tuple[str, str], Decimal]:
    """(region, item) -> price of every Azure row another shipped row-format file states."""
    out: dict[tuple[str, str], Decimal] = {}
    manifest = json.loads((PRICES / "manifest.json").read_text(encoding="utf-8"))
    for name in manifest["files"]:
        if name == OUT.name:
            continue
        with (PRICES / name).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            if next(reader, None) != HEADER:
                continue
            for row in reader:
                if row and row[0] == "azure":
                    out[row[1], row[2].lower()] = Decimal(row[4])
    return out


def rows() -> list[list[str]]:
    """The file's rows; stops when an item disagrees with a shipped figure it is checked against."""
    tiers = {i.tier: Decimal(i.price) for i in ITEMS if i.meter_id == _ZRS_FC[1] and i.region == "francecentral"}
    if Decimal(RADAR_FC_HOT_ZRS) not in tiers.values():
        raise SystemExit(f"the radar's France Central Hot ZRS {RADAR_FC_HOT_ZRS} is none of the 2022 tiers {tiers}")
    elsewhere = _stated_elsewhere()
    out: list[list[str]] = []
    for item in ITEMS:
        pick = _pick(item)
        if pick is None:
            continue
        stated = elsewhere.get((item.region, pick.item))
        if stated is None:
            out.append(_row(item, pick))
        elif stated != Decimal(item.price):
            raise SystemExit(f"{pick.item} in {item.region}: a shipped file states {stated}, [JV] {item.price}")
        elif (item.region, pick.item) not in CROSS_CHECKS:
            raise SystemExit(f"{pick.item} in {item.region} is stated elsewhere but not listed in CROSS_CHECKS")
    return out


def _page_items(pages: Path, item: Item) -> list[dict[str, object]]:
    path = pages / item.commit / item.page
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))["Items"])
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"{path}: not a Retail Prices API page ({exc})") from exc


def verify(pages: Path) -> None:
    """Every item of ITEMS is in its raw page with every field equal, and its price is the only one listed."""
    for item in ITEMS:
        same = [i for i in _page_items(pages, item) if i.get("type") == "Consumption"
                and i.get("meterId") == item.meter_id and i.get("armRegionName") == item.region
                and i.get("skuId") == item.sku_id and i.get("meterName") == item.meter
                and Decimal(str(i.get("tierMinimumUnits"))) == Decimal(item.tier)]
        stated = {(str(i.get("productName")), str(i.get("skuName")), Decimal(str(i.get("retailPrice"))),
                   str(i.get("unitOfMeasure")), str(i.get("effectiveStartDate"))[:10]) for i in same}
        if stated != {(item.product, item.sku, Decimal(item.price), item.unit_of_measure, item.effective)}:
            raise SystemExit(f"{item.commit[:7]} {item.page}: {item.region} {item.meter!r} tier {item.tier}: "
                             f"the page states {sorted(stated)}")


def render(table: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in sorted(table, key=lambda r: (r[2], r[1])):
        writer.writerow(row)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs")
    parser.add_argument("--pages", type=Path, help="directory of raw pages, DIR/<commit>/snapshot/pageNNNNN.json")
    args = parser.parse_args(argv)
    if args.pages is not None:
        verify(args.pages)
    text = render(rows())
    return check_or_write(OUT, text, "scripts/build_azure_retail_2022.py", args.check)


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files it describes

    raise SystemExit(and_index(main()))
