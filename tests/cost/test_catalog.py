"""The shipped catalog, its provenance, the rate card, and lazy loading."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from iacgov.cost import catalog
from iacgov.cost.catalog import (ROW_HEADER, Catalog, CostConfigError, canonical_region, manifest, parse_rate_card,
                                 shipped_price)

from conftest import REPO

PRICES = REPO / "src" / "iacgov" / "data" / "prices"
SHARED = REPO.parent / "shared" / "pricing"


@pytest.mark.parametrize(
    "cloud, region, sku, usd, unit, source",
    [
        ("aws", "eu-west-3", "ec2:m5.xlarge", "0.224", "hour", "aws_ec2.csv:"),
        ("aws", "eu-west-3", "rds:postgres:multi-az:db.r5.large", "0.588", "hour", "multi_az_usd_per_hour"),
        ("aws", "eu-west-3", "rds:postgres:single-az:db.r5.large", "0.294", "hour", "single_az_usd_per_hour"),
        ("aws", "us-east-1", "nat_gateway", "0.045", "hour", "nat_gateway_test.golden"),
        ("aws", "eu-west-1", "rds_gp3_storage_multi_az", "0.254", "GB-month", "EU-RDS:Multi-AZ-GP3-Storage"),
        ("azure", "France Central", "vm:standard_d2s_v5", "0.112", "hour", "azure_vm.csv:"),
        ("gcp", "europe-west9-b", "compute:e2-standard-4", "0.155464", "hour", "gcp_compute.csv:"),
    ],
)
def test_shipped_prices_carry_their_source(cloud, region, sku, usd, unit, source):
    price = shipped_price(cloud, region, sku)
    assert price is not None and price.usd == D(usd) and price.unit == unit
    assert source in price.source and price.origin == "catalog"


def test_source_line_points_at_the_shipped_row():
    price = shipped_price("aws", "eu-west-3", "ec2:m5.xlarge")
    name, _, rest = price.source.partition(":")
    number = int(rest.split(" ", 1)[0])
    rows = (PRICES / name).read_text().splitlines()
    assert rows[number - 1] == "eu-west-3,m5.xlarge,0.224"


def test_unknown_sku_or_region_is_none_not_zero():
    assert shipped_price("aws", "eu-west-3", "ec2:m9g.large") is None
    assert shipped_price("aws", "mars-north-1", "ec2:m5.xlarge") is None
    assert shipped_price("azure", "polandcentral", "vm:Standard_D2as_v5") is None  # a region no VM table states


def test_canonical_regions():
    assert canonical_region("azure", "France Central") == "francecentral"
    assert canonical_region("gcp", "europe-west9-b") == "europe-west9"
    assert canonical_region("gcp", "us-central1") == "us-central1"
    assert canonical_region("aws", " EU-West-3 ") == "eu-west-3"


def test_manifest_keeps_attribution_and_price_dates():
    files = manifest()["files"]
    assert files["aws_ec2.csv"]["prices_dated"] == "2024-04-03" and files["aws_ec2.csv"]["licence"] == "MIT"
    assert files["gcp_compute.csv"]["prices_dated"] == "2026-07-30"
    text = (PRICES / "SOURCES.md").read_text()
    assert "ec2instances.info" in text and "## Gaps" in text and "## extra_prices.csv" in text


def test_every_hand_maintained_price_cites_a_source_and_a_date():
    rows = list(csv.DictReader((PRICES / "extra_prices.csv").open()))
    assert rows
    for row in rows:
        assert row["source"].startswith("[") and len(row["source"]) > 40, row
        assert len(row["dated"]) == 10 and D(row["usd"]) > 0


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/pricing is laid beside the repository in CI")
def test_shipped_catalog_is_in_sync_with_shared_pricing():
    assert _script("build_price_catalog").main(["--check"]) == 0


# --------------------------------------------------------------------------- rate card


RATES = """cloud,region,sku,unit,price,currency
aws,eu-west-3,ec2:m5.xlarge,hour,0.1792,USD
# comment lines are skipped
aws,*,eks_cluster_standard_support,hrs,0.10,usd
azure,France Central,vm:Standard_D2s_v5,Hours,0.09,USD
"""


def test_rate_card_overrides_then_extends_the_catalog():
    catalog = Catalog(parse_rate_card(RATES, "rates.csv"))
    own = catalog.price("aws", "eu-west-3", "ec2:m5.xlarge")
    assert own.usd == D("0.1792") and own.source == "rate card rates.csv:2" and own.origin == "rate card"
    assert catalog.price("aws", "eu-west-1", "ec2:m5.xlarge").origin == "catalog"  # other region: shipped price
    anywhere = catalog.price("aws", "ap-south-1", "eks_cluster_standard_support")
    assert anywhere.usd == D("0.10") and anywhere.unit == "hour" and anywhere.source == "rate card rates.csv:4"
    assert catalog.price("azure", "francecentral", "vm:standard_d2s_v5").usd == D("0.09")


@pytest.mark.parametrize(
    "text, message",
    [
        ("cloud,region,sku,unit,price\n", "rates.csv:1: rate card header lacks currency"),
        ("cloud,region,sku,unit,price,currency\naws,eu-west-3,ec2:m5.large,hour,0.1,EUR\n",
         "rates.csv:2: currency 'EUR' is not the catalog currency USD"),
        ("cloud,region,sku,unit,price,currency\naws,eu-west-3,ec2:m5.large,fortnight,0.1,USD\n",
         "rates.csv:2: unknown unit 'fortnight'"),
        ("cloud,region,sku,unit,price,currency\naws,eu-west-3,ec2:m5.large,hour,cheap,USD\n",
         "rates.csv:2: price 'cheap' is not a number"),
        ("cloud,region,sku,unit,price,currency\naws,eu-west-3,ec2:m5.large,hour,-1,USD\n",
         "rates.csv:2: price '-1' must be zero or more"),
        ("cloud,region,sku,unit,price,currency\naws,eu-west-3,ec2:m5.large,hour,0.1,USD\n"
         "aws,eu-west-3,EC2:M5.LARGE,hour,0.2,USD\n", "rates.csv:3: EC2:M5.LARGE in eu-west-3 is already priced on line 2"),
        ("", "rates.csv:1: rate card is empty"),
    ],
)
def test_rate_card_errors_are_one_line_with_file_and_line(text, message):
    with pytest.raises(CostConfigError) as err:
        parse_rate_card(text, "rates.csv")
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


# --------------------------------------------------------------------------- lazy loading


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout


def test_scan_without_cost_rules_configured_loads_no_price(tmp_path):
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n'
                                      'resource "aws_instance" "a" {\n  instance_type = "m5.large"\n  ami = "x"\n}\n')
    out = _run(
        "from pathlib import Path\n"
        "from iacgov.engine import ScanRequest, scan\n"
        "from iacgov.plugins import load_plugins\n"
        f"scan(ScanRequest(paths=(Path({str(tmp_path)!r}),), root=Path({str(tmp_path)!r})), load_plugins())\n"
        "import sys\n"
        "m = sys.modules.get('iacgov.cost.catalog')\n"
        "print(0 if m is None else m._index.cache_info().currsize)\n"
    )
    assert out.strip() == "0"


def test_an_estimate_reads_only_the_tables_it_needs():
    out = _run(
        "from iacgov.cost.catalog import shipped_price, _index, _raw, _region_index, _indexed_rows\n"
        "shipped_price('azure', 'westeurope', 'vm:Standard_B2s')\n"
        "print(_raw.cache_info().currsize, _region_index.cache_info().currsize, _index.cache_info().currsize,\n"
        "      _indexed_rows.cache_info().currsize)\n"
    )
    assert out.split() == ["0", "0", "0", "1"]  # one file's runs of one region read, no file read whole


def test_a_region_index_holds_what_the_whole_file_index_holds_for_that_region():
    # every shipped file and every region it prices: the same keys, lines and columns (a later row of a key wins)
    for name in manifest()["files"]:
        whole = catalog._index(name)
        lines = catalog._lines(name)[1]
        assert catalog._raw(name) is not None, f"{name} has line ends other than \\n: it is read whole every run"
        for region in {key[1] for key in whole}:
            expected = {key: (i, column, lines[i]) for key, (i, column) in whole.items() if key[1] == region}
            found = {key: (catalog._line_index(name, offset), column, line.decode("utf-8"))
                     for key, (offset, column, line) in catalog._region_index(name, region).items()}
            assert found == expected, (name, region)
    # a region named inside another region's item column is not that region's row
    assert ("aws", "eu-central-1", "data_transfer_inter_region_out:eu-west-3") not in \
        catalog._region_index("aws_pricewatcher.csv", "eu-west-3")


# a row file's lines of every shape (quoted key columns, the region in a later column, later duplicates of
# either shape, a line of three fields, no final newline)
SHAPES = (b"cloud,region,item,unit,usd,source,dated\n"
          b"aws,us-west-2,plain,hour,1,s,d\n"
          b"aws,eu-west-1,plain,hour,2,s,d\n"
          b'aws,"us-west-2",quoted_region,hour,3,s,d\n'
          b'"aws",us-west-2,quoted_cloud,hour,4,s,d\n'
          b'aws,us-west-2,"q,item",hour,5,s,d\n'
          b'aws,eu-west-1,mentions,hour,6,"us-west-2",d\n'
          b"aws,eu-west-1,other,hour,7,us-west-2,d\n"
          b"aws,eu-west-1,x:us-west-2,hour,8,s,d\n"
          b"aws,us-west-2,dup,hour,9,s,d\n"
          b'aws,"us-west-2",dup,hour,10,s,d\n'
          b'aws,"us-west-2",dup2,hour,11,s,d\n'
          b"aws,us-west-2,dup2,hour,12,us-west-2,d\n"
          b'aws,us-west-2,ab"c,hour,13,s,d\n'
          b"aws,us-west-2,three\n"
          b"aws,us-west-2,last,hour,14,s,d")


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_region_index_is_what_its_script_makes_of_the_shipped_price_files():
    assert (PRICES / catalog.REGION_INDEX).read_text(encoding="utf-8") == _script("build_price_index").build()


def test_rows_read_from_the_region_index_are_the_rows_found_in_the_whole_file():
    # every indexed file, every region it prices and one it does not: the same header, keys, line numbers,
    # columns and lines (in the same order) as the region's rows found in the whole file
    indexed = [name for name, entry in catalog._region_runs().items() if "regions" in entry]
    assert {"aws_pricewatcher.csv", "aws_ec2.csv", "aws_rds.csv", "azure_vm.csv", "gcp_compute.csv"} <= set(indexed)
    assert "azure_vm_retail.csv" not in indexed  # one run per row: searched instead
    for name in indexed:
        for region in [*sorted({key[1] for key in catalog._index(name)}), "mars-north-1"]:
            found = {key: (catalog._line_index(name, offset), column, line.decode("utf-8"))
                     for key, (offset, column, line) in catalog._region_index(name, region).items()}
            header, rows = catalog._indexed_rows(name, region)
            assert header == catalog._header(name) and list(rows.items()) == list(found.items()), (name, region)


def _indexed_copy(tmp_path, monkeypatch, data: bytes) -> Path:
    """A price folder of one row file ``rows.csv`` and its region index, as the script builds it."""
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "rows.csv").write_bytes(data)
    runs = _script("build_price_index").file_runs(data, "rows.csv")
    index = {"format": catalog.REGION_INDEX_FORMAT, "files": {"rows.csv": {"size": len(data), "regions": runs}}}
    (folder / catalog.REGION_INDEX).write_text(json.dumps(index))
    monkeypatch.setattr(catalog, "_prices_folder", lambda: folder)
    monkeypatch.setattr(catalog, "_LINE_MARKS", {})
    _forget_files()
    return folder


def _forget_files() -> None:
    for cached in (catalog._raw, catalog._region_index, catalog._index, catalog._lines, catalog._indexed_rows,
                   catalog._region_runs, catalog._sorted_blocks, catalog._lookup):
        cached.cache_clear()


ROWS = SHAPES.replace(b"aws,eu-west-1,x:", b"\naws,eu-west-1,x:")  # and an empty line


def test_rows_of_every_shape_read_from_the_region_index_are_the_rows_found_in_the_whole_file(tmp_path, monkeypatch):
    _indexed_copy(tmp_path, monkeypatch, ROWS)
    try:
        for region in ("us-west-2", "eu-west-1", "eu-west-3"):
            found = {key: (catalog._line_index("rows.csv", offset), column, line.decode("utf-8"))
                     for key, (offset, column, line) in catalog._region_index("rows.csv", region).items()}
            header, rows = catalog._indexed_rows("rows.csv", region)
            assert header == ROW_HEADER and list(rows.items()) == list(found.items()), region
        assert catalog._indexed_rows("rows.csv", "us-west-2")[1]["aws", "us-west-2", "dup"][0] == 11
        assert catalog._indexed_rows("rows.csv", "us-west-2")[1]["aws", "us-west-2", "last"][0] == 16
    finally:
        _forget_files()


@pytest.mark.parametrize("edit", ["longer", "region", "index", "format", "no index"])
def test_a_region_index_that_does_not_fit_its_file_is_not_used(tmp_path, monkeypatch, edit):
    # the file grew, a line of the run changed region (same size), the runs point inside lines, the index is
    # damaged or of another format, or absent: the rows are found in the whole file, with their right lines
    folder = _indexed_copy(tmp_path, monkeypatch, ROWS)
    path, index_path = folder / "rows.csv", folder / catalog.REGION_INDEX
    index = json.loads(index_path.read_text())
    if edit == "longer":
        path.write_bytes(ROWS.replace(b"cloud,region,item,unit,usd,source,dated\n",
                                      b"cloud,region,item,unit,usd,source,dated\naws,us-west-2,new,hour,0,s,d\n"))
    elif edit == "region":
        path.write_bytes(ROWS.replace(b"aws,us-west-2,dup,hour,9", b"aws,us-west-9,dup,hour,9"))
    elif edit == "index":
        runs = index["files"]["rows.csv"]["regions"]["us-west-2"].split()
        runs[-3] = str(int(runs[-3]) + 2)  # the last run's first byte
        index["files"]["rows.csv"]["regions"]["us-west-2"] = " ".join(runs)
        index_path.write_text(json.dumps(index))
    elif edit == "format":
        index["format"] += 1
        index_path.write_text(json.dumps(index))
    else:
        index_path.unlink()
    try:
        assert catalog._indexed_rows("rows.csv", "us-west-2") is None
        expected = {key: (catalog._line_index("rows.csv", offset), line.decode("utf-8"))
                    for key, (offset, _column, line) in catalog._region_index("rows.csv", "us-west-2").items()}
        assert len(expected) >= 9
        for key, (number, line) in expected.items():
            if key[2] == "three":
                continue  # no price in it
            catalog._lookup.cache_clear()
            price = catalog._lookup("rows.csv", key)
            assert price is not None and price.source.startswith(f"rows.csv:{number + 1} "), (key, line)
    finally:
        _forget_files()


def test_a_sorted_file_searched_between_its_index_entries_gives_the_row_the_region_index_holds():
    # the Azure VM size lists: three regions each, their first, last and some keys, a longer SKU's start, a SKU
    # before the first and after the last
    import random

    sorted_files = [name for name, entry in catalog._region_runs().items() if "sorted" in entry]
    assert {"azure_vm_retail.csv", "azure_vm_windows.csv"} <= set(sorted_files)
    rng = random.Random(11)
    for name in sorted_files:
        whole = catalog._index(name)
        for region in sorted({key[1] for key in whole})[:3]:
            keys = [key for key in whole if key[1] == region]
            probes = [keys[0], keys[-1], *rng.sample(keys, min(20, len(keys)))]
            probes += [(k[0], k[1], k[2][:-1]) for k in probes] + [(keys[0][0], region, s) for s in ("a", "zzz")]
            indexed = catalog._region_index(name, region)
            for key in probes:
                row = indexed.get(key)
                expected = None if row is None else (catalog._line_index(name, row[0]), row[2].decode("utf-8"))
                assert catalog._sorted_row(name, key) == (True, expected), (name, key)


SORTED = (b"cloud,region,item,unit,usd,source,dated\n"
          b"azure,eastus,vm:a,hour,1,s,d\n"
          b"azure,westus,vm:a,hour,2,s,d\n"
          b"azure,eastus,vm:ab,hour,3,s,d\n"
          b"azure,eastus,vm:ab,hour,4,s,d\n"
          b"azure,eastus,vm:ab,hour,5,s,d\n"  # the last of three, in the next block
          b"azure,westus,vm:ab,hour,6,s,d\n"
          b"azure,eastus,vm:b,hour,7,s,d\n"
          b"azure,eastus,vm:c")


def _sorted_copy(tmp_path, monkeypatch, data: bytes) -> Path:
    """A price folder of ``SORTED`` indexed as a sorted file of two lines a block, its file replaced by ``data``."""
    monkeypatch.setattr(catalog, "SORTED_BLOCK", 2)
    builder = _script("build_price_index")
    assert builder.sorted_blocks(SORTED.replace(b"vm:b,", b"vm:0,"), "rows.csv") is None  # out of order: none
    folder = _indexed_copy(tmp_path, monkeypatch, SORTED)
    index = {"format": catalog.REGION_INDEX_FORMAT,
             "files": {"rows.csv": {"size": len(SORTED), "sorted": builder.sorted_blocks(SORTED, "rows.csv")}}}
    (folder / catalog.REGION_INDEX).write_text(json.dumps(index))
    (folder / "rows.csv").write_bytes(data)
    _forget_files()
    return folder


def test_a_sorted_file_of_small_blocks_is_searched_as_the_region_index_finds_its_rows(tmp_path, monkeypatch):
    _sorted_copy(tmp_path, monkeypatch, SORTED)
    try:
        for region in ("eastus", "westus"):
            for sku in ("vm:a", "vm:ab", "vm:b", "vm:c", "vm:", "vm:0", "vm:z"):
                row = catalog._region_index("rows.csv", region).get(("azure", region, sku))
                expected = None if row is None else (catalog._line_index("rows.csv", row[0]), row[2].decode("utf-8"))
                assert catalog._sorted_row("rows.csv", ("azure", region, sku)) == (True, expected), (region, sku)
        assert catalog._sorted_row("rows.csv", ("azure", "eastus", "vm:ab"))[1] == (5, "azure,eastus,vm:ab,hour,5,s,d")
    finally:
        _forget_files()


@pytest.mark.parametrize("edit, sku, line", [
    ("quote", "vm:ab", 6),  # a quote in the lines read
    ("moved", "vm:ab", 6),  # an entry's line (the third) no longer of its item
    ("longer", "vm:a", 2),  # another size
])
def test_a_sorted_file_is_not_searched_in_blocks_that_are_not_what_the_index_says(tmp_path, monkeypatch, edit, sku,
                                                                                   line):
    edited = {"quote": SORTED.replace(b"eastus,vm:ab,hour,5", b'eastus,vm:ab,"hr",5'),
              "moved": SORTED.replace(b"vm:ab,hour,3", b"vm:aa,hour,3"), "longer": SORTED + b"\n"}[edit]
    _sorted_copy(tmp_path, monkeypatch, edited)
    try:
        assert catalog._sorted_row("rows.csv", ("azure", "eastus", sku)) == (False, None)
        assert catalog._lookup("rows.csv", ("azure", "eastus", sku)).source.startswith(f"rows.csv:{line} ")
    finally:
        _forget_files()


def test_line_region_is_the_region_of_every_key_of_every_shipped_line():
    for name in manifest()["files"]:
        for line in catalog._lines(name)[1][1:]:
            if line:
                assert all(key[1] == catalog._line_region(name, line) for key, _ in catalog._line_keys(name, line))


def test_line_numbers_counted_from_marks_before_and_after_equal_the_newlines_before_each_offset(monkeypatch):
    # the rows of a region asked for in any order (the last first, as an estimate may): each line number is the
    # count of newlines before its offset, whichever mark it is counted from (fails if counted back wrongly)
    import bisect
    import random
    import re

    name = "aws_pricewatcher.csv"
    data = catalog._raw(name)
    newlines = [m.start() for m in re.finditer(b"\n", data)]
    monkeypatch.setattr(catalog, "_LINE_MARKS", {})
    offsets = [0, len(data), *random.Random(7).sample(range(len(data)), 300)]
    for offset in [*offsets, *reversed(offsets)]:
        assert catalog._line_index(name, offset) == bisect.bisect_left(newlines, offset), offset
    assert len(catalog._LINE_MARKS[name]) == len(set(offsets))


def _searched_and_indexed(name: str, key: tuple[str, str, str]):
    """The row of ``key`` found by searching the file, and the one its region's index holds, as (line, text)."""
    found = catalog._row_of(name, key)
    indexed = catalog._region_index(name, key[1]).get(key)
    return ((None if found is None else (catalog._line_index(name, found[0]), found[1])),
            (None if indexed is None else (catalog._line_index(name, indexed[0]), indexed[2])))


