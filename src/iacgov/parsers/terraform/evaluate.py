"""Evaluate :mod:`.syntax` expressions to values (:mod:`.values`).

Names are looked up in a :class:`Scope`: bindings of ``for`` expressions,
``count``/``each``, dynamic-block iterators, then the module, whose resolver
gives ``var``, ``local``, resources, modules... (:mod:`.module`).
:func:`value_of` is the boundary other modules use: it never raises, and any
error Terraform would report becomes an :class:`~iacgov.model.Unknown`
saying why.
"""

from __future__ import annotations

import math

from typing import Any, Callable

from iacgov.limits import ValueTooLarge, reserve, string_items
from iacgov.model import Unknown
from iacgov.parsers.terraform import functions
from iacgov.parsers.terraform.syntax import (
    SPLAT_ITEM,
    BinaryOp,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Invalid,
    Lit,
    ObjectExpr,
    Ref,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TupleExpr,
    UnaryOp,
    index_text,
    traversal_text,
)
from iacgov.parsers.terraform.values import (
    BlockValue,
    EvalError,
    Lazy,
    NoCommonType,
    SetValue,
    conform,
    equal,
    extend_ref,
    materialise,
    number,
    to_bool,
    to_number,
    to_string,
    type_of,
    unify,
    unknown_from,
)
from iacgov.placeholders import UnknownTemplate, placeholder


class Scope:
    """Names visible to an expression: local bindings over a module resolver."""

    __slots__ = ("names", "parent", "resolve")

    def __init__(self, resolve: Callable[[str], Any], names: dict[str, Any] | None = None,
                 parent: Scope | None = None) -> None:
        self.resolve = resolve
        self.names = names
        self.parent = parent

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if scope.names and name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return self.resolve(name)

    def bind(self, names: dict[str, Any]) -> Scope:
        return Scope(self.resolve, names, self)


def no_references(name: str) -> Any:
    """Resolver for places where Terraform allows literal values only (tfvars, defaults)."""
    raise EvalError(f"{name} cannot be referenced here")


LITERAL_SCOPE = Scope(no_references)


def value_of(expr: Expr, scope: Scope) -> Any:
    """The value of ``expr``; never raises."""
    try:
        return materialise(evaluate(expr, scope))
    except EvalError as exc:
        return Unknown(str(exc))
    except RecursionError:
        return Unknown("expression nested too deeply to evaluate")


def account(items: int, what: str, charge: bool = True) -> None:
    """:func:`iacgov.limits.reserve`, a value too large being an evaluation error (an unknown value)."""
    try:
        reserve(items, what, charge=charge)
    except ValueTooLarge as exc:
        raise EvalError(exc.reason) from None


def evaluate(expr: Expr, scope: Scope) -> Any:
    """The value of ``expr``, possibly holding :class:`Lazy` references; raises :class:`EvalError`."""
    return _EVAL[type(expr)](expr, scope)


def get_attr(obj: Any, name: str) -> Any:
    if isinstance(obj, Lazy):
        return obj.attr(name)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        if isinstance(obj, BlockValue):
            return Unknown(f"{name} is not written in its block: known only after apply")
        raise EvalError(f"object has no attribute {name!r}")
    if isinstance(obj, Unknown):
        return extend_ref(obj, "." + name)
    raise EvalError(f"cannot read attribute {name!r} of a {_kind(obj)}")


def get_index(obj: Any, key: Any) -> Any:
    key = materialise(key)
    if isinstance(key, Unknown):
        return unknown_from(key, "an index")
    if isinstance(obj, Lazy):
        return obj.index(key)
    if isinstance(obj, SetValue):  # as Terraform: "elements of a set are identified only by their value"
        raise EvalError("a set has no index: its elements are identified only by their value")
    if isinstance(obj, list):
        i = to_number(key)
        if not isinstance(i, int) or not 0 <= i < len(obj):
            raise EvalError(f"index {key!r} out of range for a list of {len(obj)}")
        return obj[i]
    if isinstance(obj, dict):
        k = to_string(key)
        if k in obj:
            return obj[k]
        raise EvalError(f"no element {k!r} in map")
    if isinstance(obj, Unknown):
        return extend_ref(obj, index_text(key))
    raise EvalError(f"cannot index a {_kind(obj)}")


