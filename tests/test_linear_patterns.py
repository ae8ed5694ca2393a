"""Text from the repository goes through these helpers: each gives what its
former regular expression gave, in linear time (the expressions retried from
every blank or every "[" of a long run: quadratic on hostile input)."""

from __future__ import annotations

import importlib
import random
import re

import pytest

from iacgov.markdown import _flat, _one_line
from iacgov.platform.references import base_address

# the module (``iacgov.cost.estimate`` as an attribute is the function of that name)
estimate = importlib.import_module("iacgov.cost.estimate")
OLD_NEWLINES = re.compile(r"\s*[\r\n]+\s*")
OLD_KEYS = re.compile(r"\[[^\]]*\]")
OLD_LAST_KEY = re.compile(r"\[[^\]]*\]$")


def _strings(alphabet: list[str], seed: int, count: int = 20_000):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))


def test_one_line_is_the_former_substitution():
    for text in _strings(["a", " ", "\n", "\r", "\t", "\x0b", "\x1c", "\x85", "\u2028", "\u3000"], seed=1):
        assert _one_line(text) == OLD_NEWLINES.sub(" ", text), repr(text)


def test_instance_keys_are_removed_as_before():
    for text in _strings(["a", "[", "]", '"', ".", "0"], seed=2):
        assert base_address(text) == OLD_KEYS.sub("", text), repr(text)
        match = OLD_LAST_KEY.search(text)
        assert estimate._last_key_start(text) == (match.start() if match else -1), repr(text)
        assert estimate._without_last_key(text) == OLD_LAST_KEY.sub("", text), repr(text)


@pytest.mark.parametrize("hostile", [" " * 200_000 + "x", "[" * 200_000, "[" * 200_000 + "]x", "\n " * 100_000])
def test_long_hostile_runs_are_read(hostile):
    # Quadratic, each of these took minutes; linear, they take milliseconds.
    assert "\n" not in _flat(hostile)
    assert base_address(hostile).count("[") <= hostile.count("[")
    assert estimate._last_key_start(hostile) in (-1, 0)