def test_a_searched_row_is_the_row_the_region_index_holds():
    # every quote-free row file shipped, three regions each: its first, last and some middle keys, a key with a
    # longer SKU's start only, a region's absent key; the same line (the last of a key) as the index gives
    import random

    searchable = [name for name in manifest()["files"] if catalog._raw(name) is not None and catalog._quote_free(name)]
    assert "azure_vm_retail.csv" in searchable and "aws_pricewatcher.csv" not in searchable  # quotes in its sources
    rng = random.Random(3)
    for name in searchable:
        whole = catalog._index(name)
        for region in sorted({key[1] for key in whole})[:3]:
            keys = [key for key in whole if key[1] == region]
            probes = [keys[0], keys[-1], *rng.sample(keys, min(5, len(keys)))]
            probes += [(k[0], k[1], k[2][:-1]) for k in probes] + [(keys[0][0], region, "no-such-sku")]
            for key in probes:
                searched, indexed = _searched_and_indexed(name, key)
                assert searched == indexed, (name, key)
                if key in whole:
                    assert searched[0] == whole[key][0]


def test_a_searched_row_is_the_last_of_its_key_and_ends_where_its_third_field_ends(tmp_path, monkeypatch):
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "rows.csv").write_bytes(
        b"cloud,region,item,unit,usd,source,dated\n"
        b"azure,eastus,vm:ab,hour,1,s,d\n"
        b"azure,eastus,vm:a,hour,2,s,d\n"       # the key vm:a
        b"azure,eastus,vm:ab,hour,3,s,d\n"      # a longer SKU after it: not vm:a's row
        b"azure,eastus2,vm:a,hour,4,s,d\n"      # another region
        b"azure,eastus,vm:a,hour,5,s,d\n"       # vm:a again: the last wins
        b"azure,eastus,vm:b\n"                  # three fields only
        b"azure,eastus,vm:c")                   # and no newline at the end
    monkeypatch.setattr(catalog, "_prices_folder", lambda: folder)
    monkeypatch.setattr(catalog, "_LINE_MARKS", {})
    catalog._raw.cache_clear()
    catalog._region_index.cache_clear()
    try:
        assert catalog._quote_free("rows.csv")
        expected = {"vm:a": (5, b"azure,eastus,vm:a,hour,5,s,d"), "vm:ab": (3, b"azure,eastus,vm:ab,hour,3,s,d"),
                    "vm:b": (6, b"azure,eastus,vm:b"), "vm:c": (7, b"azure,eastus,vm:c"), "vm:": None, "vm": None}
        for sku, row in expected.items():
            assert _searched_and_indexed("rows.csv", ("azure", "eastus", sku)) == (row, row), sku
        assert _searched_and_indexed("rows.csv", ("azure", "eastus2", "vm:a"))[0] == (4, b"azure,eastus2,vm:a,hour,4,s,d")
    finally:
        catalog._raw.cache_clear()
        catalog._region_index.cache_clear()