def _kind(value: Any) -> str:
    return "null value" if value is None else type(value).__name__


def iterate(collection: Any) -> list[tuple[Any, Any]]:
    """(key, value) pairs, in Terraform's order: list index, sorted map key, or
    for a set each element as both key and value (go-cty's set iterator)."""
    if isinstance(collection, SetValue):
        return [(v, v) for v in collection]
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return sorted(collection.items())
    raise EvalError(f"cannot iterate over a {_kind(collection)}")


def _lit(expr: Lit, scope: Scope) -> Any:
    return expr.value


def _ref(expr: Ref, scope: Scope) -> Any:
    return scope.lookup(expr.name)


def _get_attr(expr: GetAttr, scope: Scope) -> Any:
    return get_attr(evaluate(expr.obj, scope), expr.name)


def _index(expr: Index, scope: Scope) -> Any:
    return get_index(evaluate(expr.obj, scope), evaluate(expr.key, scope))


def _splat(expr: Splat, scope: Scope) -> Any:
    source = evaluate(expr.source, scope)
    if isinstance(source, Unknown):
        return unknown_from(source, "a splat")
    if source is None:
        return []
    items = source if isinstance(source, list) else [source]
    account(len(items), "a splat")
    return [materialise(evaluate(expr.each, scope.bind({SPLAT_ITEM: item}))) for item in items]


def _call(expr: Call, scope: Scope) -> Any:
    if expr.name == "try":
        for arg in expr.args:
            try:
                value = materialise(evaluate(arg, scope))
            except EvalError:
                continue
            return value  # an unknown argument makes try() unknown: the same value
        raise EvalError("no argument of try() could be evaluated")
    if expr.name == "can":
        try:
            value = materialise(evaluate(expr.args[0], scope))
        except EvalError:
            return False
        return unknown_from(value, "can()") if isinstance(value, Unknown) else True
    if expr.name == "templatestring":
        return _templatestring(expr, scope)
    args = [materialise(evaluate(a, scope)) for a in expr.args]
    if expr.expand_last and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return unknown_from(last, f"{expr.name}()")
        if not isinstance(last, list):
            raise EvalError(f"cannot expand a {_kind(last)} into arguments")
        args.extend(last)
    return functions.call(expr.name, args)


def _templatestring(expr: Call, scope: Scope) -> Any:
    """``templatestring(ref, vars)``: the string ``ref`` names, rendered as a
    template with only ``vars`` as names. As Terraform requires, the first
    argument is a reference, not a template written in place
    (https://developer.hashicorp.com/terraform/language/functions/templatestring)."""
    if len(expr.args) != 2 or expr.expand_last:
        raise EvalError("templatestring() takes a reference to a template and an object of variables")
    if traversal_text(expr.args[0]) is None:
        raise EvalError("templatestring(): the template must be given as a reference to a string defined "
                        "elsewhere in the module, not written in the call")
    template, variables = (materialise(evaluate(a, scope)) for a in expr.args)
    for arg in (template, variables):
        if isinstance(arg, Unknown):
            return unknown_from(arg, "templatestring()")
    if not isinstance(template, str):
        raise EvalError(f"templatestring(): the template must be a string, not a {_kind(template)}")
    if not isinstance(variables, dict):
        raise EvalError(f"templatestring(): the variables must be an object, not a {_kind(variables)}")
    from iacgov.parsers.terraform.loader import LoadError, _quote_template, parse_expression

    try:
        parsed = parse_expression(_quote_template(template))
    except LoadError as exc:
        raise EvalError(f"templatestring(): the template cannot be parsed ({exc.reason})") from None
    value = materialise(evaluate(parsed, Scope(_not_a_template_variable, dict(variables))))
    if isinstance(value, Unknown) and not isinstance(value, UnknownTemplate):
        return value
    if not isinstance(value, (str, UnknownTemplate)):
        value = to_string(value)  # "${n}" alone is n itself: the function's result is a string
    return value


