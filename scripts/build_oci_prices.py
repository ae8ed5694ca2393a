#!/usr/bin/env python3
"""Build ``src/iacgov/data/prices/oci_pricelist.csv``: Oracle Cloud Object Storage list prices.

    python scripts/build_oci_prices.py [--repo GIT_DIR] [--check]

Oracle publishes one price list for every region ("All the OCI region have same pricing",
https://docs.oracle.com/en/cloud/paas/ociov/oci_governance.html); its price list API
(``apexapps.oracle.com/pls/apex/cetools/api/v1/products``) has no region dimension. The rows are written
once, for region ``global``, which the OCI price rules (``cost/kinds_other.py``) read whatever a resource's
region.

Inputs, two public copies of that API (read offline):

- ``[OCI-JW]`` github.com/jasonwilbur/oci-pricing-mcp@c08102887888c57c9c79b9e96d366ece1057ec6e
  ``src/data/pricing-data.json`` (MIT; API ``lastUpdated`` 2026-01-05): ``products`` holds each part's
  ``displayName`` and ``metricName``, read here with ``git show`` from a bare copy (``--repo``) to check each
  part is the product the row says. Its ``priceUSD`` is the *first* price tier only (0 for the parts whose
  first 10 GB or 50,000 requests a month are free), so it is not the list price above that tier.
- ``[OCI-KP]`` github.com/krispn/OCI-Pricing-Calculator@19bc4a649e02518db1dbae716c41017c0ee36d2c
  ``data/pricing-snapshot.json`` (API ``lastUpdated`` 2026-03-03, fetched 2026-03-17): ``prices[part]
  ["PAY_AS_YOU_GO"]``, which its ``update-prices.sh`` fills from the same API keeping the *last* tier of each
  part (the price above the free tier). No bare copy of it could be had here: the four figures were read
  from the stored file and are pinned in PARTS below, each with the JSON path it was read at.

``--check`` exits 1 when the shipped file differs from what PARTS render, or (when the ``[OCI-JW]`` copy is
present) when a part's name or metric there is not the one PARTS expects.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "iacgov" / "data" / "prices" / "oci_pricelist.csv"
HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]
JW_COMMIT = "c08102887888c57c9c79b9e96d366ece1057ec6e"
DEFAULT_GIT_DIR = "/work/.mirror/jasonwilbur+oci-pricing-mcp/repo"
KP = "[OCI-KP] krispn/OCI-Pricing-Calculator@19bc4a6 data/pricing-snapshot.json"
JW = f"[OCI-JW] jasonwilbur/oci-pricing-mcp@{JW_COMMIT[:7]} src/data/pricing-data.json"
SAME_EVERYWHERE = ("one price for every region: docs.oracle.com/en/cloud/paas/ociov/oci_governance.html "
                   "'All the OCI region have same pricing'")
DATED = "2026-03-03"


@dataclass(frozen=True)
class Part:
    part: str  # Oracle part number
    name: str  # its displayName in the API
    metric: str  # its metricName in the API
    item: str
    unit: str
    usd: str  # [OCI-KP] prices[part]["PAY_AS_YOU_GO"]


PARTS: tuple[Part, ...] = (
    Part("B91628", "Object Storage - Storage", "Gigabyte Storage Capacity Per Month",
         "oci_object_storage_standard", "GB-month", "0.0255"),
    Part("B93000", "Infrequent Access Storage - Storage", "Gigabyte Storage Capacity Per Month",
         "oci_object_storage_infrequent_access", "GB-month", "0.01"),
    Part("B91633", "Archive Storage - Storage", "Gigabyte Storage Capacity Per Month",
         "oci_archive_storage", "GB-month", "0.0026"),
    Part("B91627", "Object Storage - Requests", "10,000 Requests per Month (first 50,000 free)",
         "oci_object_storage_requests", "10k requests", "0.0034"),
)


def rows() -> list[list[str]]:
    out = []
    for p in PARTS:
        source = (f"{KP} prices[{p.part!r}]['PAY_AS_YOU_GO'] = {p.usd} (Oracle price list API, the price above the "
                  f"free tier); {JW} {p.part} {p.name!r}, {p.metric!r}; {SAME_EVERYWHERE}")
        out.append(["oci", "global", p.item, p.unit, p.usd, source, DATED])
    return sorted(out, key=lambda r: r[2])


def render() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows())
    return buf.getvalue()


def mismatches(git_dir: str) -> list[str]:
    """The parts whose name or metric in the [OCI-JW] copy is not the one PARTS expects."""
    text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{JW_COMMIT}:src/data/pricing-data.json"],
                          check=True, capture_output=True, text=True).stdout
    products = {p["partNumber"]: p for p in json.loads(text)["products"]}
    wrong = []
    for p in PARTS:
        got = products.get(p.part)
        if got is None or (got["displayName"], got["metricName"]) != (p.name, p.metric):
            wrong.append(f"{p.part}: expected {p.name!r} / {p.metric!r}, the copy has "
                         f"{(got or {}).get('displayName')!r} / {(got or {}).get('metricName')!r}")
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=DEFAULT_GIT_DIR, help="git dir of a copy of jasonwilbur/oci-pricing-mcp")
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file is not what PARTS give")
    args = parser.parse_args(argv)
    if Path(args.repo).is_dir():
        wrong = mismatches(args.repo)
        if wrong:
            print("\n".join(wrong), file=sys.stderr)
            return 1
    elif not args.check:
        print(f"no copy of jasonwilbur/oci-pricing-mcp at {args.repo}: the parts' names cannot be checked",
              file=sys.stderr)
        return 1
    text = render()
    if args.check:
        if (OUT.read_text(encoding="utf-8") if OUT.exists() else "") != text:
            print(f"{OUT.relative_to(ROOT)} differs: run scripts/build_oci_prices.py", file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(ROOT)} is up to date ({len(PARTS)} rows)")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(PARTS)} rows)")
    return 0


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files

    raise SystemExit(and_index(main()))