def test_a_region_index_of_lines_of_every_shape_holds_what_the_whole_file_index_holds(tmp_path, monkeypatch):
    # the usual lines are matched whole, every other line naming the region between commas or quotes is read
    # alone: quoted key columns, the region in a later column, a later duplicate of either shape, no final newline
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "rows.csv").write_bytes(SHAPES)
    monkeypatch.setattr(catalog, "_prices_folder", lambda: folder)
    monkeypatch.setattr(catalog, "_LINE_MARKS", {})
    for cached in (catalog._raw, catalog._region_index, catalog._index, catalog._lines):
        cached.cache_clear()
    try:
        whole = catalog._index("rows.csv")
        lines = catalog._lines("rows.csv")[1]
        for region in ("us-west-2", "eu-west-1"):
            expected = {key: (i, column, lines[i]) for key, (i, column) in whole.items() if key[1] == region}
            found = {key: (catalog._line_index("rows.csv", offset), column, line.decode("utf-8"))
                     for key, (offset, column, line) in catalog._region_index("rows.csv", region).items()}
            assert found == expected and list(found) == list(expected), region
        assert catalog._region_index("rows.csv", "us-west-2")["aws", "us-west-2", "dup"][2].endswith(b",10,s,d")
        assert len(catalog._region_index("rows.csv", "us-west-2")) == 9
    finally:
        for cached in (catalog._raw, catalog._region_index, catalog._index, catalog._lines):
            cached.cache_clear()


