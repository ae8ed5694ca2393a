"""The platform catalog: what iacgov knows about each resource kind, as data.

The sources are YAML files, one per cloud and service
(``catalog/aws/s3.yaml``...) plus ``catalog/clouds.yaml``, each validated by
``catalog.schema.json``. They are compiled once, by
``scripts/generate_platform_docs.py``, into ``catalog.json`` beside this
module (a test fails when it is not the compilation of the sources), so a run
reads one JSON file: no YAML parser, no JSON Schema work at start-up (the
pre-commit path imports neither).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "catalog"
SCHEMA = HERE / "catalog.schema.json"
COMPILED = HERE / "catalog.json"
CATEGORIES = ("compute", "storage", "database", "network", "security", "managed services", "other")


class CatalogError(ValueError):
    """A catalog source that is not valid: the message names the file, the entry and why."""


# --------------------------------------------------------------------------- compiling the sources


def source_files() -> list[Path]:
    return sorted(SOURCES.rglob("*.yaml"))


def load_sources(directory: Path = SOURCES) -> dict[str, Any]:
    """Every source file, validated and compiled into the catalog's plain data."""
    import jsonschema
    import yaml

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    clouds_schema = {**schema, "$ref": "#/$defs/clouds_file"}
    for key in ("required", "properties", "additionalProperties", "type"):
        clouds_schema.pop(key, None)
    validator = jsonschema.Draft202012Validator(schema)
    clouds_validator = jsonschema.Draft202012Validator(clouds_schema)
    clouds: dict[str, Any] = {}
    services: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(directory.rglob("*.yaml")):
        rel = path.relative_to(directory).as_posix()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            raise CatalogError(f"{rel}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
        checker = clouds_validator if rel == "clouds.yaml" else validator
        errors = sorted(checker.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
            raise CatalogError(f"{rel}: {where}: {errors[0].message}")
        if rel == "clouds.yaml":
            clouds = data["clouds"]
            continue
        if rel != f"{data['cloud']}/{data['service']}.yaml":
            raise CatalogError(f"{rel}: a file is named after its cloud and service ({data['cloud']}/{data['service']}.yaml)")
        services.append((rel, data))
    return compile_catalog(clouds, services)


def compile_catalog(clouds: Mapping[str, Any], services: list[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """The compiled form: kinds with their cloud, service and location scope;
    CloudFormation types -> kinds; the services' tables."""
    kinds: dict[str, Any] = {}
    types: dict[str, str] = {}
    tables: dict[str, Any] = {}
    seen_in: dict[str, str] = {}
    for rel, data in services:
        for name, table in (data.get("tables") or {}).items():
            tables[f"{data['service']}.{name}"] = table
        for kind, entry in data["kinds"].items():
            if kind in seen_in:
                raise CatalogError(f"{rel}: {kind} is also in {seen_in[kind]}")
            seen_in[kind] = rel
            compiled = {"kind": kind, "cloud": data["cloud"], "service": data["service"], **entry}
            if "location" not in entry and not entry.get("data_source"):
                compiled["location"] = _scope(kind, clouds.get(data["cloud"], {}))
            kinds[kind] = compiled
            for cfn in entry.get("cloudformation", ()):
                if cfn in types:
                    raise CatalogError(f"{rel}: {cfn} is the CloudFormation type of {types[cfn]} and {kind}")
                types[cfn] = kind
    for kind, entry in kinds.items():
        if entry.get("cloudformation_only") and kind in types:
            raise CatalogError(f"{seen_in[kind]}: {kind} is also the CloudFormation type of {types[kind]}")
    return {"clouds": dict(clouds), "kinds": dict(sorted(kinds.items())), "types": dict(sorted(types.items())),
            "tables": dict(sorted(tables.items()))}


def _scope(kind: str, cloud: Mapping[str, Any]) -> str:
    patterns = cloud.get("global_cloudformation" if "::" in kind else "global_terraform", ())
    return "global" if any(re.match(p, kind) for p in patterns) else "regional"


def compiled_text(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- the compiled catalog


@dataclass(frozen=True)
class Catalog:
    clouds: Mapping[str, Any]
    kinds: Mapping[str, Mapping[str, Any]]
    types: Mapping[str, str]  # CloudFormation type -> kind
    tables: Mapping[str, Mapping[str, Any]]

    def entry(self, kind: str) -> Mapping[str, Any] | None:
        return self.kinds.get(kind)

    def with_fact(self, fact: str) -> tuple[str, ...]:
        """The kinds whose entry states ``fact`` (``holds_data``, ``encryption``...)."""
        return tuple(k for k, e in self.kinds.items() if fact in e)


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The compiled catalog, read once per process."""
    data = json.loads(COMPILED.read_text(encoding="utf-8"))
    return Catalog(data["clouds"], data["kinds"], data["types"], data["tables"])
