"""``iacgov kinds``: every resource kind the platform catalog knows, and what iacgov checks on it.

What a kind is checked for comes from two declarations, never from a table
of rule codes here: each rule says which catalog facts it reads (its
``reads`` attribute, e.g. ENC001 ``("encryption",)``), and the catalog says
which facts each kind has. A kind is checked by a rule when it has a fact the
rule reads. Review and the cost estimate are the core's own readers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click

# The facts an entry may state, in the order they are shown, with what each means.
FACTS: dict[str, str] = {
    "holds_data": "destroying it destroys data",
    "location": "global, regional or inherited (its parent's location)",
    "global_location_checked": "a written location global puts its data in any region (checked)",
    "data_regions": "the regions its data is restricted to",
    "encryption": "encryption at rest: switch, platform default (cited), key",
    "customer_key": "a key the company manages",
    "resource_policy": "resource policy (key, bucket or vault)",
    "min_tls": "minimum TLS version setting",
    "transit": "encryption in transit: the setting accepting plaintext, TLS default (cited)",
    "edge_bound": "a CloudFront edge configuration bound to us-east-1, holding no customer data",
    "database": "backup, deletion protection, redundancy",
    "per_replica_types": "continuity settings written per replica",
    "taggable": "takes tags",
    "tags": "tags written in another attribute",
    "copy_of": "is a copy of another resource's data",
    "copies_to": "copies its data to another region",
    "forces_replacement": "attributes whose change replaces it",
    "storage_class": "storage class or tier settings",
    "protective": "deleting it switches a protection off",
    "cost": "priced by the cost estimate",
    "free": "costs nothing by itself",
}
# The core's own readers of the catalog (not rules).
CORE_READERS: dict[str, tuple[str, ...]] = {
    "holds_data": ("review",), "encryption": ("review",), "database": ("review",), "resource_policy": ("review",),
    "min_tls": ("review",), "forces_replacement": ("review",), "storage_class": ("review",),
    "protective": ("review",), "cost": ("cost",), "free": ("cost",), "location": ("scan",), "tags": ("scan",),
}


def readers(rules: Iterable[Any]) -> dict[str, list[str]]:
    """Catalog fact -> the codes of the rules that read it (from each rule's ``reads``)."""
    out: dict[str, list[str]] = {}
    for rule in rules:
        for fact in getattr(rule, "reads", ()) or ():
            out.setdefault(fact, []).append(rule.meta.code)
    return {fact: sorted(codes) for fact, codes in out.items()}


def describe(entry: Mapping[str, Any], by_fact: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """One kind as ``iacgov kinds --format json`` shows it."""
    facts = {}
    for fact in FACTS:
        if fact not in entry:
            continue
        value = entry[fact]
        # a global kind has no region for the location rules to check (unless global is checked as a
        # location); an inherited one is checked on its parent
        unchecked = value == "inherited" or (value == "global" and not entry.get("global_location_checked"))
        read_by = [] if fact == "location" and unchecked else [*by_fact.get(fact, ()), *CORE_READERS.get(fact, ())]
        facts[fact] = {"value": value, "read_by": read_by}
    checked_by = sorted({code for f, spec in facts.items() for code in by_fact.get(f, ()) if code in spec["read_by"]})
    return {
        "kind": entry["kind"], "label": entry["label"], "cloud": entry["cloud"], "service": entry["service"],
        "category": entry["category"], "cloudformation": list(entry.get("cloudformation", ())),
        "data_source": bool(entry.get("data_source")), "checked_by": checked_by, "facts": facts,
    }


def listing(rules: Iterable[Any]) -> dict[str, Any]:
    from iacgov.platform import catalog

    by_fact = readers(rules)
    kinds = [describe(e, by_fact) for e in catalog().kinds.values()]
    counts = Counter(k["cloud"] for k in kinds)
    # the kinds that store or carry customer data: destroying them destroys data, or they encrypt it at rest
    data_kinds = Counter(k["cloud"] for k in kinds if "holds_data" in k["facts"] or "encryption" in k["facts"])
    return {"version": 1, "counts": dict(sorted(counts.items())), "total": len(kinds),
            "data_kinds": {cloud: data_kinds.get(cloud, 0) for cloud in sorted(counts)},
            "readers": by_fact, "kinds": kinds}


def text_listing(data: Mapping[str, Any]) -> str:
    from iacgov.platform import cloud_name

    lines: list[str] = []
    for cloud in data["counts"]:
        lines.append(f"{cloud_name(cloud)} ({data['counts'][cloud]} kinds)")
        for k in (k for k in data["kinds"] if k["cloud"] == cloud):
            checked = ", ".join(k["checked_by"]) or "-"
            cfn = f" ({', '.join(k['cloudformation'])})" if k["cloudformation"] else ""
            lines.append(f"  {k['kind']}{cfn}: {k['label']} [{k['service']}, {k['category']}] checked by: {checked}")
    lines.append("storing or carrying data: " + ", ".join(f"{n} {cloud_name(c)}" for c, n in data["data_kinds"].items()))
    lines.append(f"{data['total']} kinds: " + ", ".join(f"{n} {cloud_name(c)}" for c, n in data["counts"].items()))
    return "\n".join(lines) + "\n"


def builtin_rules() -> list[Any]:
    """The built-in pack's rules (the page documents what iacgov itself checks,
    whatever other packs are installed), found through the plugin host."""
    from iacgov.plugins import load_plugins

    # The pack registered as "builtin_rules" (its entry point, as -p no:builtin_rules names it).
    pack = load_plugins().manager.get_plugin("builtin_rules")
    return sorted(pack.iacgov_rules() if pack is not None else [], key=lambda rule: rule.meta.code)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_page(rules: Sequence[Any] | None = None) -> str:
    """docs/platform.md: every kind of the catalog, per cloud and service, and what checks it."""
    from iacgov.platform import cloud_name

    data = listing(builtin_rules() if rules is None else rules)
    out = [
        "# Platform catalog",
        "",
        "<!-- Generated by scripts/generate_platform_docs.py from src/iacgov/platform/catalog/: do not edit. -->",
        "",
        "What iacgov knows about each kind of resource, written once, as data: one YAML file per cloud and service "
        "in `src/iacgov/platform/catalog/`, validated by `catalog.schema.json`. `iacgov kinds` prints the same "
        "list (`--format json` for scripts). Adding a kind: see CONTRIBUTING.md.",
        "",
        f"**{data['total']} kinds**: " + ", ".join(f"{n} {cloud_name(c)}" for c, n in data["counts"].items()) + "; "
        "storing or carrying customer data (they hold data, or encrypt it at rest): "
        + ", ".join(f"{n} {cloud_name(c)}" for c, n in data["data_kinds"].items()) + ".",
        "",
        "## Facts and who reads them",
        "",
        "| fact | meaning | read by |",
        "| --- | --- | --- |",
    ]
    for fact, meaning in FACTS.items():
        who = [*data["readers"].get(fact, ()), *CORE_READERS.get(fact, ())]
        out.append(f"| `{fact}` | {meaning} | {', '.join(who) or '-'} |")
    for cloud in data["counts"]:
        out += ["", f"## {cloud_name(cloud)}", "", "| kind | CloudFormation | label | service | category | facts | checked by |",
                "| --- | --- | --- | --- | --- | --- | --- |"]
        for k in (k for k in data["kinds"] if k["cloud"] == cloud):
            facts = ", ".join(f for f in k["facts"] if f not in ("location",))
            if k["facts"].get("location", {}).get("value") in ("global", "inherited"):
                facts = ", ".join(filter(None, [k["facts"]["location"]["value"], facts]))
            cfn = ", ".join(f"`{t}`" for t in k["cloudformation"])
            out.append(f"| `{k['kind']}` | {cfn} | {_cell(k['label'])} | {k['service']} | {k['category']} | "
                       f"{facts} | {', '.join(k['checked_by']) or '-'} |")
    defaults = [(k["kind"], k["facts"]["encryption"]["value"]) for k in data["kinds"] if "encryption" in k["facts"]]
    out += ["", "## Platform defaults and their sources", "", "| kind | encrypted when not written | source |",
            "| --- | --- | --- |"]
    for kind, enc in defaults:
        default = {True: "yes", False: "no", None: "no switch"}.get(enc.get("default"), str(enc.get("default")))
        out.append(f"| `{kind}` | {default} | <{enc['source']}> |")
    return "\n".join(out) + "\n"


@click.command("kinds")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per kind; json: every kind with its facts and the rules reading them.")
@click.pass_context
def kinds(ctx: click.Context, fmt: str) -> None:
    """List every resource kind the platform catalog knows, and what iacgov checks on it."""
    from iacgov.commands.common import plugin_host
    from iacgov.engine import collect_rules

    data = listing(collect_rules(plugin_host(ctx)))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(text_listing(data), nl=False)
