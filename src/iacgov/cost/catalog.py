"""The offline price catalog: the shipped list prices, a company's rate card on top.

The shipped catalog (``iacgov/data/prices/``, built by
``scripts/build_price_catalog.py``) is read lazily, one file at a time, the
first time a price from that file is asked for: estimating an Azure-only
project never reads the AWS tables, and a scan without COST rules reads none.

Prices are addressed by ``(cloud, region, sku)``. SKU names (what a rate card
writes in its ``sku`` column):

===============================  =====================================  ============
what                             sku                                    unit
===============================  =====================================  ============
EC2 instance (Linux, shared)     ``ec2:m5.xlarge``                      hour
RDS instance                     ``rds:postgres:multi-az:db.r5.large``  hour
Azure VM (Linux)                 ``vm:Standard_D2s_v5``                 hour
GCP machine type                 ``compute:e2-standard-4``              hour
other AWS items                  the item name, e.g. ``ebs_gp3_storage``,
                                 ``nat_gateway``, ``rds_gp3_storage_multi_az``
                                 (see ``aws_storage_misc.csv`` and ``extra_prices.csv``)
===============================  =====================================  ============

SKUs are matched case-insensitively. A rate-card row whose region is ``*``
applies in every region (a row for the exact region wins).
"""

from __future__ import annotations

import bisect
import csv
import io
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from iacgov.plugins import resources  # importlib.resources.files, without importing it
from pathlib import Path
from typing import Any, Iterable, Mapping

from iacgov.limits import LimitExceeded, Limits, read_bounded

CURRENCY = "USD"
HOURS_PER_MONTH = Decimal(730)

# unit spellings accepted in a rate card -> the catalog's spelling
UNIT_ALIASES = {
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "month": "month", "months": "month", "mo": "month",
    "gb-month": "GB-month", "gb-mo": "GB-month", "gb/month": "GB-month",
    "gb": "GB",
    "iops-month": "IOPS-month", "iops-mo": "IOPS-month",
    "mibps-month": "MiBps-month", "mbps-month": "MiBps-month",
    "lcu-hour": "LCU-hour", "lcu-hours": "LCU-hour", "lcu-hrs": "LCU-hour",
    "1k requests": "1k requests", "10k requests": "10k requests", "1m requests": "1M requests",
    "1m rru": "1M RRU", "1m wru": "1M WRU",
    "gb-second": "GB-second", "gb-seconds": "GB-second",
}


class CostConfigError(Exception):
    """A cost setting that cannot be used: a rate card, usage file or policy
    value. One line, naming the file and line (the CLI exits with code 2)."""


@dataclass(frozen=True)
class Price:
    usd: Decimal  # per ``unit``, in the catalog currency
    unit: str
    source: str  # where the figure comes from: file:line and its provenance
    origin: str = "catalog"  # "catalog" or "rate card"


def canonical_region(cloud: str, region: str) -> str:
    """Lower case; Azure without spaces (``France Central`` -> ``francecentral``);
    a GCP zone as its region (``europe-west9-b`` -> ``europe-west9``)."""
    region = region.strip().lower()
    if cloud == "azure":
        region = "".join(region.split())
    elif cloud == "gcp":
        parts = region.rsplit("-", 1)
        if len(parts) == 2 and len(parts[1]) == 1 and parts[0][-1:].isdigit():
            region = parts[0]
    return region


def canonical_unit(unit: str) -> str | None:
    return UNIT_ALIASES.get(" ".join(unit.strip().lower().split()))


# --------------------------------------------------------------------------- shipped data


@lru_cache(maxsize=None)
def _prices_folder() -> Any:
    """The shipped price files' folder (a Traversable; a Path when iacgov is installed as files)."""
    return resources.files("iacgov").joinpath("data", "prices")


def _data_text(name: str) -> str:
    return _prices_folder().joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def manifest() -> Mapping[str, object]:
    import json

    return json.loads(_data_text("manifest.json"))


def _provenance(name: str) -> str:
    entry = manifest()["files"][name]  # type: ignore[index]
    return f"{entry['origin']}; prices of {entry['prices_dated']}; {entry['licence']}"


# Each shipped file's (cloud, region, sku) -> how to read its price: the key columns are split from the raw
# line without the csv module and the price is built only when asked for (a run prices tens of SKUs out of
# 50,000 rows; building every Price cost 0.6 s a run). A line whose key columns hold a quote is read by csv.
_KEY_COLUMNS = {"aws_ec2.csv": 2, "aws_rds.csv": 3, "azure_vm.csv": 2, "gcp_compute.csv": 2,
                "aws_storage_misc.csv": 2}


