"""Compile the platform catalog and write its page.

    python scripts/generate_platform_docs.py          # writes src/iacgov/platform/catalog.json and docs/platform.md
    python scripts/generate_platform_docs.py --check  # exit 1 if either is not up to date

The catalog's sources are the YAML files of src/iacgov/platform/catalog/
(validated by catalog.schema.json); catalog.json is what a run reads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "platform.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the generated files are not up to date")
    args = parser.parse_args(argv)
    from iacgov.platform import loader
    from iacgov.commands.kinds import markdown_page

    try:
        compiled = loader.compiled_text(loader.load_sources())
    except loader.CatalogError as exc:
        print(f"catalog: {exc}", file=sys.stderr)
        return 2
    stale = []
    if not loader.COMPILED.exists() or loader.COMPILED.read_text(encoding="utf-8") != compiled:
        stale.append(loader.COMPILED)
        if not args.check:
            loader.COMPILED.write_text(compiled, encoding="utf-8")
            loader.catalog.cache_clear()
    page = markdown_page()
    if not DOC.exists() or DOC.read_text(encoding="utf-8") != page:
        stale.append(DOC)
        if not args.check:
            DOC.write_text(page, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(REPO)}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
