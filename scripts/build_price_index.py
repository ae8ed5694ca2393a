#!/usr/bin/env python3
"""Build the shipped price files' region index (src/iacgov/data/prices/region_index.json) from the files.

    python scripts/build_price_index.py            # write the index
    python scripts/build_price_index.py --check    # exit 1 when the shipped index differs (CI)

Every price builder in scripts/ runs it after writing its file (:func:`pricefile.write_index`).

For each shipped file of the manifest whose lines end with "\\n" alone and whose rows of a region come in few
runs of consecutive lines, the index gives the file's size and, per region, each run's byte range and the
number (from 0, as ``str.splitlines`` counts) of its first line. An estimate then reads a region's runs only
(``iacgov.cost.catalog``): not the 4 MB of aws_pricewatcher.csv to find 1,200 rows of one region. A line's
region is its key columns' as the catalog reads them (``catalog._line_keys``, the very code). Files whose
regions are interleaved row by row (the Azure VM size lists: one run per row) are left out and searched.
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
# A file is indexed when its runs are at most this many: the index stays small (read whole by every estimate),
# the interleaved files (16,532 and 5,502 runs) are not.
MAX_RUNS = 1000


def file_runs(data: bytes, name: str) -> dict[str, list[list[int]]] | None:
    """``region -> [[start, stop, first line], ...]`` of one file's bytes, or None when it cannot be indexed
    (a line end other than "\\n", or too many runs)."""
    if not catalog._plain_lines(data):
        return None
    regions: dict[str, list[list[int]]] = {}
    previous = None  # the run the previous line extended
    start, number = data.find(b"\n") + 1, 1  # after the header
    if start == 0:
        return {}
    runs = 0
    while start < len(data):
        end = data.find(b"\n", start)
        stop = len(data) if end == -1 else end + 1
        line = data[start:stop].rstrip(b"\n").decode("utf-8")
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
        start, number = stop, number + 1
    return regions if runs <= MAX_RUNS else None


def build(folder: Path = PRICES) -> str:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, object] = {}
    for name in sorted(manifest["files"]):
        data = (folder / name).read_bytes()
        regions = file_runs(data, name)
        if regions is not None:
            files[name] = {"size": len(data), "regions": dict(sorted(regions.items()))}
    index = {"format": catalog.REGION_INDEX_FORMAT, "files": files}
    return json.dumps(index, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str]) -> int:
    from pricefile import write_index

    return write_index("--check" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
