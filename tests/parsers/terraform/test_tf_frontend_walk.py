"""The tree-sitter front end's token check skips one-line subtrees: what it must still see.

A subtree is skipped when its bytes hold no newline and nothing that may
start a comment, and it is shallow enough for the depth limit; only the gap
before its first token is checked. Each case compares both front ends
(``assert_same``) and says whether tree-sitter compiles the file itself, so a
skip that hid a comment, a refused newline or a too-deep subtree fails here.
"""

from __future__ import annotations

import pytest

from iacgov.limits import Limits
from tests.parsers.terraform.test_tf_frontends import assert_same, compiled_by_tree_sitter

CASES = {
    # comment-like text inside strings: the subtree is walked, nothing is refused
    'a = "http://example.com/x"\nb = "a#b"\nc = "/*"\n': True,
    # a comment inside one line, where python-hcl2 takes none
    "a = [1, /* c */ 2]\n": True,
    "a = f(1 /* c */, 2)\n": True,
    "a = 1 /* c */ + 2\n": True,
    "a = /* c */ 1\n": False,
    "a = x./* c */y\n": False,
    # newlines before the closing brace or bracket of a block, object, tuple: allowed
    'r "a" {\n  x = 1\n}\n': True,
    "a = {\n  k = 1\n}\nb = [\n  1,\n  2\n]\n": True,
    "a = [\n  1\n  ]\n": True,
    # newlines elsewhere in a multi-line argument
    "a = (1 +\n  2)\n": True,
    "a = (1\n  + 2)\n": True,
    "a = (1\n  - 2)\n": False,
    "a = f(\n  1,\n  2\n)\n": True,
    "a = x\n  .y\n": False,
}


@pytest.mark.parametrize("text", sorted(CASES))
def test_gaps_in_and_around_one_line_subtrees(text, monkeypatch):
    reference = assert_same(text, monkeypatch)
    assert compiled_by_tree_sitter(text) == CASES[text], reference


@pytest.mark.parametrize("shape", ["{}.a.b[0].c", "f({}).a[*].b", "[{}.x, 1]", "{{ k = {}.v }}"])
def test_one_line_depth_around_the_limit_reads_the_same(shape, monkeypatch):
    """Steps count three levels each: a one-line subtree full of them is
    skipped only when its node count bounds its depth under the limit."""
    limits = Limits(max_nesting_depth=15)
    decided = set()
    for depth in range(1, 25):
        expr = "v"
        for _ in range(depth):
            expr = shape.format(expr)
        assert_same(f"a = {expr}\n", monkeypatch, limits)
        decided.add(compiled_by_tree_sitter(f"a = {expr}\n", limits))
    assert decided == {True, False}  # both sides of the limit were reached


def test_odd_text_is_found_as_the_one_expression_finds_it():
    """ASCII text is checked in two parts (the blanks one by one, the number by its literal prefix): the same
    answer as the one expression on texts made of every character either part names, ASCII or not."""
    import random

    from iacgov.parsers.terraform.treesitter import _ODD_TEXT, _odd_text

    alphabet = ["-", "-", "1", "2", ".", "e", "E", "a", " ", "\n", "\f", "\v", "\x1c", "\x1f", "\x1b", "\x20",
                "\xa0", "\u2003", "\u3000", "\ufeff", "é"]
    rng = random.Random(5)
    texts = ["", "x = -1-2.5\n", "x = -1-2e3\n", "x = -1-2\n", "a = 1\f\n", 'a = "\u00a0"\n', "a-1-2.b"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(20_000)]
    odd = 0
    for text in texts:
        assert _odd_text(text) is (_ODD_TEXT.search(text) is not None), repr(text)
        odd += _odd_text(text)
    assert 0 < odd < len(texts)