def _not_a_template_variable(name: str) -> Any:
    raise EvalError(f"templatestring(): {name} is not among the template's variables")


def _tuple(expr: TupleExpr, scope: Scope) -> Any:
    return [materialise(evaluate(item, scope)) for item in expr.items]


def _object(expr: ObjectExpr, scope: Scope) -> Any:
    out: dict[str, Any] = {}
    for key_expr, value_expr, _line in expr.items:
        key = _key(evaluate(key_expr, scope))
        if isinstance(key, Unknown):
            return unknown_from(key, "an object key")
        out[key] = materialise(evaluate(value_expr, scope))
    return out


def _key(value: Any) -> Any:
    value = materialise(value)
    return value if isinstance(value, Unknown) else to_string(value)


def _for(expr: ForExpr, scope: Scope) -> Any:
    collection = evaluate(expr.collection, scope)  # elements may stay lazy: [for b in aws_s3_bucket.x : b.id]
    if isinstance(collection, Lazy):
        collection = collection.whole()
    if isinstance(collection, Unknown):
        return unknown_from(collection, "a for expression")
    items: list[Any] = []
    object_out: dict[str, Any] = {}
    for k, v in iterate(collection):
        names = {expr.value_var: v}
        if expr.key_var:
            names[expr.key_var] = k
        inner = scope.bind(names)
        if expr.cond is not None:
            keep = materialise(evaluate(expr.cond, inner))
            if isinstance(keep, Unknown):
                return unknown_from(keep, "a for condition")
            if not to_bool(keep):
                continue
        value = materialise(evaluate(expr.value, inner))
        if expr.key is None:
            items.append(value)
            continue
        key = _key(evaluate(expr.key, inner))
        if isinstance(key, Unknown):
            return unknown_from(key, "an object key")
        if expr.group:
            object_out.setdefault(key, []).append(value)
        elif key in object_out:
            raise EvalError(f"duplicate key {key!r} in for expression (use ... to group)")
        else:
            object_out[key] = value
    account(len(items) + len(object_out), "a for expression")  # its elements were accounted as they were made
    return items if expr.key is None else object_out


def _conditional(expr: Conditional, scope: Scope) -> Any:
    cond = materialise(evaluate(expr.cond, scope))
    if isinstance(cond, Unknown):
        then = value_of(expr.then, scope)
        otherwise = value_of(expr.otherwise, scope)
        if not isinstance(then, Unknown) and not isinstance(otherwise, Unknown) and equal(then, otherwise):
            return then
        return unknown_from(cond, "a condition")
    chosen = evaluate(expr.then if to_bool(cond) else expr.otherwise, scope)
    if isinstance(chosen, Lazy) or chosen is None or isinstance(chosen, (str, Unknown)):
        return chosen  # a string is already the most general type; null and unknown take the other's
    return _unified(chosen, expr.otherwise if to_bool(cond) else expr.then, scope, to_bool(cond))


def _unified(chosen: Any, other_expr: Expr, scope: Scope, which: bool) -> Any:
    """The chosen result converted to the type both results unify to, as
    Terraform does (https://developer.hashicorp.com/terraform/language/expressions/conditionals#result-types):
    ``true ? 1 : "a"`` is ``"1"``. Terraform evaluates both results for their
    types but reports errors of the chosen one only: the other's errors make
    its type unknown, which changes nothing."""
    other = value_of(other_expr, scope)
    chosen_type, other_type = type_of(chosen), type_of(other)
    try:
        common = unify(chosen_type, other_type)
    except NoCommonType:
        if isinstance(chosen_type, str) or isinstance(other_type, str) or chosen_type[0] != other_type[0]:
            names = {True: "true", False: "false"}
            raise EvalError(f"inconsistent conditional result types: the {names[which]!r} value is "
                            f"{_type_name(chosen_type)}, but the {names[not which]!r} value is "
                            f"{_type_name(other_type)}") from None
        return chosen  # a mismatch deeper inside: iacgov's types of nested values are less sure than Terraform's
    return conform(chosen, common)


def _type_name(t: Any) -> str:
    return t if isinstance(t, str) else t[0]


_ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a - b * int(a / b),  # sign of the dividend, as Terraform
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _binary(expr: BinaryOp, scope: Scope) -> Any:
    op = expr.op
    left = materialise(evaluate(expr.left, scope))
    if op in ("&&", "||"):
        if not isinstance(left, Unknown) and to_bool(left) == (op == "||"):
            return to_bool(left)  # short-circuit: the right side cannot change the result
        right = materialise(evaluate(expr.right, scope))
        if isinstance(right, Unknown):
            return unknown_from(right, op)
        if isinstance(left, Unknown):
            return to_bool(right) if to_bool(right) == (op == "||") else unknown_from(left, op)
        return to_bool(right)
    right = materialise(evaluate(expr.right, scope))
    for side in (left, right):
        if isinstance(side, Unknown):
            return unknown_from(side, op)
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    a, b = to_number(left), to_number(right)
    if op in ("/", "%") and b == 0:
        raise EvalError("division by zero")
    try:
        result = _ARITHMETIC[op](a, b)
    except (OverflowError, ValueError):  # 1e308 % 1e-24: the quotient is infinite
        raise EvalError(f"{op}: number out of range") from None
    if isinstance(result, float) and not math.isfinite(result):
        raise EvalError(f"{op}: number out of range")  # Terraform's numbers are finite
    return result if isinstance(result, bool) else number(result)


def _unary(expr: UnaryOp, scope: Scope) -> Any:
    value = materialise(evaluate(expr.operand, scope))
    if isinstance(value, Unknown):
        return unknown_from(value, expr.op)
    return (not to_bool(value)) if expr.op == "!" else number(-to_number(value))


def _template(expr: Template, scope: Scope) -> Any:
    pieces: list[Any] = []
    _render(expr.parts, scope, pieces)
    if len(pieces) > 1:  # a template that only copies one value builds nothing
        account(string_items(sum(len(p) if isinstance(p, str) else 16 for p in pieces)), "the template's string")
    unknowns = [p for p in pieces if isinstance(p, Unknown)]
    if not unknowns:
        return "".join(pieces)
    text = "".join(placeholder(p) if isinstance(p, Unknown) else p for p in pieces)
    return UnknownTemplate(unknowns[0].reason, text=text)


def _render(parts: tuple[Any, ...], scope: Scope, out: list[Any]) -> None:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, TemplateIf):
            cond = materialise(evaluate(part.cond, scope))
            if isinstance(cond, Unknown):
                out.append(unknown_from(cond, "a template condition"))
            else:
                _render(part.then if to_bool(cond) else part.otherwise, scope, out)
        elif isinstance(part, TemplateFor):
            collection = materialise(evaluate(part.collection, scope))
            if isinstance(collection, Unknown):
                out.append(unknown_from(collection, "a template loop"))
                continue
            for k, v in iterate(collection):
                names = {part.value_var: v}
                if part.key_var:
                    names[part.key_var] = k
                _render(part.body, scope.bind(names), out)
                if len(out) > _PIECES_CHECKED:  # nested loops multiply: the pieces are accounted as they pile up
                    account(len(out), "the template's pieces", charge=False)
        else:
            value = materialise(evaluate(part, scope))
            if value is None:  # name what is null (var.region left at its null default), as Terraform does
                what = traversal_text(part)
                raise EvalError(f"{what} is null, and a string template cannot include null" if what
                                else "null cannot be used in a string")
            out.append(value if isinstance(value, Unknown) else to_string(value))


_PIECES_CHECKED = 4096


def _invalid(expr: Invalid, scope: Scope) -> Any:
    return Unknown(expr.reason)


_EVAL: dict[type, Callable[[Any, Scope], Any]] = {
    Lit: _lit,
    Ref: _ref,
    GetAttr: _get_attr,
    Index: _index,
    Splat: _splat,
    Call: _call,
    TupleExpr: _tuple,
    ObjectExpr: _object,
    ForExpr: _for,
    Conditional: _conditional,
    BinaryOp: _binary,
    UnaryOp: _unary,
    Template: _template,
    Invalid: _invalid,
}
