"""Write src/iacgov_checkov/catalog.json: every Terraform and CloudFormation
check of the installed checkov, with its name and categories.

checkov's JSON output does not say a check's category, and the bridge must
not import checkov, so the categories (which give iacgov families) are read
here once, from checkov's own registries, and shipped as data. Run it with
the Python of checkov's environment after upgrading the pinned version:

    /path/to/checkov-venv/bin/python scripts/generate_catalog.py
"""

from __future__ import annotations

import json
import sys
from importlib import metadata, resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "iacgov_checkov" / "catalog.json"


def main() -> int:
    from checkov.cloudformation.checks.resource.registry import cfn_registry
    from checkov.terraform.checks.data.registry import data_registry
    from checkov.terraform.checks.module.registry import module_registry
    from checkov.terraform.checks.provider.registry import provider_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    checks: dict[str, dict] = {}
    for registry in (resource_registry, data_registry, provider_registry, module_registry, cfn_registry):
        for entity_checks in registry.checks.values():
            for check in entity_checks:
                checks[check.id] = {"name": check.name, "categories": sorted(c.name for c in check.categories)}
    # Graph checks (CKV2_*) are JSON definitions with metadata {id, name, category}.
    for framework in ("terraform", "cloudformation"):
        folder = resources.files("checkov") / framework / "checks" / "graph_checks"
        for path in sorted(Path(str(folder)).rglob("*.json")):
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
            if meta.get("id"):
                checks[meta["id"]] = {"name": meta.get("name", ""), "categories": [meta.get("category", "GENERAL_SECURITY")]}
    data = {"checkov_version": metadata.version("checkov"), "checks": dict(sorted(checks.items()))}
    lines = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in data["checks"].items()]
    text = '{"checkov_version": %s, "checks": {\n%s\n}}\n' % (json.dumps(data["checkov_version"]), ",\n".join(lines))
    OUT.write_text(text, encoding="utf-8")  # one check a line: upgrades read as diffs
    print(f"wrote {len(checks)} checks of checkov {data['checkov_version']} to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
