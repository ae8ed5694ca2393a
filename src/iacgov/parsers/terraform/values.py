"""Terraform's value semantics on plain Python values.

Values are ``str``, ``int``/``float``, ``bool``, ``None``, ``list`` (lists,
tuples and sets), ``dict`` (maps and objects) and :class:`~iacgov.model.Unknown`.
While an expression is evaluated a value may also be a :class:`Lazy`
reference (a resource, a module call) that is only materialised when used as
a whole, so that ``aws_s3_bucket.b.bucket`` evaluates one argument, not the
whole resource.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable

from iacgov.model import Unknown
from iacgov.placeholders import UnknownTemplate, render


class EvalError(Exception):
    """An expression Terraform itself would reject (a missing attribute, a
    type error). ``try``/``can`` catch it; elsewhere it becomes an Unknown."""


APPLY_SUFFIX = " is known only after apply"  # a managed resource's computed attribute


def read_when_planning(ref: str) -> str:
    """Why a data source's attribute is unknown: Terraform reads it from the
    provider while planning (https://developer.hashicorp.com/terraform/language/data-sources),
    which a scan of the configuration does not."""
    return f"{ref} is read from the provider when Terraform plans: scan a plan JSON to know it"


class Lazy:
    """A referenced object whose attributes are resolved on demand."""

    __slots__ = ()

    ref: str

    def attr(self, name: str) -> Any:
        raise EvalError(f"{self.ref} has no attribute {name!r}")

    def index(self, key: Any) -> Any:
        raise EvalError(f"{self.ref} cannot be indexed")

    def whole(self) -> Any:
        """The value of the reference used as a whole."""
        return Unknown(f"{self.ref}{APPLY_SUFFIX}", ref=self.ref)


class Namespace(Lazy):
    """``var``, ``local``, ``data.aws_region``...: names resolved by ``lookup``."""

    __slots__ = ("ref", "lookup")

    def __init__(self, ref: str, lookup: Callable[[str], Any]) -> None:
        self.ref = ref
        self.lookup = lookup

    def attr(self, name: str) -> Any:
        return self.lookup(name)

    def whole(self) -> Any:
        raise EvalError(f"{self.ref} cannot be used as a value")


class SetValue(list):
    """A set (``toset()``, a ``set(...)`` variable): its elements in Terraform's
    order. Iterating gives each element as both key and value, as cty's set
    iterator does; it has no index."""

    __slots__ = ()


def as_set(items: list[Any]) -> list[Any]:
    """A list converted to a set as Terraform does: duplicates dropped, strings
    (or numbers) in order; unchanged when an element is unknown (its place and
    whether it repeats another are not known)."""
    out: list[Any] = []
    seen: set[str] = set()
    for item in items:
        try:
            key = json.dumps(item, sort_keys=True, default=_not_plain)
        except (TypeError, ValueError):  # an unknown part, a float("nan")
            return items
        if key not in seen:
            seen.add(key)
            out.append(item)
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in out)
    if numbers or all(isinstance(x, str) for x in out):
        out.sort()
    return SetValue(out)


def _not_plain(value: Any) -> Any:
    raise TypeError(type(value).__name__)


class BlockValue(dict):
    """A nested block's arguments as written. The provider computes the
    others (``vpc_config[0].cluster_security_group_id``), so reading one that
    is not written gives an Unknown, not an error."""

    __slots__ = ()


def materialise(value: Any) -> Any:
    """``value`` without :class:`Lazy` inside (copied only where needed)."""
    if isinstance(value, Lazy):
        return value.whole()
    if type(value) is list:
        for i, item in enumerate(value):
            new = materialise(item)
            if new is not item:
                return value[:i] + [new] + [materialise(x) for x in value[i + 1 :]]
        return value
    if type(value) is dict:
        for key, item in value.items():
            new = materialise(item)
            if new is not item:
                return {k: (new if k == key else materialise(v)) for k, v in value.items()}
        return value
    return value


def unknown_from(value: Unknown, what: str) -> Unknown:
    """An Unknown derived from another (the result of an operation on it). The
    reason names the operation and the origin (the variable, data source or
    attribute the user can act on), not every operation in between: ``a for
    expression of an unknown value (var.x has no value)``."""
    return Unknown(f"{what} of an unknown value ({origin(value.reason)})")


# The reasons that only wrap another (the operation, then the inner reason in
# parentheses): "concat() of an unknown value (...)", "for_each is unknown (...)".
_WRAPPER = re.compile(r" of an unknown value \(| of a value with unknown parts \(|^(?:for_each|count) is unknown \(")
# "aws_x.y has an unknown number of instances (...)": the resource one depends on, kept by origin().
_CASCADE = re.compile(r"^\S+ has an unknown number of instances \(")


def origin(reason: str, through_resources: bool = False) -> str:
    """The innermost reason inside wrapping ones: where an unknown comes from.
    It stops at "aws_x.y has an unknown number of instances (...)" (the
    resource a value depends on) unless ``through_resources``."""
    while reason.endswith(")"):
        m = _WRAPPER.search(reason) or (_CASCADE.search(reason) if through_resources else None)
        if m is None or not _balanced(reason[: m.start()]) or not _balanced(reason[m.end() : -1]):
            break
        reason = reason[m.end() : -1]
    return reason


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        if c in "()":
            depth += 1 if c == "(" else -1
            if depth < 0:
                return False
    return depth == 0


def extend_ref(value: Unknown, suffix: str) -> Unknown:
    """``var.ids`` unknown -> ``var.ids[0]`` unknown, for the same reason."""
    if value.ref and not isinstance(value, UnknownTemplate):
        return Unknown(value.reason, ref=value.ref + suffix)
    return Unknown(value.reason)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def number(value: float) -> int | float:
    """Terraform has one number type: integral results print as integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return number(float(value)) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            raise EvalError(f"{value!r} is not a number") from None
    raise EvalError(f"a {type_name(value)} is not a number")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"a {type_name(value)} is not a bool")


