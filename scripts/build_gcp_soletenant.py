#!/usr/bin/env python3
"""Build ``gcp_soletenant.csv``: Compute Engine sole-tenant node prices per node type and region.

    python scripts/build_gcp_soletenant.py --cyclenerd PRICING_YML            # write the file
    python scripts/build_gcp_soletenant.py --cyclenerd PRICING_YML --check    # exit 1 when the shipped file differs

Inputs (offline):

- ``[CYC]`` github.com/Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26ff84fee5cdd94f341ea89206e76c06b99
  ``pricing.yml`` (Apache-2.0, generated 2026-07-30 from the Cloud Billing Catalog API): the on-demand hour of the
  predefined machine type with exactly the node type's vCPUs and memory. For these series Cyclenerd's builder prices a
  machine type as its vCPUs x the series' "Core" SKU + its GB x the series' "Ram" SKU (``build/pricing.pl`` 862-870
  for C2: ``gce.compute.cpu.compute.optimized = $cpu``, ``gce.compute.ram.compute.optimized = $ram``), so the hour is
  the cost of that many vCPUs and GB of the series.
- ``[WEB-STN]`` https://cloud.google.com/compute/sole-tenant-pricing: "When you create sole-tenant nodes, you are
  billed for all of the vCPU and memory resources on the sole-tenant nodes, plus a sole-tenancy premium, which is 10%
  of the cost of all of the underlying vCPU and memory resources." The page's worked example (us-west1) takes the base
  price of a vCPU to be the ordinary on-demand vCPU price: "$0.031611 for 1 vCPU + $0.0031611 for the 10% premium".

A node of type ``<series>-node-<vCPUs>-<GB>`` is therefore priced at 1.1 x the hour of the same-series machine type with
those vCPUs and GB, in the regions ``pricing.yml`` prices that machine type (no region is carried to another). Node
types without a same-shape machine type in the snapshot are not written (they stay unpriced).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "iacgov" / "data" / "prices" / "gcp_soletenant.csv"
HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]
CYC = "[CYC] Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26 pricing.yml"
CYC_DATED = "2026-07-30"
PREMIUM = Decimal("1.1")
PAGE = ("[WEB-STN] https://cloud.google.com/compute/sole-tenant-pricing 'billed for all of the vCPU and memory resources "
        "on the sole-tenant nodes, plus a sole-tenancy premium, which is 10% of the cost of all of the underlying vCPU "
        "and memory resources'")

# node type -> the predefined machine type of the same series with the same vCPUs and GB
NODE_TYPES: dict[str, str] = {
    "c2-node-60-240": "c2-standard-60",
    "c2d-node-112-896": "c2d-highmem-112",
    "n1-node-96-624": "n1-highmem-96",
    "n2-node-80-640": "n2-highmem-80",
    "n2d-node-224-896": "n2d-standard-224",
}
NODE_TYPE = re.compile(r"^(?P<series>[a-z0-9]+)-node-(?P<cpu>\d+)-(?P<ram>\d+)$")

# The regions iacgov's users run in (European, and the US regions public modules default to).
REGIONS = ("europe-central2", "europe-north1", "europe-north2", "europe-southwest1", "europe-west1", "europe-west2",
           "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10",
           "europe-west12", "us-central1", "us-east1", "us-east4", "us-west1")


def rows(path: Path) -> list[list[str]]:
    import yaml

    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    if "Jul 30 06:13:17 2026" not in data["about"]["generated"]:
        raise SystemExit(f"{path}: not the pricing.yml of fd66b26 (generated {data['about']['generated']})")
    instances = data["compute"]["instance"]
    out: list[list[str]] = []
    for node, machine in sorted(NODE_TYPES.items()):
        shape = NODE_TYPE.match(node)
        entry = instances.get(machine)
        if shape is None or entry is None or not machine.startswith(shape["series"] + "-"):
            raise SystemExit(f"{path}: {machine} (for {node}) is not in the snapshot")
        if (Decimal(entry["cpu"]), Decimal(entry["ram"])) != (Decimal(shape["cpu"]), Decimal(shape["ram"])):
            raise SystemExit(f"{path}: {machine} has {entry['cpu']} vCPU / {entry['ram']} GB, not the shape of {node}")
        for region in REGIONS:
            hour = entry.get("cost", {}).get(region, {}).get("hour")
            if not hour:
                continue
            usd = (Decimal(hour) * PREMIUM).normalize()
            source = (f"{CYC} compute.instance.{machine}.cost.{region}.hour = {hour} ({shape['cpu']} vCPU, "
                      f"{shape['ram']} GB, the shape of {node}) x 1.1: {PAGE}")
            out.append(["gcp", region, f"sole_tenant_node:{node}", "hour", f"{usd:f}", source, CYC_DATED])
    return out


def render(table: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(table)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cyclenerd", type=Path, required=True, help="pricing.yml of fd66b26")
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing")
    args = parser.parse_args(argv)
    text = render(rows(args.cyclenerd))
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.name} differs from what the inputs give", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.name}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files it describes

    raise SystemExit(and_index(main()))