@lru_cache(maxsize=None)
def _lines(name: str) -> tuple[list[str], list[str]]:
    text = _data_text(name)
    lines = text.splitlines()
    return next(csv.reader(lines[:1])), lines


def _key_fields(line: str, n: int) -> list[str]:
    fields = line.split(",", n)
    if any('"' in f for f in fields[:n]):
        return next(csv.reader([line]))
    return fields


# The files keyed by a region and one SKU column: (cloud, the SKU's prefix, whether the SKU is lower-cased).
_TWO_COLUMN_KEYS = {"aws_ec2.csv": ("aws", "ec2:", False), "azure_vm.csv": ("azure", "vm:", True),
                    "gcp_compute.csv": ("gcp", "compute:", False), "aws_storage_misc.csv": ("aws", "", False)}


def _rds_fields(line: str) -> list[str]:
    return line.split(",") if '"' not in line else next(csv.reader([line]))  # csv splits a quote-free line so


def _line_keys(name: str, line: str) -> list[tuple[tuple[str, str, str], str]]:
    """The ``(cloud, region, sku)`` keys one data line of a shipped file prices, each with its column ("" or the
    RDS deployment)."""
    two = _TWO_COLUMN_KEYS.get(name)
    if two is not None:
        cloud, prefix, lower = two
        region, sku = _key_fields(line, 2)[:2]
        return [((cloud, region, prefix + (sku.lower() if lower else sku)), "")]
    if name == "aws_rds.csv":
        region, klass, engine, *rest = _rds_fields(line)
        return [(("aws", region, f"rds:{engine}:{deployment}:{klass}"), deployment)
                for deployment, usd in zip(("single-az", "multi-az"), rest) if usd]
    cloud, region, item = _key_fields(line, 3)[:3]  # one cited price per row: extra_prices.csv and its kin
    return [((cloud, region, item), "")]


def _line_region(name: str, line: str) -> str:
    """The region column of one data line of a shipped file, split as :func:`_line_keys` splits it (every key
    it gives has this region)."""
    if name == "aws_rds.csv":
        return _rds_fields(line)[0]
    if name in _KEY_COLUMNS:
        return _key_fields(line, 2)[0]
    return _key_fields(line, 3)[1]


def _run_rows(name: str, region: str, text: str, number: int,
              rows: dict[tuple[str, str, str], tuple[int, str, str]]) -> bool:
    """Put the keys of one run of lines of a shipped file (``text``, without its last newline; its first line
    has index ``number``) in ``rows``, as :func:`_line_keys` gives them (a later line of a key wins); False
    when a line is not of ``region``."""
    two = _TWO_COLUMN_KEYS.get(name)
    n = 2 if two is not None else 3
    cloud, prefix, lower = two or ("", "", False)
    for i, line in enumerate(text.split("\n"), start=number):
        fields = line.split(",", n)
        if name != "aws_rds.csv" and len(fields) >= n and not any('"' in f for f in fields[:n]):
            if fields[n - 2] != region:  # split as _key_fields splits a line without a quote in its keys
                return False
            if two is None:
                rows[fields[0], region, fields[2]] = (i, "", line)
            else:
                rows[cloud, region, prefix + (fields[1].lower() if lower else fields[1])] = (i, "", line)
            continue
        if not line or _line_region(name, line) != region:  # a quote in the key columns, or the RDS file
            return False
        for key, column in _line_keys(name, line):
            rows[key] = (i, column, line)
    return True


@lru_cache(maxsize=None)
def _index(name: str) -> Mapping[tuple[str, str, str], tuple[int, str]]:
    """``(cloud, region, sku) -> (line index, column)`` of one whole shipped file (``iacgov catalog``, known SKUs);
    a later line of the same key wins."""
    header, lines = _lines(name)
    if name not in _KEY_COLUMNS and header != ROW_HEADER:  # pragma: no cover - programming error
        raise KeyError(name)
    out: dict[tuple[str, str, str], tuple[int, str]] = {}
    for i in range(1, len(lines)):
        if lines[i]:
            for key, deployment in _line_keys(name, lines[i]):
                out[key] = (i, deployment)
    return out


