"""The rule docstring reader's shortcuts (iacgov.api.cleandoc, the section heading pattern) give what
inspect.cleandoc and the plain ``^##`` pattern give, on the rule pack's docstrings and on generated text."""

from __future__ import annotations

import inspect
import random
import re
from pathlib import Path

from iacgov.api import _SECTION, cleandoc, docstring_sections

PLAIN_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
PIECES = ["#", "##", "## ", " ", "\n", "\n\n", "\t", "a", "b c", "\r", "\x0b", "\xa0", "\u2003"]


def _texts() -> list[str]:
    rnd = random.Random(22)
    made = ["", " ", "\n", "a", "  a\n b", "  a\nb\n\n", "\n\n  x\n\ty\n\n  \n", "\r\nx\r\n  y", "a\n\x0bb",
            "t\n##\n## A\n##B\n ## C\n###D\n## E  \ntext\n## F\n\n", "##  x\n## y"]
    made += ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 16))) for _ in range(5000)]
    return made + [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parents[1] / "rules").glob("*.py"))]


def test_cleandoc_is_inspects():
    for text in _texts():
        assert cleandoc(text) == inspect.cleandoc(text), repr(text)


def test_the_section_headings_are_the_plain_patterns():
    for text in _texts():
        assert _SECTION.split(text) == PLAIN_SECTION.split(text), repr(text)


def test_a_rule_docstring_splits_into_its_sections():
    title, sections = docstring_sections("CODE — summary.\n\n## What it flags\n\nX.\n\n##  Options  \n\n- a\n")
    assert title == "CODE — summary." and sections == {"What it flags": "X.", "Options": "- a"}
