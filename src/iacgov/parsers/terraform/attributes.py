"""Block bodies to attribute values, and where each attribute is written.

Arguments become Python values; nested blocks become a list of dicts under
the block's name (``replica`` -> ``[{"region_name": ...}]``), ``dynamic``
blocks expanded in place. Locations are keyed by dotted paths
(``tags.env``, ``replica.0.region_name``) as :class:`~iacgov.model.Resource`
expects.
"""

from __future__ import annotations

from typing import Any

from iacgov.model import Unknown
from iacgov.parsers.terraform.evaluate import Scope, evaluate, iterate, value_of
from iacgov.parsers.terraform.syntax import Block, Body, Expr, Lit, ObjectExpr, TupleExpr, traversal_text
from iacgov.parsers.terraform.values import BlockValue, EvalError, Lazy, origin

Locations = list[tuple[str, int]]


def lazy_value(expr: Expr, scope: Scope) -> Any:
    """Like :func:`value_of`, but references stay lazy (``for_each = aws_subnet.private``
    keeps each subnet's written arguments readable through ``each.value``)."""
    try:
        value = evaluate(expr, scope)
    except EvalError as exc:
        return Unknown(str(exc))
    except RecursionError:
        return Unknown("expression nested too deeply to evaluate")
    return value.whole() if isinstance(value, Lazy) else value


def member(body: Body, name: str, scope: Scope, path: str) -> tuple[Any, Locations]:
    """One argument, or all nested blocks of one type, of ``body``.
    ``path`` is the dotted path of ``name`` itself."""
    locations: Locations = []
    attr = body.attributes.get(name)
    if attr is not None:
        locations.append((path, attr.line))
        _literal_locations(attr.expr, path, locations)
        return value_of(attr.expr, scope), locations
    return _blocks(body.blocks_named(name), name, scope, path, locations), locations


def values(body: Body, scope: Scope, path: str, locations: Locations, skip: frozenset[str] = frozenset()) -> dict:
    """Every argument and nested block of ``body`` (``path`` is the body's own path, "" at the top)."""
    out = BlockValue()
    prefix = f"{path}." if path else ""
    for name in body.member_names():
        if name not in skip:
            out[name], found = member(body, name, scope, prefix + name)
            locations.extend(found)
    return out


def _blocks(blocks: list[Block], name: str, scope: Scope, path: str, locations: Locations) -> Any:
    out: list[Any] = []
    if blocks:
        locations.append((path, blocks[0].line))
    for block in blocks:
        if block.type != "dynamic":
            locations.append((f"{path}.{len(out)}", block.line))
            out.append(values(block.body, scope, f"{path}.{len(out)}", locations))
            continue
        expanded = _dynamic(block, name, scope, path, len(out), locations)
        if isinstance(expanded, Unknown):
            return expanded
        out.extend(expanded)
    return out


def _dynamic(block: Block, name: str, scope: Scope, path: str, start: int, locations: Locations) -> Any:
    """``dynamic "name" { for_each = ...; content {...} }``: one block per element."""
    body = block.body
    for_each = body.attributes.get("for_each")
    content = next((b for b in body.blocks if b.type == "content"), None)
    if for_each is None or content is None:
        return []
    iterator_attr = body.attributes.get("iterator")
    iterator = (traversal_text(iterator_attr.expr) if iterator_attr else None) or name
    collection = lazy_value(for_each.expr, scope)
    if isinstance(collection, Unknown):
        return Unknown(f'dynamic "{name}" blocks depend on an unknown for_each ({origin(collection.reason)})')
    try:
        pairs = iterate(collection)
    except EvalError as exc:
        return Unknown(f'dynamic "{name}": {exc}')
    out = []
    for key, item in pairs:
        item_path = f"{path}.{start + len(out)}"
        locations.append((item_path, content.line))
        inner = scope.bind({iterator: {"key": key, "value": item}})
        out.append(values(content.body, inner, item_path, locations))
    return out


def _literal_locations(expr: Expr, path: str, locations: Locations) -> None:
    """Lines of the keys and items of an object / tuple written literally."""
    if isinstance(expr, ObjectExpr):
        for key, value, line in expr.items:
            if isinstance(key, Lit) and isinstance(key.value, str):
                locations.append((f"{path}.{key.value}", line))
                _literal_locations(value, f"{path}.{key.value}", locations)
    elif isinstance(expr, TupleExpr):
        for i, (item, line) in enumerate(zip(expr.items, expr.lines)):
            locations.append((f"{path}.{i}", line))
            _literal_locations(item, f"{path}.{i}", locations)