def number_text(value: int | float) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**63:
            return str(int(value))
        return repr(value)
    return str(value)


def to_string(value: Any) -> str:
    """Terraform's automatic conversion to string (templates, string arguments)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if value is None:
        raise EvalError("null cannot be used in a string")
    raise EvalError(f"a {type_name(value)} cannot be used as a string")


def equal(a: Any, b: Any) -> bool:
    """``==`` between known values: no conversion between types."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def to_json(value: Any, indent: int | None = None) -> str:
    """JSON as Terraform's ``jsonencode`` writes it (keys sorted, compact);
    unknown leaves become placeholders (:mod:`iacgov.placeholders`)."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(_json_ready(render(value)), sort_keys=True, separators=separators, indent=indent,
                      ensure_ascii=False)


def _json_ready(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvalError("infinity cannot be encoded as JSON")
        return number(value)
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


# --- type unification (conditional results) --------------------------------------------
# A value's type as cty's unification sees it: "string" / "number" / "bool",
# ("tuple", [types]), ("object", {name: type}), ("list", type), ("map", type),
# or None for null or an unknown value (any type: the other side decides).
ValueType = Any


class NoCommonType(Exception):
    """Two types that Terraform cannot unify (number and bool; object and tuple)."""


def type_of(value: Any) -> ValueType:
    if value is None or (isinstance(value, Unknown) and not isinstance(value, UnknownTemplate)):
        return None
    if isinstance(value, UnknownTemplate):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return ("tuple", [type_of(v) for v in value])
    if isinstance(value, dict):
        return ("object", {k: type_of(v) for k, v in value.items()})
    return None  # a Lazy reference: its type is not known here


def unify(a: ValueType, b: ValueType) -> ValueType:
    """The type both convert to, as go-cty's convert.UnifyUnsafe finds it
    (cty/convert/unify.go): string takes numbers and bools; tuples of one
    length unify element by element, of different lengths to a list; objects
    with the same attributes attribute by attribute, otherwise to a map."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    if isinstance(a, str) and isinstance(b, str):
        if "string" in (a, b):
            return "string"
        raise NoCommonType(f"{a} and {b}")
    if isinstance(a, str) or isinstance(b, str) or (a[0] in ("tuple", "list")) != (b[0] in ("tuple", "list")):
        raise NoCommonType(f"{_type_text(a)} and {_type_text(b)}")
    if a[0] == b[0] == "tuple" and len(a[1]) == len(b[1]):
        return ("tuple", [unify(x, y) for x, y in zip(a[1], b[1])])
    if a[0] == b[0] == "object" and a[1].keys() == b[1].keys():
        return ("object", {k: unify(t, b[1][k]) for k, t in a[1].items()})
    kind = "list" if a[0] in ("tuple", "list") else "map"
    element: ValueType = None
    for t in (*_element_types(a), *_element_types(b)):
        element = unify(element, t)
    return (kind, element)


def _element_types(t: ValueType) -> list[ValueType]:
    if t[0] in ("list", "map"):
        return [t[1]]
    return list(t[1].values()) if t[0] == "object" else list(t[1])


def _type_text(t: ValueType) -> str:
    return t if isinstance(t, str) else t[0]


def conform(value: Any, t: ValueType) -> Any:
    """``value`` converted to the unified type ``t`` (a number to its string...)."""
    if t is None or value is None or isinstance(value, Unknown):
        return value
    if t == "string" and isinstance(value, (bool, int, float)):
        return to_string(value)
    if isinstance(t, str):
        return value
    kind, inner = t
    if isinstance(value, list):
        items = ([conform(v, e) for v, e in zip(value, inner)] if kind == "tuple"
                 else [conform(v, inner) for v in value])
        return SetValue(items) if isinstance(value, SetValue) else items
    if isinstance(value, dict) and type(value) is dict:
        return ({k: conform(v, inner.get(k)) for k, v in value.items()} if kind == "object"
                else {k: conform(v, inner) for k, v in value.items()})
    return value