# The line ends str.splitlines knows besides "\n", as UTF-8: a file holding none has its splitlines() line i
# between its i-th and (i+1)-th "\n", so a line found in the bytes has the number a citation gives it. The
# multi-byte ones are looked for only when their last byte occurs (single bytes are found by memchr; a 4 MB
# file takes ~3 ms a sequence).
_OTHER_LINE_ENDS = (b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


def _plain_lines(data: bytes) -> bool:
    """Whether "\n" alone ends the lines of ``data`` (UTF-8) as str.splitlines reads them."""
    return not any(end in data for end in _OTHER_LINE_ENDS if len(end) == 1 or end[-1:] in data)


@lru_cache(maxsize=None)
def _raw(name: str) -> bytes | None:
    """A shipped file's bytes when "\n" alone ends its lines, else None (it is then read whole)."""
    data = _prices_folder().joinpath(name).read_bytes()
    return data if _plain_lines(data) else None


@lru_cache(maxsize=None)
def _header(name: str) -> list[str]:
    data = _raw(name)
    if data is None:
        return _lines(name)[0]
    end = data.find(b"\n")
    return next(csv.reader([(data if end == -1 else data[:end]).decode("utf-8")]))


# What surrounds a region column's bytes: before, the line's start, a comma or a quote; after, a comma or a quote.
_BEFORE_COLUMN = (b"", b"\n", b",", b'"')
_AFTER_COLUMN = (b",", b'"')


def _by_region(region: str) -> bool:
    """Whether a region's rows can be found by its bytes (else the file is indexed whole, as before)."""
    return bool(region) and not any(c in region for c in '"\n\r')


@lru_cache(maxsize=None)
def _region_index(name: str, region: str) -> Mapping[tuple[str, str, str], tuple[int, str, bytes]]:
    """``(cloud, region, sku) -> (offset of the line, column, line as UTF-8)`` of one shipped file (:func:`_raw`)
    for one region (:func:`_by_region`): only the lines holding the region's name are split (a pre-commit run
    prices a few regions of 20,000 AWS rows; indexing them all cost ~60 ms a run). The same keys and lines as
    :func:`_index` for that region: a line whose region column is ``region`` holds it as bytes between commas or
    quotes (tests compare both for every shipped file and region), and the last such line of a key wins."""
    data = _raw(name)
    assert data is not None and _by_region(region)
    needle = region.encode("utf-8")
    row_file = name not in _KEY_COLUMNS
    out: dict[tuple[str, str, str], tuple[int, str, bytes]] = {}
    at = data.find(needle)
    while at != -1:
        if data[at - 1:at] not in _BEFORE_COLUMN or data[at + len(needle):at + len(needle) + 1] not in _AFTER_COLUMN:
            at = data.find(needle, at + 1)  # within another column (an item naming a region)
            continue
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end == -1 else end
        line = data[start:end]
        keys = line.split(b",", 3)[:3] if row_file else ()
        if not start:
            pass  # the header
        elif len(keys) == 3 and b'"' not in keys[0] and b'"' not in keys[1] and b'"' not in keys[2]:
            # split as _key_fields splits it (no quote in the key columns), compared as bytes, then decoded
            if keys[1] == needle:
                out[keys[0].decode("utf-8"), region, keys[2].decode("utf-8")] = (start, "", line)
        else:
            for key, deployment in _line_keys(name, line.decode("utf-8")):
                if key[1] == region:
                    out[key] = (start, deployment, line)
        at = data.find(needle, end)
    return out


_LINE_MARKS: dict[str, list[tuple[int, int]]] = {}  # file -> sorted (offset of a line, its index) counted so far


def _line_index(name: str, offset: int) -> int:
    """The index of the line starting at ``offset`` of a shipped file (:func:`_raw`), counted from the nearest line
    counted before, before or after it: counting the newlines before each row of a region as it is found cost more
    than finding them, and counting from a line before only counted a region's rows near the end of a 4 MB file
    from its start again and again when they were asked for from the last (18 ms for 21 rows)."""
    data = _raw(name)
    assert data is not None
    marks = _LINE_MARKS.setdefault(name, [(0, 0)])
    i = bisect.bisect_right(marks, (offset, len(data))) - 1
    base, number = marks[i]
    if base == offset:
        return number
    if i + 1 < len(marks) and marks[i + 1][0] - offset < offset - base:
        after, later = marks[i + 1]
        number = later - data.count(b"\n", offset, after)
    else:
        number += data.count(b"\n", base, offset)
    marks.insert(i + 1, (offset, number))
    return number


# The region index shipped with the price files (``scripts/build_price_index.py``): per file, its size and per
# region the byte ranges of the runs of consecutive lines holding that region's rows, with the number of each
# run's first line. A region's rows are read from those ranges alone: finding them in the 4 MB of
# aws_pricewatcher.csv (reading it, checking its line ends, counting lines) cost a terragoat estimate ~20 ms.
REGION_INDEX = "region_index.json"
REGION_INDEX_FORMAT = 2
SORTED_BLOCK = 256  # lines between two entries of a sorted file's index (a search reads ~50 kB)
RegionRows = tuple[list[str], dict[tuple[str, str, str], tuple[int, str, str]]]


@lru_cache(maxsize=None)
def _region_runs() -> Mapping[str, Any]:
    """The index's files (name -> {"size", "regions"}); empty when it is absent or not the format read here."""
    import json

    try:
        index = json.loads(_prices_folder().joinpath(REGION_INDEX).read_bytes())
    except (OSError, ValueError):
        return {}
    files = index.get("files") if isinstance(index, dict) and index.get("format") == REGION_INDEX_FORMAT else None
    return files if isinstance(files, dict) else {}


@lru_cache(maxsize=None)
def _indexed_rows(name: str, region: str) -> RegionRows | None:
    """What :func:`_region_rows` holds for one shipped file and region (:func:`_by_region`) — its header and
    ``(cloud, region, sku) -> (line index, column, line)`` — read from the runs the region index gives; None
    when the file is not indexed, or its size is not the indexed one, or a run is not lines of that region
    starting and ending where the index says (the caller then finds the rows in the whole file)."""
    entry = _region_runs().get(name)
    folder = _prices_folder()
    if not isinstance(entry, dict) or not isinstance(folder, Path):
        return None
    rows: dict[tuple[str, str, str], tuple[int, str, str]] = {}
    try:
        size = entry["size"]
        with open(folder / name, "rb") as fh:
            if os.fstat(fh.fileno()).st_size != size:
                return None
            first = fh.readline()
            numbers = [int(n) for n in entry["regions"].get(region, "").split()]
            runs = [numbers[i:i + 3] for i in range(0, len(numbers), 3)]
            if len(numbers) % 3:
                return None
            low = runs[0][0] - 1 if runs else 0  # one read from the first run to the last (few runs, or a small file)
            fh.seek(low)
            data = fh.read(runs[-1][1] - low) if runs else b""
            if not _plain_lines(data):
                return None
            for start, stop, number in runs:
                chunk = data[start - 1 - low:stop - low]  # with the newline before the run
                if (start - 1 < low or len(chunk) != stop - start + 1 or chunk[:1] != b"\n"
                        or (stop != size and chunk[-1:] != b"\n")):
                    return None
                if not _run_rows(name, region, chunk[1:-1 if chunk.endswith(b"\n") else None].decode("utf-8"),
                                 number, rows):
                    return None
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return next(csv.reader([first.decode("utf-8").rstrip("\n")])), rows


@lru_cache(maxsize=None)
def _sorted_blocks(name: str) -> tuple[list[tuple[str, str]], list[list[Any]], int] | None:
    """A sorted file's index entries (:func:`_sorted_row`): their (item, region), the entries, the file's size;
    None when the file has none or is not of the indexed size."""
    entry = _region_runs().get(name)
    folder = _prices_folder()
    if not isinstance(entry, dict) or not isinstance(entry.get("sorted"), list) or not isinstance(folder, Path):
        return None
    try:
        if (folder / name).stat().st_size != entry["size"]:
            return None
        blocks = entry["sorted"]
        keys = [(str(block[2]), str(block[3])) for block in blocks]
    except (OSError, KeyError, IndexError, TypeError):
        return None
    return keys, blocks, entry["size"]


def _sorted_row(name: str, key: tuple[str, str, str]) -> tuple[bool, tuple[int, str] | None]:
    """``(True, (line index, line))`` of the last line of a sorted file (lines in (item, region) order, no
    quote: the Azure VM size lists) whose first three fields are ``key``, ``(True, None)`` when there is none:
    the row :func:`_region_index` gives that key, found in the lines between the index's entries around it.
    ``(False, None)``: no such index, or the lines read are not what it says (the caller reads the file)."""
    found = _sorted_blocks(name)
    if found is None or any(c in part for part in key for c in ',"\n\r'):
        return False, None
    keys, blocks, size = found
    target = (key[2], key[1])
    first = max(bisect.bisect_left(keys, target) - 1, 0)
    last = max(bisect.bisect_right(keys, target), first + 1)  # one block at least, its first line checked
    try:
        start, number = int(blocks[first][0]), int(blocks[first][1])
        stop = int(blocks[last][0]) if last < len(blocks) else size
        with open(_prices_folder() / name, "rb") as fh:
            fh.seek(start - 1)
            data = fh.read(stop - start + 1)  # with the newline before the first line
        text = data.decode("utf-8")
    except (OSError, ValueError, TypeError, IndexError):
        return False, None
    if (len(data) != stop - start + 1 or (stop != size and not text.endswith("\n")) or '"' in text
            or not _plain_lines(data)):
        return False, None
    for block in range(first, last):  # each entry's line starts where it says and holds its item and region
        at = int(blocks[block][0]) - start + 1
        fields = text[at:text.find("\n", at) % (len(text) + 1)].split(",", 3)
        if text[at - 1:at] != "\n" or len(fields) < 3 or (fields[2], fields[1]) != keys[block]:
            return False, None
    needle = "\n" + ",".join(key)
    end = len(text)
    while True:
        at = text.rfind(needle, 0, end)
        if at == -1:
            return True, None
        after = at + len(needle)
        if text[after:after + 1] in (",", "\n", ""):  # the third field ends there (else a longer one)
            stop_at = text.find("\n", after)
            return True, (number + text.count("\n", 0, at), text[at + 1:len(text) if stop_at == -1 else stop_at])
        end = after - 1


def _price_at(name: str, where: tuple[int, str]) -> Price:
    """The price of one line of a shipped file read whole."""
    return _price_of(name, where[0], where[1], _lines(name)[1][where[0]])


def _price_of(name: str, index: int, deployment: str, text: str, header: list[str] | None = None) -> Price:
    """The price of line ``index`` (``text``) of a shipped file, with its citation (file:line and the file's
    provenance); ``header``: the file's, when already known (else read from the file)."""
    line = index + 1
    row = next(csv.reader([text]))
    if name in ("aws_ec2.csv", "azure_vm.csv", "gcp_compute.csv"):
        return Price(Decimal(row[2]), "hour", f"{name}:{line} ({_provenance(name)})")
    if name == "aws_rds.csv":
        column = 3 if deployment == "single-az" else 4
        return Price(Decimal(row[column]), "hour",
                     f"{name}:{line} {(header or _header(name))[column]} ({_provenance(name)})")
    if name == "aws_storage_misc.csv":
        region, item, unit, usd, source = row
        return Price(Decimal(usd), unit, f"{name}:{line} {source}")
    cloud, region, item, unit, usd, source, dated = row
    return Price(Decimal(usd), unit, f"{name}:{line} {source} (dated {dated})")


# --------------------------------------------------------------------------- a region's rows, kept in the cache

# Finding a region's rows costs a pre-commit run ~20 ms (reading 4 MB of aws_pricewatcher.csv, ~5 ms a region
# of it); with the parse cache on, each (file, region)'s rows are kept there, with their line numbers, and read
# back (~0.1-0.5 ms). Keyed as every evaluation cache entry is by iacgov's code digest (every shipped .csv by
# name, size and modification time), and by the file's own size and modification time (a test moves the folder).
_ROWS_FORMAT = "region-rows 1"
_ROW_STORE: list[Any] = []  # the ParseCache the rows are kept in (keep_region_rows), none or one


def keep_region_rows(cache_dir: Path | None) -> None:
    """Keep (and read) each shipped file's rows of a region in the private cache ``cache_dir`` (vetted as the
    parse cache is: outside the scanned tree, private; size-bounded with it); None: compute them every run.
    Called by every scan: what it reads is read afresh from the cache (a damaged entry is written again, as
    every entry is, though an earlier scan of the same process read it)."""
    current = _ROW_STORE[0] if _ROW_STORE else None
    _ROW_STORE.clear()
    if cache_dir is not None and current is not None and current.directory == Path(cache_dir):
        _ROW_STORE.append(current)
    elif cache_dir is not None:
        from iacgov.cache import ParseCache
        from iacgov.evalcache import code_digest

        _ROW_STORE.append(ParseCache(Path(cache_dir), "price-region-rows", (code_digest(),), ()))
    _rows_key.cache_clear()
    _region_rows.cache_clear()
    _lookup.cache_clear()



@lru_cache(maxsize=None)
def _rows_key(name: str) -> bytes | None:
    """What besides the namespace keys a file's kept rows: its name, size and modification time (None: not a
    file on disk, never kept)."""
    folder = _prices_folder()
    if not isinstance(folder, Path):  # pragma: no cover - a zipped install
        return None
    try:
        st = (folder / name).stat()
    except OSError:
        return None
    return f"{_ROWS_FORMAT}\0{name}\0{st.st_size}\0{st.st_mtime_ns}".encode()


def _well_formed(value: Any) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list)
            and isinstance(value[1], dict))