def test_prices_searched_row_by_row_equal_prices_from_the_region_index(monkeypatch):
    queries = [("azure", "eastus", "vm:Standard_D2_v2"), ("azure", "eastus", "vm:Standard_F2"),
               ("azure", "westeurope", "vm:Standard_E64s_v5"), ("azure", "eastus", "vm:no_such_size"),
               ("aws", "eu-west-1", "ec2:p4d.24xlarge"), ("aws", "us-west-2", "ebs_gp2_storage")]

    def prices(searches: int) -> list:
        monkeypatch.setattr(catalog, "_ROW_STORE", [])  # no rows kept by an earlier scan of this process
        monkeypatch.setattr(catalog, "_SEARCHES_BEFORE_INDEX", searches)
        monkeypatch.setattr(catalog, "_SEARCHES", {})
        monkeypatch.setattr(catalog, "_LINE_MARKS", {})
        for cached in (catalog._lookup, catalog._raw, catalog._region_index):
            cached.cache_clear()
        return [shipped_price(*q) for q in queries]

    in_blocks = prices(100)  # the Azure VM size list searched in the blocks its index gives
    assert catalog._raw.cache_info().currsize == 0
    assert catalog._SEARCHES == {("azure_vm_retail.csv", "eastus"): 3}  # westeurope's size is in azure_vm.csv
    after_two = prices(2)  # two searched, the third look-up of eastus reads the file and indexes its region
    assert catalog._raw.cache_info().currsize == 1 and catalog._region_index.cache_info().currsize == 1
    monkeypatch.setattr(catalog, "_sorted_blocks", lambda name: None)  # then without that index
    searched = prices(100)
    assert any(key[0] == "azure_vm_retail.csv" for key in catalog._SEARCHES)
    indexed = prices(0)
    assert not catalog._SEARCHES
    assert in_blocks == after_two == searched == indexed and searched[0] is not None and searched[3] is None
    assert searched[0].source.startswith("azure_vm_retail.csv:")


