"""The small syntax tree the Terraform front end evaluates.

Lark's parse tree is compiled once (:mod:`.loader`) into these plain tuples:
they carry only what evaluation needs (no punctuation, no comments), which
makes evaluation simple and fast, and they pickle cheaply, so files can be
parsed in worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union


class Lit(NamedTuple):
    value: Any


class Ref(NamedTuple):
    """A root name: ``var``, ``local``, ``aws_s3_bucket``, a ``for`` variable..."""

    name: str


class GetAttr(NamedTuple):
    obj: Expr
    name: str


class Index(NamedTuple):
    obj: Expr
    key: Expr


# The name a splat binds each element to while its traversal is evaluated.
SPLAT_ITEM = "\0splat"


class Splat(NamedTuple):
    """``source[*].a.b``: ``each`` is evaluated once per element, with the
    element bound to :data:`SPLAT_ITEM`."""

    source: Expr
    each: Expr


class Call(NamedTuple):
    name: str  # ``lower``, or ``provider::aws::arn_parse``
    args: tuple[Expr, ...]
    expand_last: bool  # ``f(list...)``


class TupleExpr(NamedTuple):
    items: tuple[Expr, ...]
    lines: tuple[int, ...]


class ObjectExpr(NamedTuple):
    items: tuple[tuple[Expr, Expr, int], ...]  # (key, value, line)


class ForExpr(NamedTuple):
    """``[for k, v in coll : value if cond]`` (``key`` is None) or
    ``{for k, v in coll : key => value... if cond}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None
    value: Expr
    cond: Expr | None
    group: bool


class Conditional(NamedTuple):
    cond: Expr
    then: Expr
    otherwise: Expr


class BinaryOp(NamedTuple):
    op: str
    left: Expr
    right: Expr


class UnaryOp(NamedTuple):
    op: str  # "-" or "!"
    operand: Expr


class TemplateIf(NamedTuple):
    cond: Expr
    then: tuple[Any, ...]  # template parts
    otherwise: tuple[Any, ...]


class TemplateFor(NamedTuple):
    key_var: str | None
    value_var: str
    collection: Expr
    body: tuple[Any, ...]


class Template(NamedTuple):
    """A string with interpolations: parts are ``str``, expressions,
    :class:`TemplateIf` or :class:`TemplateFor`."""

    parts: tuple[Any, ...]


class Invalid(NamedTuple):
    """Something that parsed but cannot be evaluated (a malformed heredoc template)."""

    reason: str


Expr = Union[
    Lit, Ref, GetAttr, Index, Splat, Call, TupleExpr, ObjectExpr, ForExpr, Conditional,
    BinaryOp, UnaryOp, Template, Invalid,
]


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int

    # Pickled as a constructor call (parsed files go to the parse cache and between processes), not as
    # a slotted object's state (a dict of slot names and values per object): a syntax tree dumps about a
    # third faster, in a quarter fewer bytes (600 files of benchmarks/generate.py's estate).
    def __reduce__(self) -> tuple:
        return Attribute, (self.name, self.expr, self.line)


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_named(self, name: str) -> list[Block]:
        """Nested blocks that produce ``name``: static ones and ``dynamic "name"``."""
        return [
            b for b in self.blocks
            if b.type == name or (b.type == "dynamic" and b.labels[:1] == (name,))
        ]

    def member_names(self) -> list[str]:
        """Argument names, then nested block names, each once, in source order."""
        names = list(self.attributes)
        for b in self.blocks:
            name = b.labels[0] if b.type == "dynamic" and b.labels else b.type
            if name not in names:
                names.append(name)
        return names

    def __reduce__(self) -> tuple:  # as Attribute's
        return Body, (self.attributes, self.blocks)


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    line: int
    path: str  # relpath of the file, POSIX

    def __reduce__(self) -> tuple:  # as Attribute's
        return Block, (self.type, self.labels, self.body, self.line, self.path)


def traversal_text(expr: Expr) -> str | None:
    """``aws.eu`` for a static reference (``provider = aws.eu``,
    ``depends_on = [aws_s3_bucket.b]``), None for anything else."""
    if isinstance(expr, Ref):
        return expr.name
    if isinstance(expr, GetAttr):
        base = traversal_text(expr.obj)
        return f"{base}.{expr.name}" if base else None
    if isinstance(expr, Index) and isinstance(expr.key, Lit):
        base = traversal_text(expr.obj)
        return f"{base}{index_text(expr.key.value)}" if base else None
    if isinstance(expr, Lit) and isinstance(expr.value, str):  # quoted keys: "aws.eu" = aws.x
        return expr.value
    return None


def index_text(key: Any) -> str:
    """An instance key as Terraform writes it in addresses: ``[0]``, ``["logs"]``."""
    if isinstance(key, str):
        return '["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return f"[{key}]"
