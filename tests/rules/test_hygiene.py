"""The rule pack is a plugin like any other: its modules import nothing from
``iacgov`` but :mod:`iacgov.api` (the rest of the core may change under them),
and the core imports nothing from the pack. Checked on the syntax tree, so an
import inside a function (the COST rules load the cost model lazily) counts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RULES = sorted((REPO / "rules").glob("*.py"))
CORE = sorted((REPO / "src" / "iacgov").rglob("*.py"))


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import in ``source``; ``from iacgov.api import x`` is
    ``iacgov.api``, ``from iacgov import api`` is ``iacgov.api`` too."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "iacgov":
                out.extend((node.lineno, f"iacgov.{alias.name}") for alias in node.names)
            else:
                out.append((node.lineno, node.module))
    return out


def forbidden_in_rule(source: str) -> list[str]:
    """What a rule module imports from the core other than ``iacgov.api``."""
    return [f"line {line}: {module}" for line, module in imported_modules(source)
            if (module == "iacgov" or module.startswith("iacgov.")) and module != "iacgov.api"]


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_rule_modules_import_only_the_api(path):
    assert forbidden_in_rule(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source, expected", [
    ("from iacgov.platform.iam import parse_arn\n", ["line 1: iacgov.platform.iam"]),
    ("def f():\n    from iacgov.cost.estimate import scan_estimate\n", ["line 2: iacgov.cost.estimate"]),
    ("import iacgov.model\n", ["line 1: iacgov.model"]),
    ("from iacgov import kinds\n", ["line 1: iacgov.kinds"]),
    ("from iacgov.api import iam as _iam, Resource\nfrom iacgov_rules._platform import flag\nimport re\n", []),
])
def test_the_check_catches_an_import_of_the_core(source, expected):
    assert forbidden_in_rule(source) == expected


def test_the_core_never_imports_the_rule_pack():
    found = [f"{path.relative_to(REPO)}:{line}" for path in CORE
             for line, module in imported_modules(path.read_text(encoding="utf-8"))
             if module == "iacgov_rules" or module.startswith("iacgov_rules.")]
    assert found == []