@lru_cache(maxsize=None)
def _region_rows(name: str, region: str) -> RegionRows | None:
    """The header of a shipped file (:func:`_raw`) and ``(cloud, region, sku) -> (line index, column, line)`` of
    one region (:func:`_by_region`), from the kept rows when there (:func:`keep_region_rows`), else found
    (:func:`_region_index`) and kept. None when no cache is kept or the file is read whole."""
    if not _ROW_STORE:
        return None
    file_key = _rows_key(name)
    if file_key is None:
        return None
    store = _ROW_STORE[0]
    key, value = store.get(file_key + b"\0" + region.encode("utf-8"))
    if _well_formed(value):
        return value
    value = _indexed_rows(name, region)
    if value is None:
        if _raw(name) is None:
            return None
        rows = {found: (_line_index(name, offset), column, line.decode("utf-8"))
                for found, (offset, column, line) in _region_index(name, region).items()}
        value = (_header(name), rows)
    store.put(key, value)
    return value


def _quote_free(name: str) -> bool:
    """Whether a shipped file (:func:`_raw`) of one cited price per row holds no quote: every line's key columns
    are then its first three comma-separated fields as bytes, as :func:`_region_index` splits them."""
    data = _raw(name)
    return data is not None and name not in _KEY_COLUMNS and b'"' not in data