@pytest.mark.parametrize("text, plain", [
    ("a,b\nc,d\n", True), ("Zürich,é\n", True), ("a\r\nb", False), ("a\u2028b", False), ("a\u0085b", False),
    ("a\x1eb", False), ("a\u2029b", False), ("a\u20a9b", True),  # U+20A9 ends in the byte A9 too, no line end
])
def test_line_numbers_are_counted_in_bytes_only_when_newline_alone_ends_lines(text, plain):
    assert catalog._plain_lines(text.encode("utf-8")) is plain
    assert (text.splitlines() == text.removesuffix("\n").split("\n")) is plain  # what the citations count


def test_odd_regions_are_looked_up_as_in_the_whole_index():
    for region in ('eu"west-3', "", "eu-west-3\nx", "ü-west"):
        assert shipped_price("aws", region, "ec2:m5.xlarge") is None
        assert shipped_price("aws", region, "nat_gateway") is None


def test_json_of_catalog_description_is_serialisable():
    json.dumps(Catalog().describe())


# --------------------------------------------------------------------------- a region's rows kept in the cache


@pytest.fixture
def kept(tmp_path):
    """Rows kept in a private cache under tmp_path; nothing kept afterwards."""
    cache = tmp_path / "cache"
    catalog.keep_region_rows(cache)
    yield cache
    catalog.keep_region_rows(None)


