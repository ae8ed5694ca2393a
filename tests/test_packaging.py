"""Packaging: every package folder is listed in pyproject.toml (they are listed, not found)."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from conftest import REPO


def test_every_package_is_listed():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for base, prefix in ((REPO / "src", ""), (REPO / "rules", "iacgov_rules")):
        for init in base.rglob("__init__.py"):
            parts = init.parent.relative_to(base).parts
            found.add(".".join(((prefix,) if prefix else ()) + parts) if parts or prefix else "")
    found.discard("")
    assert found == listed, f"pyproject.toml packages differ: missing {found - listed}, extra {listed - found}"
