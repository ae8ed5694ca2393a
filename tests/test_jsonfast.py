"""iacgov.jsonfast.dumps_indented gives json.dumps(indent=N)'s bytes, for any JSON value."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iacgov import jsonfast
from iacgov.jsonfast import _MARK, dumps_indented

# Text that stresses escaping: quotes, backslashes, controls, brackets and separators
# inside strings, non-ASCII, lone surrogates, and the mark jsonfast uses internally.
_TEXT = st.one_of(
    st.text(),
    st.text(alphabet='"\\\n\t\x00\x1f\x7f{}[],: \u2028\u00e9\ud800\U0001f600'),
    st.sampled_from([_MARK, "", "\x00", '"' + _MARK + '"', "null", "{}", "[]"]),
)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), _TEXT,
)
_KEYS = st.one_of(_TEXT, st.sampled_from([_MARK, "", "a", '"', "\\"]))
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(_KEYS, inner, max_size=6),
    ),
    max_leaves=60,
)


@settings(max_examples=200, deadline=None)
@given(value=_JSON, indent=st.sampled_from([0, 1, 2, 4]), ensure_ascii=st.booleans())
def test_same_bytes_as_json_dumps(value, indent, ensure_ascii):
    assert dumps_indented(value, indent=indent, ensure_ascii=ensure_ascii) == json.dumps(
        value, indent=indent, ensure_ascii=ensure_ascii)


@settings(max_examples=50, deadline=None)
@given(props=st.dictionaries(_KEYS, _JSON, max_size=4), count=st.integers(1, 5))
def test_repeated_dict_values_same_bytes(props, count):
    """The report's shape: many list items whose nested dict values repeat (the memo path)."""
    value = {"findings": [{"code": "X", "line": i, "properties": props,
                           "nested": {"p": props, "q": [props]}} for i in range(count)]}
    assert dumps_indented(value, indent=2, ensure_ascii=False) == json.dumps(value, indent=2, ensure_ascii=False)


def test_many_distinct_dict_values_give_up_memo_same_bytes():
    value = [{"where": {"at": {"line": i}, "file": f"f{i % 7}.tf"}, "same": {"a": {"b": 1}}} for i in range(300)]
    assert dumps_indented(value, indent=2) == json.dumps(value, indent=2)


class _Level(enum.IntEnum):
    HIGH = 3


class _Name(str, enum.Enum):
    A = "a\u2028"


@pytest.mark.parametrize("value", [
    {1: "int key", 2.5: "float key", True: "bool key", None: "none key", "s": [1, {"x": {}}]},
    OrderedDict([("b", [1, 2]), ("a", OrderedDict([("z", [])]))]),
    {"level": _Level.HIGH, "name": _Name.A, "nested": [[_Level.HIGH]]},
    [float("nan"), float("inf"), -float("inf"), 1e16, 1e-7, -0.0, 2**70],
    {"deep": [[[[[[["x"]]]]]]], "empty": [{}, [], {"": []}]},
    "just a string", 3, None, [], {},
])
def test_special_values_same_bytes(value):
    for indent in (2, 4):
        for ensure_ascii in (True, False):
            assert dumps_indented(value, indent=indent, ensure_ascii=ensure_ascii) == json.dumps(
                value, indent=indent, ensure_ascii=ensure_ascii)


def test_errors_are_json_dumps_errors():
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_indented({"a": [1, {"b": object()}]})
    with pytest.raises(TypeError, match="keys must be str"):
        dumps_indented({"a": {(1, 2): 1}, "b": [1, [2]]})
    cycle: list = [1]
    cycle.append([cycle])
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented({"a": cycle})


_SHAPED_SCALARS = st.one_of(_SCALARS, st.sampled_from(["\x00iacgov.jsonfast.slot\x00", True, 1, 1.0, 0, False]))


@settings(max_examples=100, deadline=None)
@given(items=st.lists(st.tuples(st.integers(0, 2), st.lists(_SHAPED_SCALARS, min_size=6, max_size=6)),
                      min_size=8, max_size=16),
       indent=st.sampled_from([0, 2]), ensure_ascii=st.booleans())
def test_dicts_of_few_shapes_same_bytes(items, indent, ensure_ascii):
    """The findings' and SARIF results' shape: many dicts of a few shapes whose scalars differ (each
    shape's text is made once, with a slot per scalar)."""
    def item(form, s):
        if form == 0:
            return {"ruleId": s[0], "locations": [{"physical": {"uri": s[1], "region": {"startLine": s[2]}},
                                                   "logical": [{"name": s[3]}]}], "fp": {"k": s[4]}, "e": {}}
        if form == 1:
            return {"code": s[0], "properties": {"others": [s[1], s[2]], "x": s[3]}, "suppression": s[4]}
        return {"code": s[0], "properties": {"others": [s[1], [s[2], {}], []], "x": {"y": s[3]}}, "line": s[5]}
    value = {"results": [item(0, items[0][1])] + [item(form, s) for form, s in items]}  # deep first: templated
    assert jsonfast._nesting(value["results"][0]) >= 3
    assert dumps_indented(value, indent=indent, ensure_ascii=ensure_ascii) == json.dumps(
        value, indent=indent, ensure_ascii=ensure_ascii)


def test_equal_keys_written_differently_are_not_one_shape():
    deep = [{key: {"a": [{"b": [n]}]}} for n, key in enumerate(
        [1, True, 1.0, "1", "\x00iacgov.jsonfast.slot\x00", "b", 1, True, "1", 1.0])]
    deep.append({"b": {"\x00iacgov.jsonfast.slot\x00": [{"c": [5]}]}})
    assert len(deep) >= jsonfast._TEMPLATED_FROM and jsonfast._nesting(deep[0]) >= 3
    assert dumps_indented(deep, indent=2) == json.dumps(deep, indent=2)