def _fresh() -> None:
    """Forget what this process has read (as a new run does); the kept rows stay on disk."""
    for cached in (catalog._rows_key, catalog._region_rows, catalog._lookup, catalog._raw, catalog._region_index,
                   catalog._indexed_rows, catalog._region_runs, catalog._sorted_blocks):
        cached.cache_clear()
    catalog._LINE_MARKS.clear()


QUERIES = [("aws", "eu-west-3", "ec2:m5.xlarge"), ("aws", "eu-west-3", "rds:postgres:multi-az:db.r5.large"),
           ("aws", "us-east-1", "nat_gateway"), ("aws", "eu-west-1", "ebs_gp3_storage"),
           ("azure", "westeurope", "vm:Standard_B2s"), ("azure", "France Central", "vm:Standard_D2s_v5"),
           ("gcp", "europe-west9-b", "compute:e2-standard-4"), ("aws", "eu-west-3", "ec2:no-such-type"),
           ("aws", "mars-north-1", "nat_gateway")]


def test_kept_rows_give_the_prices_computed_without_them(kept):
    catalog.keep_region_rows(None)
    _fresh()
    expected = [shipped_price(*q) for q in QUERIES]
    catalog.keep_region_rows(kept)
    _fresh()
    assert [shipped_price(*q) for q in QUERIES] == expected  # found, then kept
    assert list((kept / "v1" / "price-region-rows").rglob("*")) != []
    _fresh()
    assert [shipped_price(*q) for q in QUERIES] == expected  # read back: no price file read for its rows
    assert catalog._raw.cache_info().currsize == 0 and catalog._region_index.cache_info().currsize == 0
    assert catalog._indexed_rows.cache_info().currsize == 0


