"""The README's review comment is real output of scripts/render_review_example.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_readme_example_is_current():
    spec = importlib.util.spec_from_file_location("render_review_example", REPO / "scripts" / "render_review_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    comment = module.render()
    assert comment.startswith("<!-- iacgov-review -->\n")
    for expected in ("| **CTO** | 5 | `alice` | ⏳ waiting |", "✅ `bob`", "**+$942.54** ⚠️",
                     "LOC is locked against suppression"):
        assert expected in comment
    assert module.main(["--check"]) == 0, "run: python scripts/render_review_example.py --update"
