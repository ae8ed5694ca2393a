"""``json.dumps(value, indent=N)`` with the same bytes, faster.

Why this exists: CPython 3.11's C encoder runs only when ``indent`` is None
(``json.encoder.JSONEncoder.iterencode``), so every indented report — the JSON
report, SARIF, the cost JSON — went through the pure-Python generator encoder:
0.89 s of CPU for the JSON report of a 10,000-file estate, where the C encoder
writes the same document unindented in 0.21 s. This module: 0.63 s.

How, per container:
- all items scalars or empty containers (a SARIF region, most leaves): one C
  encoder call with the item separator ``",\n" + indent * depth``; the indented
  text is exactly ``"{\n" + indent + C-output[1:-1] + "\n" + ... + "}"``;
- otherwise its non-empty containers are replaced by a mark in a shallow copy,
  the C encoder writes the copy at this depth and each mark's text is replaced
  by that container's own indented text;
- a small dict value (a finding's ``properties``) is looked up by its compact C
  text, of which the indented text is a function: findings repeat them;
- many deep dicts in a list (SARIF's results: five levels each) are written by
  shape: the indented text depends only on the containers, their keys and
  sizes, so each shape's text is made once with a slot per scalar, and a dict
  of a known shape is its scalars written by one C encoder call, in the slots
  (SARIF of 10,861 results: 0.63-0.88 s -> 0.31-0.55 s).

Anything else — a subclass of dict/list/str, a non-string key, an object for
``default``, a cycle, the mark's own text in the data — falls back to
``json.dumps`` itself, so errors and their messages are the standard library's.
tests/test_jsonfast.py compares with ``json.dumps`` over arbitrary JSON values.

Not orjson: by its documentation its bytes differ (indentation of 2 only, no
``ensure_ascii``, NaN and Infinity written as null); not run here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import compress
from json import encoder as _stdlib
from typing import Any

_C_ENCODER = _stdlib.c_make_encoder
_INF = float("inf")


class _Unsupported(Exception):
    """A value this module leaves to ``json.dumps``."""


def _refuse(value: Any) -> Any:
    raise _Unsupported


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INF:
        return "Infinity"
    if value == -_INF:
        return "-Infinity"
    return float.__repr__(value)


_CONTAINERS = frozenset({dict, list, tuple})
_MEMO_MAX_ITEMS = 16  # a larger dict value is likely unique and costly to key
_MARK = "\x00iacgov.jsonfast\x00"  # stands for a nested container in its parent's C encoding
_MARK_TEXT = '"\\u0000iacgov.jsonfast\\u0000"'


def _writer(indent: str, ensure_ascii: bool) -> Callable[[Any], str]:
    text = _stdlib.encode_basestring_ascii if ensure_ascii else _stdlib.encode_basestring
    scalar: dict[type, Callable[[Any], str]] = {
        str: text, int: int.__repr__, float: _float,
        bool: lambda v: "true" if v else "false", type(None): lambda v: "null",
    }
    leaf_types = frozenset(scalar)
    allowed = leaf_types | _CONTAINERS
    is_container = _CONTAINERS.__contains__
    encoders: list[Any] = []  # per depth: the C encoder with that depth's item separator
    inners: list[str] = []
    closings: list[tuple[str, str]] = []

    compact = _C_ENCODER(None, _refuse, text, None, ":", ",", False, False, True)
    # A list of scalars written "[" + items joined by "\x00" + "]": a NUL is escaped inside any string
    # (\u0000), so splitting there gives each scalar's own text.
    leaf_texts = _C_ENCODER(None, _refuse, text, None, ":", "\x00", False, False, True)
    memo: dict[tuple[int, str], str] = {}
    tally = [0, 0]  # memo hits, misses in this call
    templates: dict[tuple[int, Any], list[str] | None] = {}
    shapes_seen = [0, 0]  # template hits, misses in this call

    def grow(depth: int) -> None:
        while len(encoders) <= depth + 1:
            level = len(encoders)
            encoders.append(_C_ENCODER(None, _refuse, text, None, ": ", ",\n" + indent * level,
                                       False, False, True))
            inners.append(indent * level)
            closings.append(("\n" + indent * level + "}", "\n" + indent * level + "]"))

    def write(value: Any, depth: int) -> str:
        kind = type(value)
        if kind is dict:
            is_dict = True
            items: Any = value.values()
        elif kind is list or kind is tuple:
            is_dict = False
            items = value
        else:
            to_text = scalar.get(kind)
            if to_text is None:
                raise _Unsupported
            return to_text(value)
        if not value:
            return "{}" if is_dict else "[]"
        if len(encoders) <= depth + 1:
            grow(depth)
        kinds = set(map(type, items))
        if kinds <= leaf_types:
            # The C encoder writes "{" + items joined by ",\n" + inner + "}".
            body = "".join(encoders[depth + 1](value, 0))
            return ("{\n" if is_dict else "[\n") + inners[depth + 1] + body[1:-1] + closings[depth][not is_dict]
        if not kinds <= allowed:
            raise _Unsupported
        if not is_dict and kinds == {dict} and all(value):
            # A list of non-empty dicts (the findings, SARIF's results): no marks needed.
            # Templates pay off for many deep dicts (SARIF's results); a few dicts do not repeat shapes, and
            # shallow ones (the report's findings) are a C call or two each already.
            each = templated if len(value) >= _TEMPLATED_FROM and _nesting(value[0]) >= 3 else write
            return ("[\n" + inners[depth + 1]
                    + (",\n" + inners[depth + 1]).join([each(item, depth + 1) for item in value])
                    + closings[depth][1])
        # Nested containers become a mark in a shallow copy the C encoder writes at
        # this depth; the mark's text is then replaced by their own indented text.
        children: list[str] = []
        shallow = value.copy() if is_dict else list(value)
        for place in compress(value if is_dict else range(len(value)),
                              map(is_container, map(type, items))):
            item = value[place]
            if item:
                shallow[place] = _MARK
                child_is_dict = type(item) is dict
                if leaf_types.issuperset(map(type, item.values() if child_is_dict else item)):
                    # A flat child, written here as write() would (saves a call per leaf).
                    if len(encoders) <= depth + 2:
                        grow(depth + 1)
                    body = "".join(encoders[depth + 2](item, 0))
                    children.append(("{\n" if child_is_dict else "[\n") + inners[depth + 2] + body[1:-1]
                                    + closings[depth + 1][not child_is_dict])
                elif is_dict and len(item) <= _MEMO_MAX_ITEMS and tally[1] <= 64 + tally[0]:
                    # Small dict values repeat (a finding's properties): the indented text
                    # is a function of the compact text, which the C encoder makes cheaply.
                    # Given up when they do not repeat (SARIF's locations).
                    key = (depth, "".join(compact(item, 0)))
                    known = memo.get(key)
                    if known is None:
                        tally[1] += 1
                        known = memo[key] = write(item, depth + 1)
                    else:
                        tally[0] += 1
                    children.append(known)
                else:
                    children.append(write(item, depth + 1))
        parts = "".join(encoders[depth + 1](shallow, 0)).split(_MARK_TEXT)
        if len(parts) != len(children) + 1:  # the data holds the mark's text itself
            raise _Unsupported
        pieces = [("{\n" if is_dict else "[\n") + inners[depth + 1] + parts[0][1:]]
        for child, part in zip(children, parts[1:]):
            pieces += (child, part)
        pieces[-1] = pieces[-1][:-1] + closings[depth][not is_dict]
        return "".join(pieces)

    def shape(value: Any, leaves: list[Any]) -> Any:
        """What the indented text of ``value`` depends on: its containers, their keys and sizes (a scalar
        is a slot, whatever its value); its scalars are appended to ``leaves`` in the order written."""
        kind = type(value)
        if kind is dict:
            if not value:
                return _EMPTY_DICT
            return (tuple(value), tuple([shape(v, leaves) for v in value.values()]))
        if kind is list or kind is tuple:
            if not value:
                return _EMPTY_LIST
            return (None, tuple([shape(v, leaves) for v in value]))
        if kind not in leaf_types:
            raise _Unsupported
        leaves.append(value)
        return 0

    def templated(value: dict, depth: int) -> str:
        """``write(value, depth)`` for one of many dicts of the same few shapes (a report's findings,
        SARIF's results): the indented text of a shape is made once, with a slot for each scalar,
        and each dict's scalars are written by one C encoder call. A flat dict is one C call already."""
        if leaf_types.issuperset(map(type, value.values())) or shapes_seen[1] > 64 + shapes_seen[0]:
            return write(value, depth)  # flat, or shapes do not repeat: templates would cost more
        leaves: list[Any] = []
        key = (depth, shape(value, leaves))
        parts = templates.get(key, _MISSING)
        if parts is _MISSING:
            shapes_seen[1] += 1
            parts = templates[key] = _template(value, depth, len(leaves))
        else:
            shapes_seen[0] += 1
        if parts is None:  # a key that is not a plain string, or one holding the slot's own text
            return write(value, depth)
        if not leaves:
            return parts[0]
        texts = "".join(leaf_texts(leaves, 0))[1:-1].split("\x00")
        out = [*parts, *texts]  # sized once; interleaved below
        out[0::2] = parts
        out[1::2] = texts
        return "".join(out)

    def _template(value: dict, depth: int, slots: int) -> list[str] | None:
        if not _plain_keys(value):
            return None
        parts = write(_slotted(value), depth).split(_SLOT_TEXT)
        return parts if len(parts) == slots + 1 else None

    def dumps(value: Any) -> str:
        try:
            return write(value, 0)
        finally:
            memo.clear()
            tally[:] = [0, 0]
            templates.clear()
            shapes_seen[:] = [0, 0]

    return dumps


_TEMPLATED_FROM = 8  # items of a list of dicts from which their shapes are templated
_EMPTY_DICT, _EMPTY_LIST = "{}", "[]"  # shapes of empty containers (a scalar's shape is 0)
_MISSING = object()
_SLOT = "\x00iacgov.jsonfast.slot\x00"  # stands for a scalar in a shape's template
_SLOT_TEXT = '"\\u0000iacgov.jsonfast.slot\\u0000"'


def _nesting(value: Any) -> int:
    """How many levels of containers ``value`` holds below itself (a flat dict: 0)."""
    kind = type(value)
    items = value.values() if kind is dict else value if kind is list or kind is tuple else None
    if items is None:
        return -1
    return 1 + max(map(_nesting, items), default=-1)


def _plain_keys(value: Any) -> bool:
    """Every key of every dict in ``value`` is a ``str`` (1, 1.0 and True are equal keys of a shape,
    written differently)."""
    if type(value) is dict:
        return all(type(k) is str for k in value) and all(map(_plain_keys, value.values()))
    if type(value) is list or type(value) is tuple:
        return all(map(_plain_keys, value))
    return True


def _slotted(value: Any) -> Any:
    """``value`` with each scalar replaced by the slot."""
    if type(value) is dict:
        return {k: _slotted(v) for k, v in value.items()}
    if type(value) is list or type(value) is tuple:
        return [_slotted(v) for v in value]
    return _SLOT


_WRITERS: dict[tuple[int, bool], Callable[[Any], str]] = {}


def dumps_indented(value: Any, *, indent: int = 2, ensure_ascii: bool = True) -> str:
    """``json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)``, byte for byte."""
    if _C_ENCODER is None or type(indent) is not int or indent < 0:
        return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    writer = _WRITERS.get((indent, ensure_ascii))
    if writer is None:
        writer = _WRITERS[(indent, ensure_ascii)] = _writer(" " * indent, ensure_ascii)
    try:
        return writer(value)
    except (_Unsupported, RecursionError, ValueError, TypeError):
        return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