def test_kept_rows_of_every_file_and_region_equal_the_rows_found(kept):
    for name in manifest()["files"]:
        for region in sorted({key[1] for key in catalog._index(name)})[:3]:
            _fresh()
            first = catalog._region_rows(name, region)
            _fresh()
            assert catalog._region_rows(name, region) == first
            found = {key: (catalog._line_index(name, offset), column, line.decode("utf-8"))
                     for key, (offset, column, line) in catalog._region_index(name, region).items()}
            assert first == (catalog._header(name), found), (name, region)


def _copy_of_prices(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "prices"
    folder.mkdir()
    for name in manifest()["files"]:
        (folder / name).write_bytes((PRICES / name).read_bytes())
    for name in ("manifest.json", catalog.REGION_INDEX):
        (folder / name).write_bytes((PRICES / name).read_bytes())
    monkeypatch.setattr(catalog, "_prices_folder", lambda: folder)
    return folder


def _ec2_line(folder: Path) -> tuple[int, bytes]:
    lines = (folder / "aws_ec2.csv").read_bytes().split(b"\n")
    return next((i, line) for i, line in enumerate(lines) if line.startswith(b"eu-west-3,m5.xlarge,"))


def test_an_edited_price_file_is_read_again_though_its_size_is_the_same(kept, tmp_path, monkeypatch):
    # the key holds the file's modification time: the same size, another price, a later time -> the new price
    folder = _copy_of_prices(tmp_path, monkeypatch)
    _fresh()
    assert shipped_price("aws", "eu-west-3", "ec2:m5.xlarge").usd == D("0.224")
    path = folder / "aws_ec2.csv"
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b"eu-west-3,m5.xlarge,0.224", b"eu-west-3,m5.xlarge,0.999"))
    assert path.stat().st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    _fresh()
    assert shipped_price("aws", "eu-west-3", "ec2:m5.xlarge").usd == D("0.999")


