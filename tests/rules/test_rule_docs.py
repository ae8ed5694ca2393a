"""Rule documentation: docstring sections present, generated reference pages in sync."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from iacgov.api import REQUIRED_SECTIONS, docstring_sections
from iacgov.engine import collect_rules
from iacgov.plugins import load_plugins

from conftest import REPO

RULES = collect_rules(load_plugins())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.meta.code)
def test_rule_docstring_has_the_fixed_sections(rule):
    module = importlib.import_module(type(rule).__module__)
    title, sections = docstring_sections(module.__doc__ or "")
    assert title.startswith(f"{rule.meta.code} — "), "the docstring starts with 'CODE — summary.'"
    missing = [s for s in REQUIRED_SECTIONS if not sections.get(s)]
    assert not missing, f"{rule.meta.code} docstring lacks sections: {missing}"
    assert module.__name__.rsplit(".", 1)[-1].startswith(rule.meta.code.lower() + "_"), \
        "one rule = one module named after its code"


def test_generated_rule_pages_are_up_to_date():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "generate_rule_docs.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
