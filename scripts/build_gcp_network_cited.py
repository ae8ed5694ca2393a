#!/usr/bin/env python3
"""Build ``gcp_network_cited.csv``: Network Connectivity Center prices quoted from Google's pricing page.

    python scripts/build_gcp_network_cited.py            # write the file
    python scripts/build_gcp_network_cited.py --check    # exit 1 when the shipped file differs

No machine-readable copy of these SKUs was reached offline (Cyclenerd's pricing.yml has none); the rows are quoted from
a stored copy of the page:

- ``[WEB-NCC]`` https://docs.cloud.google.com/network-connectivity/docs/router/pricing ("Network Connectivity pricing",
  section "Network Connectivity Center pricing", "Hubs and spokes" table), as stored by the tool library (docs crawl,
  read 2026-12-07). The table has no location column and the page states each price once: rows are written for region
  ``global`` (any location), as ``gcp_cited.csv`` does for the KMS and Pub/Sub tables.

Hybrid VPN and Cloud Interconnect spokes are not written: "Spoke hour charges are waived for up to three VPN spokes
and three Cloud Interconnect spokes", so whether one is charged depends on the other spokes, which a resource does not
say.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "iacgov" / "data" / "prices" / "gcp_network_cited.csv"
HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]
PAGE = "[WEB-NCC] https://docs.cloud.google.com/network-connectivity/docs/router/pricing"
DATED = "2026-12-07"

# (item, unit, usd, the page's words)
CITED: tuple[tuple[str, str, str, str], ...] = (
    ("ncc_spoke:vpc", "hour", "0.10", "'Spoke hours (VPC and producer VPC spokes) $0.10 per hour' (one price table, "
     "no location column)"),
    ("ncc_spoke:router_appliance", "hour", "0.075", "'Spoke hours (Cloud Interconnect, Cloud VPN and Cloud Router "
     "appliance spokes) $0.075 per hour' (the waiver covers VPN and Interconnect spokes only)"),
    ("ncc_data_processing", "GiB", "0.02", "'The ADN charge is $0.02 per Gibibyte (GiB) per month. This charge applies "
     "for traffic originating from VPC spokes.'"),
)


def rows() -> list[list[str]]:
    return [["gcp", "global", item, unit, usd, f"{PAGE} {words}", DATED] for item, unit, usd, words in CITED]


def render(table: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(table)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing")
    args = parser.parse_args(argv)
    text = render(rows())
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.name} differs from what this script gives", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.name}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files it describes

    raise SystemExit(and_index(main()))