def test_a_price_file_of_another_size_is_read_again_though_its_time_is_the_same(kept, tmp_path, monkeypatch):
    # the key holds the file's size: a row added at the same modification time -> its line number moves
    folder = _copy_of_prices(tmp_path, monkeypatch)
    _fresh()
    index, line = _ec2_line(folder)
    assert shipped_price("aws", "eu-west-3", "ec2:m5.xlarge").source.startswith(f"aws_ec2.csv:{index + 1} ")
    path = folder / "aws_ec2.csv"
    before = path.stat()
    data = path.read_bytes()
    header_end = data.index(b"\n") + 1
    path.write_bytes(data[:header_end] + b"eu-west-3,zz.none,1.0\n" + data[header_end:])
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    _fresh()
    assert shipped_price("aws", "eu-west-3", "ec2:m5.xlarge").source.startswith(f"aws_ec2.csv:{index + 2} ")


def test_a_damaged_kept_entry_is_found_again(kept):
    _fresh()
    expected = shipped_price("aws", "eu-west-3", "ec2:m5.xlarge")
    entries = [p for p in (kept / "v1" / "price-region-rows").rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        data = bytearray(entry.read_bytes())
        data[len(data) // 2] ^= 0xFF
        entry.write_bytes(bytes(data))
    _fresh()
    assert shipped_price("aws", "eu-west-3", "ec2:m5.xlarge") == expected
    assert catalog._indexed_rows.cache_info().currsize == 1  # found again from the file (its region's runs)


def test_a_scan_keeps_the_rows_and_reads_them_back_with_the_bytes_of_a_scan_without_cache(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    tf = (REPO / "fixtures" / "cost" / "terraform" / "main.tf").read_text()
    (project / "main.tf").write_text(tf)
    (project / "iacgov.yaml").write_text("version: 1\ncost:\n  environment_tag: env\n  budgets:\n    prod: 1\n")
    env = {**os.environ, "IACGOV_CACHE_DIR": str(tmp_path / "cache")}
    code = ("import atexit, sys\n"
            "from iacgov.cost import catalog\n"
            "atexit.register(lambda: print('raw', catalog._raw.cache_info().currsize\n"
            "                              + catalog._indexed_rows.cache_info().currsize, file=sys.stderr))\n"
            "from iacgov.cli import main\n"
            "sys.argv = ['iacgov', 'scan', '.', '--format', 'json', '--fail-on', 'never'] + sys.argv[1:]\n"
            "main()\n")

    def scan(*extra: str) -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", code, *extra], capture_output=True, text=True, cwd=project,
                              env=env)
        return done.stdout, done.stderr

    first, first_err = scan()
    assert "COST001" in first and "raw 0" not in first_err  # the price files were read
    (project / "main.tf").write_text(tf + "\n# edited\n")  # not the whole scan cached: the estimate runs again
    second, second_err = scan()
    assert "raw 0" in second_err  # every row it priced was kept
    assert second == scan("--no-cache")[0]