# A region's rows of a quote-free row file are indexed (:func:`_region_index`) at the lookup after this many were
# searched one by one (:func:`_row_of`): a search reads the file once (~0.7 ms for 3 MB), indexing a region's rows
# of it ~7 ms; a run prices a few SKUs of a region there (two Azure VM sizes), an estate many.
_SEARCHES_BEFORE_INDEX = 8
_SEARCHES: dict[tuple[str, str], int] = {}  # (file, region) -> lookups searched one by one so far


def _row_of(name: str, key: tuple[str, str, str]) -> tuple[int, bytes] | None:
    """``(offset, line)`` of the last line of a quote-free row file (:func:`_quote_free`) whose first three
    fields are ``key`` — the row :func:`_region_index` gives that key — found by searching the line's start
    (``\\n`` then the key's fields) from the file's end; None when no line has them. The key's fields hold no
    comma, quote or line end (else they could not be a line's fields as they are: the caller indexes)."""
    data = _raw(name)
    assert data is not None
    needle = ("\n" + ",".join(key)).encode("utf-8")
    end = len(data)
    while True:
        at = data.rfind(needle, 0, end)
        if at == -1:
            return None
        after = at + len(needle)
        if data[after:after + 1] in (b",", b"\n", b""):  # the third field ends there (else a longer one)
            stop = data.find(b"\n", after)
            return at + 1, data[at + 1:len(data) if stop == -1 else stop]
        end = after - 1


