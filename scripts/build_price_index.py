#!/usr/bin/env python3
"""Build the shipped price files' index (src/iacgov/data/prices/region_index.json) from the files.

    python scripts/build_price_index.py            # write the index
    python scripts/build_price_index.py --check    # exit 1 when the shipped index differs (CI)

Every price builder in scripts/ runs it after writing its file (:func:`pricefile.and_index`).

Each shipped file of the manifest whose lines end with "\\n" alone gets, when it fits one, an entry with its size:

- ``regions``, when a region's rows come in few runs of consecutive lines: per region, the runs as one string
  of numbers, three a run (its first byte, the byte after it, the number from 0 of its first line, as
  ``str.splitlines`` counts). An estimate then reads a region's runs only (``iacgov.cost.catalog``): not the
  4 MB of aws_pricewatcher.csv to find 1,200 rows of one region. A line's region is its key columns' as the
  catalog reads them (``catalog._line_keys``, the very code);
- ``sorted``, for a large file (``SORTED_MIN_BYTES``) of one cited price per row, without a quote, whose lines
  are in the order of their (item, region) (the Azure VM size lists, whose regions alternate row by row): every
  ``BLOCK``-th line's first byte, number, item and region. A SKU of a region is then searched in the lines
  between two of those (the first look-ups of a region; then the file is read and indexed by region).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from iacgov.cost import catalog  # noqa: E402  (the line reading the index must agree with)

PRICES = REPO / "src" / "iacgov" / "data" / "prices"
OUT = PRICES / catalog.REGION_INDEX
# A file's regions are indexed when its runs are at most this many a region on average: the index stays small
# (read whole by every estimate); the small files whose regions alternate every few rows are read whole.
RUNS_PER_REGION = 8
BLOCK = catalog.SORTED_BLOCK  # lines between two entries of a sorted file
# A sorted file is indexed from this size: a smaller one is read whole as fast as a block is (and searched there,
# then indexed by region after a few look-ups: a sorted search reads its blocks again at every look-up).
SORTED_MIN_BYTES = 512 * 1024


def _lines(data: bytes):
    """(first byte, number, text) of each line after the header."""
    start, number = data.find(b"\n") + 1, 1
    while 0 < start < len(data):
        end = data.find(b"\n", start)
        stop = len(data) if end == -1 else end + 1
        yield start, stop, number, data[start:stop].rstrip(b"\n").decode("utf-8")
        start, number = stop, number + 1


def file_runs(data: bytes, name: str) -> dict[str, str] | None:
    """``region -> "start stop line ..."`` of one file's bytes, or None when it has other line ends than
    "\\n" or too many runs."""
    if not catalog._plain_lines(data):
        return None
    regions: dict[str, list[list[int]]] = {}
    previous = None  # the region and run the previous line extended
    runs = 0
    for start, stop, number, line in _lines(data):
        region = catalog._line_region(name, line) if line else None
        if region is None:
            previous = None
        elif previous is not None and previous[0] == region:
            previous[1][1] = stop
        else:
            run = [start, stop, number]
            regions.setdefault(region, []).append(run)
            previous = (region, run)
            runs += 1
    if runs > RUNS_PER_REGION * max(len(regions), 1):
        return None
    return {region: " ".join(str(n) for run in found for n in run) for region, found in sorted(regions.items())}


def sorted_blocks(data: bytes, name: str) -> list[list[object]] | None:
    """Every BLOCK-th line's ``[first byte, number, item, region]`` of a quote-free row file whose lines are in
    (item, region) order, or None."""
    if (not catalog._plain_lines(data) or b'"' in data or name in catalog._KEY_COLUMNS
            or data.split(b"\n", 1)[0].decode("utf-8").split(",") != catalog.ROW_HEADER):
        return None
    blocks: list[list[object]] = []
    last: tuple[str, str] | None = None
    for i, (start, _stop, number, line) in enumerate(_lines(data)):
        fields = line.split(",", 3)
        if len(fields) < 3:
            return None
        key = (fields[2], fields[1])
        if last is not None and key < last:
            return None
        if i % BLOCK == 0:
            blocks.append([start, number, *key])
        last = key
    return blocks


def build(folder: Path = PRICES) -> str:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, object] = {}
    for name in sorted(manifest["files"]):
        data = (folder / name).read_bytes()
        regions = file_runs(data, name)
        blocks = sorted_blocks(data, name) if regions is None and len(data) >= SORTED_MIN_BYTES else None
        if regions is not None:
            files[name] = {"size": len(data), "regions": regions}
        elif blocks is not None:
            files[name] = {"size": len(data), "sorted": blocks}
    index = {"format": catalog.REGION_INDEX_FORMAT, "files": files}
    return json.dumps(index, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str]) -> int:
    from pricefile import write_index

    return write_index("--check" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
