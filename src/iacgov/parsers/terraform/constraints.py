"""Variable type constraints applied to the values a variable receives.

Terraform converts a value to the variable's declared type: ``"3"`` becomes
the number 3 for a ``number``, and an ``object({...})`` fills attributes
declared ``optional(type, default)`` and drops undeclared ones. Modules
read those attributes freely (``var.encryption.resources``), so without
this conversion their values would be unknown.
"""

from __future__ import annotations

from typing import Any

from iacgov.model import Unknown
from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, value_of
from iacgov.parsers.terraform.syntax import Call, Expr, Lit, ObjectExpr, Ref, TupleExpr
from iacgov.parsers.terraform.values import EvalError, Lazy, as_set, to_bool, to_number, to_string

COLLECTIONS = frozenset({"list", "set", "map", "object", "tuple"})


def kind(type_expr: Expr) -> str:
    """``string``, ``number``, ``list``, ``object``... (``any`` when unsure)."""
    if isinstance(type_expr, (Ref, Call)):
        return type_expr.name
    return "any"


def convert(value: Any, type_expr: Expr) -> Any:
    """``value`` converted to the type ``type_expr`` declares, where it can be;
    a value that does not fit is returned unchanged."""
    if value is None or isinstance(value, (Unknown, Lazy)):
        return value
    name = kind(type_expr)
    try:
        if name == "number" and isinstance(value, str):
            return to_number(value)
        if name == "bool" and isinstance(value, str):
            return to_bool(value)
        if name == "string" and isinstance(value, (bool, int, float)):
            return to_string(value)
    except EvalError:
        return value
    args = type_expr.args if isinstance(type_expr, Call) else ()
    if name in ("list", "set") and args and isinstance(value, list):
        items = [convert(v, args[0]) for v in value]
        return as_set(items) if name == "set" else items
    if name == "map" and args and isinstance(value, dict):
        return {k: convert(v, args[0]) for k, v in value.items()}
    if name == "tuple" and args and isinstance(args[0], TupleExpr) and isinstance(value, list):
        return [convert(v, t) for v, t in zip(value, args[0].items)] + value[len(args[0].items):]
    if name == "object" and args and isinstance(args[0], ObjectExpr) and isinstance(value, dict):
        return _object(value, args[0])
    return value


def _object(value: dict, attributes: ObjectExpr) -> dict:
    out = {}
    for key, type_expr, _line in attributes.items:
        if not (isinstance(key, Lit) and isinstance(key.value, str)):
            continue
        name = key.value
        given = value.get(name)
        if isinstance(type_expr, Call) and type_expr.name == "optional" and type_expr.args:
            if given is None and len(type_expr.args) > 1:
                given = value_of(type_expr.args[1], LITERAL_SCOPE)
            out[name] = convert(given, type_expr.args[0])
        elif name in value:
            out[name] = convert(given, type_expr)
    return out
