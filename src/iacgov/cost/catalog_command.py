"""``iacgov catalog`` — what the shipped price catalog prices, per cloud and region, and from where.

Text (default) or JSON. ``--cloud`` / ``--region`` narrow the listing; ``--items`` lists every price of
the selection with its unit and source; ``--free`` lists the kinds known to cost nothing by themselves,
with the citation of each. Reads only the shipped files (no network, no scanned tree). Exit code 0;
2 for an unknown cloud.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import click

CLOUDS = ("aws", "azure", "gcp", "alicloud", "oci")  # the last two: a few kinds (cost/kinds_other.py)


def _source_file(source: str) -> str:
    return source.split(":", 1)[0]


def summary(cloud: str | None = None, region: str | None = None) -> dict[str, object]:
    """Per cloud and region: how many prices, from which files; the files' origin, date and licence."""
    from iacgov.cost.catalog import canonical_region, manifest, shipped_rows

    wanted = canonical_region(cloud, region) if cloud and region else region.lower() if region else None
    regions: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for c, r, _sku, price in shipped_rows():
        if (cloud is None or c == cloud) and (wanted is None or r == wanted):
            regions[c][r][_source_file(price.source)] += 1
    files: Mapping[str, Mapping[str, object]] = manifest()["files"]  # type: ignore[assignment]
    used = {name for per_region in regions.values() for counts in per_region.values() for name in counts}
    return {
        "currency": manifest()["currency"],
        "files": {name: {k: files[name][k] for k in ("cloud", "origin", "prices_dated", "licence", "rows")}
                  for name in sorted(used)},
        "clouds": {c: {r: {"prices": sum(counts.values()), "files": dict(sorted(counts.items()))}
                       for r, counts in sorted(per_region.items())}
                   for c, per_region in sorted(regions.items())},
    }


def items(cloud: str | None, region: str | None) -> list[dict[str, str]]:
    from iacgov.cost.catalog import canonical_region, shipped_rows

    wanted = canonical_region(cloud, region) if cloud and region else region.lower() if region else None
    return [{"cloud": c, "region": r, "sku": sku, "unit": p.unit, "usd": str(p.usd), "source": p.source}
            for c, r, sku, p in sorted(shipped_rows(), key=lambda row: row[:3])
            if (cloud is None or c == cloud) and (wanted is None or r == wanted)]


def free_kinds(cloud: str | None) -> list[dict[str, str]]:
    """The kinds known to be free: the platform catalog's ``free`` kinds and infracost's list, with citations."""
    import csv
    import io
    from importlib import resources

    from iacgov import platform
    from iacgov.cost.cloud_pricers import free_source

    text = resources.files("iacgov").joinpath("data", "prices", "free_kinds.csv").read_text(encoding="utf-8")
    kinds = {row["kind"]: row["cloud"] for row in csv.DictReader(io.StringIO(text))}
    kinds.update({k: platform.entry(k)["cloud"] for k in platform.kinds_with("free")})  # type: ignore[index]
    return [{"kind": k, "cloud": c, "source": free_source(k) or ""} for k, c in sorted(kinds.items())
            if cloud is None or c == cloud]


def render_text(data: Mapping[str, object], rows: Iterable[Mapping[str, str]] | None,
                free: Iterable[Mapping[str, str]] | None) -> str:
    out = [f"Price catalog — list prices in {data['currency']}, without tax or discount", ""]
    for cloud, per_region in data["clouds"].items():  # type: ignore[union-attr]
        total = sum(v["prices"] for v in per_region.values())
        out.append(f"{cloud}: {total:,} prices in {len(per_region)} regions")
        for region, entry in per_region.items():
            files = ", ".join(f"{name} {n}" for name, n in entry["files"].items())
            out.append(f"  {region:<26} {entry['prices']:>5}  ({files})")
    out += ["", "Sources:"]
    for name, entry in data["files"].items():  # type: ignore[union-attr]
        out.append(f"  {name}: {entry['origin']}; prices of {entry['prices_dated']}; {entry['licence']}")
    for row in rows or ():
        out.append(f"{row['cloud']} {row['region']} {row['sku']}: {row['usd']} per {row['unit']} — {row['source']}")
    free = list(free or ())
    if free:
        out += ["", f"Free kinds ({len(free)}): cost nothing by themselves"]
        out += [f"  {row['kind']} — {row['source']}" for row in free]
    return "\n".join(out) + "\n"


@click.command("catalog")
@click.option("--cloud", type=click.Choice(CLOUDS), help="Only this cloud.")
@click.option("--region", help="Only this region (as the cloud writes it: eu-west-3, France Central, europe-west9).")
@click.option("--items", "with_items", is_flag=True, help="List every price of the selection with its source.")
@click.option("--free", "with_free", is_flag=True, help="List the kinds known to be free, with their citation.")
@click.option("--format", "-f", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def catalog(cloud: str | None, region: str | None, with_items: bool, with_free: bool, fmt: str) -> None:
    """What the shipped price catalog prices, per cloud and region, and from where."""
    data = summary(cloud, region)
    rows = items(cloud, region) if with_items else None
    free = free_kinds(cloud) if with_free else None
    if fmt == "json":
        payload = {"version": 1, **data}
        if rows is not None:
            payload["items"] = rows
        if free is not None:
            payload["free_kinds"] = free
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(render_text(data, rows, free), nl=False)