def _searchable(name: str, key: tuple[str, str, str]) -> bool:
    """Whether :func:`_row_of` finds ``key``'s row as :func:`_region_index` does, and is still the cheaper way."""
    if not _quote_free(name) or any(c in part for part in (key[0], key[2]) for c in ',"\n\r'):
        return False
    return _search_counted(name, key[1])


def _search_counted(name: str, region: str) -> bool:
    """Whether a region's rows of a file are still searched one look-up at a time (then counted), not indexed:
    :func:`_row_of` reads the file once, a sorted file's search (:func:`_sorted_row`) its blocks each time."""
    searched = _SEARCHES.get((name, region), 0)
    if searched >= _SEARCHES_BEFORE_INDEX:
        return False
    _SEARCHES[name, region] = searched + 1
    return True


@lru_cache(maxsize=4096)
def _lookup(name: str, key: tuple[str, str, str]) -> Price | None:
    found_rows = None
    if _by_region(key[1]):  # the rows kept in the cache, else those the region index locates
        found_rows = (_region_rows(name, key[1]) if _ROW_STORE else None) or _indexed_rows(name, key[1])
    if found_rows is not None:
        header, rows = found_rows
        row = rows.get(key)
        return None if row is None else _price_of(name, row[0], row[1], row[2], header)
    if _by_region(key[1]) and _sorted_blocks(name) is not None and _search_counted(name, key[1]):
        searched, line_of = _sorted_row(name, key)
        if searched:
            return None if line_of is None else _price_of(name, line_of[0], "", line_of[1])
    if _raw(name) is None or not _by_region(key[1]):
        whole = _index(name).get(key)
        return _price_at(name, whole) if whole is not None else None
    if _searchable(name, key):
        line_of = _row_of(name, key)
        if line_of is None:
            return None
        return _price_of(name, _line_index(name, line_of[0]), "", line_of[1].decode("utf-8"))
    found = _region_index(name, key[1]).get(key)
    if found is None:
        return None
    offset, deployment, line = found
    return _price_of(name, _line_index(name, offset), deployment, line.decode("utf-8"))


def _table(name: str) -> Mapping[tuple[str, str, str], Price]:
    """One shipped file whole as ``(cloud, region, sku) -> Price`` (``iacgov catalog``, tests)."""
    return {key: _price_at(name, where) for key, where in _index(name).items()}


ROW_HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]
# The tables in a shape of their own, by (cloud, item prefix); every other shipped file has ROW_HEADER.
_SHAPED = {("aws", "ec2"): ("aws_ec2.csv", "aws_ec2_pricewatcher.csv"),  # the second: types the first lacks
           ("aws", "rds"): ("aws_rds.csv",),
           ("azure", "vm"): ("azure_vm.csv", "azure_vm_retail.csv"),  # the second: every other size
           ("azure", "vm_windows"): ("azure_infracost.csv", "azure_vm_windows.csv"),
           ("gcp", "compute"): ("gcp_compute.csv", "gcp_regions.csv")}  # the second: regions the first lacks
_SHAPED_FILES = {"aws_ec2.csv", "aws_rds.csv", "azure_vm.csv", "gcp_compute.csv", "aws_storage_misc.csv",
                 "azure_vm_retail.csv", "azure_vm_windows.csv",
                 "aws_ec2_pricewatcher.csv"}  # read only for their SKUs, though in the row format


@lru_cache(maxsize=None)
def _row_files() -> tuple[str, ...]:
    """The shipped files of one cited price per row, in the manifest's order (the first row found wins)."""
    return tuple(name for name in manifest()["files"] if name not in _SHAPED_FILES)  # type: ignore[union-attr]


@lru_cache(maxsize=None)
def _row_files_of(cloud: str) -> tuple[str, ...]:
    """The row files whose manifest entry names ``cloud``: an Azure look-up never reads the AWS tables."""
    files = manifest()["files"]  # type: ignore[index]
    return tuple(name for name in _row_files()
                 if cloud in [c.strip() for c in str(files[name].get("cloud", cloud)).split(",")])  # type: ignore[index]


def _files_for(cloud: str, sku: str) -> tuple[str, ...]:
    prefix = sku.split(":", 1)[0] if ":" in sku else ""
    shaped = _SHAPED.get((cloud, prefix))
    if shaped:
        return shaped
    return (("aws_storage_misc.csv",) if cloud == "aws" else ()) + _row_files_of(cloud)


def shipped_price(cloud: str, region: str, sku: str) -> Price | None:
    key = (cloud, canonical_region(cloud, region), sku.lower() if cloud == "azure" else sku)
    for name in _files_for(cloud, sku):
        price = _lookup(name, key)
        if price is not None:
            return price
    return None


def shipped_rows() -> Iterable[tuple[str, str, str, Price]]:
    """Every shipped price as ``(cloud, region, sku, price)``, file by file (``iacgov catalog``)."""
    for name in sorted(manifest()["files"]):  # type: ignore[arg-type]
        for (cloud, region, sku), price in _table(name).items():
            yield cloud, region, sku, price


# --------------------------------------------------------------------------- rate card


@dataclass(frozen=True)
class RateCard:
    path: str  # as shown in sources
    prices: Mapping[tuple[str, str, str], Price]  # (cloud, region or "*", sku lower-cased)

    def get(self, cloud: str, region: str, sku: str) -> Price | None:
        sku = sku.lower()
        return self.prices.get((cloud, region, sku)) or self.prices.get((cloud, "*", sku))


RATE_CARD_COLUMNS = ("cloud", "region", "sku", "unit", "price", "currency")


def load_rate_card(path: Path, display: str | None = None) -> RateCard:
    """Read a company rate card: CSV with columns cloud, region, sku (or item),
    unit, price, currency. Every error is a :class:`CostConfigError` naming the
    file and line."""
    shown = display or str(path)
    try:
        text = read_bounded(path, Limits()).decode("utf-8-sig")  # a policy in the scanned tree names it
    except LimitExceeded as exc:
        raise CostConfigError(f"{shown}: rate card {exc.reason}") from None
    except FileNotFoundError:
        raise CostConfigError(f"{shown}: rate card not found") from None
    except UnicodeDecodeError as exc:
        raise CostConfigError(f"{shown}: rate card is not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise CostConfigError(f"{shown}: cannot read rate card ({exc.strerror or exc})") from None
    return parse_rate_card(text, shown)


def parse_rate_card(text: str, shown: str) -> RateCard:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CostConfigError(f"{shown}:1: rate card is empty (expected the header {','.join(RATE_CARD_COLUMNS)})") from None
    header = ["sku" if h == "item" else h for h in header]
    missing = [c for c in RATE_CARD_COLUMNS if c not in header]
    if missing:
        raise CostConfigError(f"{shown}:1: rate card header lacks {', '.join(missing)} "
                           f"(expected {','.join(RATE_CARD_COLUMNS)}; 'item' may replace 'sku')")
    index = {c: header.index(c) for c in RATE_CARD_COLUMNS}
    prices: dict[tuple[str, str, str], Price] = {}
    for line, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) < len(header):
            raise CostConfigError(f"{shown}:{line}: expected {len(header)} columns, got {len(row)}")
        cell = {c: row[i].strip() for c, i in index.items()}
        cloud = cell["cloud"].lower()
        if not cloud or not cell["region"] or not cell["sku"]:
            raise CostConfigError(f"{shown}:{line}: cloud, region and sku must not be empty")
        if cell["currency"].upper() != CURRENCY:
            raise CostConfigError(f"{shown}:{line}: currency {cell['currency'] or '(empty)'!r} is not the catalog "
                               f"currency {CURRENCY}; iacgov does not convert currencies")
        unit = canonical_unit(cell["unit"])
        if unit is None:
            raise CostConfigError(f"{shown}:{line}: unknown unit {cell['unit']!r} "
                               f"(one of: {', '.join(sorted(set(UNIT_ALIASES.values())))})")
        try:
            usd = Decimal(cell["price"])
        except InvalidOperation:
            raise CostConfigError(f"{shown}:{line}: price {cell['price']!r} is not a number") from None
        if not usd.is_finite() or usd < 0:
            raise CostConfigError(f"{shown}:{line}: price {cell['price']!r} must be zero or more")
        region = "*" if cell["region"] == "*" else canonical_region(cloud, cell["region"])
        key = (cloud, region, cell["sku"].lower())
        if key in prices:
            raise CostConfigError(f"{shown}:{line}: {cell['sku']} in {cell['region']} is already priced on line "
                               f"{prices[key].source.rsplit(':', 1)[-1]}")
        prices[key] = Price(usd, unit, f"rate card {shown}:{line}", origin="rate card")
    return RateCard(shown, prices)


# --------------------------------------------------------------------------- the catalog


class Catalog:
    """Prices for the estimator: the rate card first, then the shipped list."""

    currency = CURRENCY

    def __init__(self, rate_card: RateCard | None = None) -> None:
        self.rate_card = rate_card

    def price(self, cloud: str, region: str, sku: str) -> Price | None:
        if self.rate_card is not None:
            found = self.rate_card.get(cloud, canonical_region(cloud, region), sku)
            if found is not None:
                return found
        return shipped_price(cloud, region, sku)

    def describe(self) -> dict[str, object]:
        """What the figures come from, for reports."""
        files = manifest()["files"]  # type: ignore[index]
        out: dict[str, object] = {
            "currency": self.currency,
            "hours_per_month": int(HOURS_PER_MONTH),
            "files": {name: {k: entry[k] for k in ("origin", "prices_dated", "licence")}  # type: ignore[index]
                      for name, entry in sorted(files.items())},  # type: ignore[union-attr]
        }
        if self.rate_card is not None:
            out["rate_card"] = self.rate_card.path
        return out


def known_skus(cloud: str, prefix: str) -> Iterable[str]:
    """SKUs of the shipped catalog with ``prefix`` (for messages and tests)."""
    for name in _files_for(cloud, prefix):
        for (c, _region, sku) in _index(name):
            if c == cloud and sku.startswith(prefix):
                yield sku
