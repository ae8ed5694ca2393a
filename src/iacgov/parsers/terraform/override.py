"""Override files (``override.tf``, ``*_override.tf``, and their ``.tf.json``
forms) merged into a module's declarations as Terraform merges them
(developer.hashicorp.com/terraform/language/files/override):

- override files are applied after every other file, in lexicographical
  order of their names, then in the order of their blocks;
- a top-level block merges into the declaration with the same header:
  ``resource`` / ``data`` by type and name, ``variable``, ``output`` and
  ``module`` by name, ``provider`` by name and ``alias``, ``locals`` value by
  value (whatever ``locals`` block declares it), ``terraform`` settings one
  by one;
- an argument replaces the argument of the same name; nested blocks of a type
  replace *all* nested blocks of that type (``dynamic "x"`` counts as type
  ``x``), whose contents are not merged; block types the override does not
  write stay;
- in ``resource`` / ``data``, ``lifecycle`` is merged argument by argument;
  ``provisioner`` and ``connection`` blocks replace the original ones (the
  general rule);
- in ``terraform``, ``required_providers`` is merged provider by provider,
  and a ``backend`` or ``cloud`` block replaces both;
- an override of something never declared, ``depends_on`` in an overriding
  ``resource`` / ``data`` / ``output``, and override files holding ``moved``,
  ``import``, ``removed`` or ``check`` blocks are errors in Terraform: they
  are reported as errors (scope ``file``) and not applied.

Where an argument comes from an override file, its lines carry that file
(:class:`FileLine`), so a finding on it points into the override file; the
block itself keeps the original file and line, as in Terraform's messages.

Differences from Terraform (it validates the merged result against provider
schemas; iacgov has none):

- Terraform refuses a merged ``variable`` whose ``default`` does not convert
  to its ``type``; iacgov converts at use, and an impossible conversion is an
  unknown value, not an error.
- Terraform merges ``lifecycle`` by the arguments it knows; iacgov merges any
  argument of it, and replaces its nested blocks (``precondition``...) by type.
- A ``terraform`` block's settings other than ``required_providers``,
  ``backend`` and ``cloud`` follow the general rule; iacgov does not analyse
  them anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from iacgov.model import Location, Notification, Severity
from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, value_of
from iacgov.parsers.terraform.syntax import Attribute, Block, Body, Expr, ObjectExpr, TupleExpr

if TYPE_CHECKING:  # pragma: no cover
    from iacgov.parsers.terraform.module import ModuleDef

SOURCE = "terraform"
# Block types an override file may not hold (Terraform: "Cannot override 'moved' blocks").
FORBIDDEN = frozenset({"moved", "import", "removed", "check"})
_NO_DEPENDS_ON = frozenset({"resource", "data", "output"})


class FileLine(int):
    """A line number that also names its file: an argument merged in from an
    override file is written there, not in the block's own file."""

    path: str  # in the instance's __dict__ (an int subtype cannot have slots)

    def __new__(cls, line: int, path: str) -> FileLine:
        value = super().__new__(cls, line)
        value.path = path
        return value

    def __reduce__(self):  # pickles as itself (the attribute is not in int's state)
        return (FileLine, (int(self), self.path))


def file_of(line: int, default: str) -> str:
    """The file a line is written in: its own for a merged argument, else ``default``."""
    return line.path if isinstance(line, FileLine) else default


@dataclass(frozen=True)
class _Problem:
    message: str
    line: int
    scope: str
    subject: str


def is_override_file(relpath: str) -> bool:
    name = relpath.rsplit("/", 1)[-1]
    return name in ("override.tf", "override.tf.json") or name.endswith(("_override.tf", "_override.tf.json"))


def apply_overrides(module: ModuleDef, blocks: list[Block]) -> None:
    """Merge the top-level ``blocks`` of override files (in the order
    Terraform applies them) into ``module``'s declarations; what cannot be
    applied is added to ``module.notifications``."""
    for block in blocks:
        for problem in _apply(module, block):
            module.notifications.append(Notification(
                problem.message, Location(block.path, max(problem.line, 1)), Severity.ERROR, SOURCE,
                scope=problem.scope, subject=problem.subject))


def _apply(module: ModuleDef, block: Block) -> list[_Problem]:
    kind, labels = block.type, block.labels
    if kind in FORBIDDEN:
        return [_Problem(f"{block.path}: {kind} blocks cannot be written in an override file (Terraform refuses "
                         "it); not applied", block.line, "file", block.path)]
    if kind == "locals":
        return _apply_locals(module, block)
    if kind == "terraform":
        module.settings[:] = [merge_terraform(s, block) for s in module.settings] or [_marked_block(block)]
        return []
    problems = []
    if kind in _NO_DEPENDS_ON and "depends_on" in block.body.attributes:
        line = block.body.attributes["depends_on"].line
        problems.append(_Problem(f"{block.path}: depends_on cannot be written in an overriding {kind} block "
                                 "(Terraform refuses it); that argument is not applied", line, "file", block.path))
        block = Block(block.type, block.labels, Body({k: v for k, v in block.body.attributes.items()
                                                      if k != "depends_on"}, block.body.blocks), block.line,
                      block.path)
    if kind in ("resource", "data") and len(labels) == 2:
        key = ("managed" if kind == "resource" else "data", *labels)
        base = module.resources.get(key)
        if base is not None:
            module.resources[key] = merge_resource(base, block)
            return problems
        what = ("data." if kind == "data" else "") + ".".join(labels)
    elif kind in ("variable", "output", "module") and len(labels) == 1:
        table = {"variable": module.variables, "output": module.outputs, "module": module.calls}[kind]
        base = table.get(labels[0])
        if base is not None:
            table[labels[0]] = merge_block(base, block)
            return problems
        what = {"variable": "var.", "output": "output ", "module": "module."}[kind] + labels[0]
    elif kind == "provider" and len(labels) == 1:
        key = provider_key(block)
        for i, base in enumerate(module.providers):
            if provider_key(base) == key:
                module.providers[i] = merge_block(base, block)
                return problems
        what = f"provider {key}"
    else:
        return [*problems, _Problem(f"{block.path}: a {kind} block cannot override anything (Terraform refuses "
                                    "it); not applied", block.line, "file", block.path)]
    return [*problems, _Problem(f"{block.path}: {kind} {' '.join(repr(x) for x in labels)} overrides nothing: "
                                f"{what} is not declared in the module's other files (Terraform refuses it); "
                                "not applied", block.line, "file", block.path)]


def _apply_locals(module: ModuleDef, block: Block) -> list[_Problem]:
    problems = []
    for name, attr in block.body.attributes.items():
        if name not in module.locals:
            problems.append(_Problem(f"{block.path}: local.{name} overrides nothing: it is not declared in the "
                                     "module's other files (Terraform refuses it); not applied",
                                     attr.line, "file", block.path))
            continue
        module.locals[name] = _marked_attribute(attr, block.path)
        module.local_paths[name] = block.path
    return problems


def provider_key(block: Block) -> str:
    """``aws`` or ``aws.us``: how Terraform matches provider configurations."""
    alias = block.body.attributes.get("alias")
    value = value_of(alias.expr, LITERAL_SCOPE) if alias is not None else None
    return f"{block.labels[0]}.{value}" if isinstance(value, str) else block.labels[0]


# -- merging -------------------------------------------------------------------------


def merge_block(base: Block, override: Block) -> Block:
    """The general rule: arguments replace arguments, nested blocks replace
    every nested block of their type."""
    return Block(base.type, base.labels, merge_body(base.body, override.body, override.path), base.line, base.path)


def merge_resource(base: Block, override: Block) -> Block:
    """The general rule, except ``lifecycle``: merged argument by argument."""
    over_lifecycles = [b for b in override.body.blocks if b.type == "lifecycle"]
    rest = Body(override.body.attributes, [b for b in override.body.blocks if b.type != "lifecycle"])
    merged = merge_body(base.body, rest, override.path)
    if over_lifecycles:
        lifecycle = next((b for b in merged.blocks if b.type == "lifecycle"), None)
        for over in over_lifecycles:
            lifecycle = _marked_block(over) if lifecycle is None else Block(
                lifecycle.type, lifecycle.labels, merge_body(lifecycle.body, over.body, override.path),
                lifecycle.line, lifecycle.path)
        others = [b for b in merged.blocks if b.type != "lifecycle"]
        at = next((i for i, b in enumerate(merged.blocks) if b.type == "lifecycle"), len(others))
        merged.blocks = [*others[:at], lifecycle, *others[at:]]
    return Block(base.type, base.labels, merged, base.line, base.path)


def merge_terraform(base: Block, override: Block) -> Block:
    """``required_providers`` per provider; ``backend`` / ``cloud`` replace each other."""
    body = Body(dict(base.body.attributes), list(base.body.blocks))
    for name, attr in override.body.attributes.items():
        body.attributes[name] = _marked_attribute(attr, override.path)
    for over in override.body.blocks:
        if over.type == "required_providers":
            current = next((b for b in body.blocks if b.type == "required_providers"), None)
            marked = _marked_block(over)
            if current is None:
                body.blocks.append(marked)
            else:
                providers = Body({**current.body.attributes, **marked.body.attributes}, list(current.body.blocks))
                body.blocks[body.blocks.index(current)] = Block(current.type, current.labels, providers,
                                                                current.line, current.path)
        elif over.type in ("backend", "cloud"):
            body.blocks = [b for b in body.blocks if b.type not in ("backend", "cloud")] + [_marked_block(over)]
        else:
            body.blocks = [b for b in body.blocks if b.type != over.type] + [_marked_block(over)]
    return Block(base.type, base.labels, body, base.line, base.path)


def merge_body(base: Body, override: Body, path: str) -> Body:
    attributes = dict(base.attributes)
    for name, attr in override.attributes.items():
        attributes[name] = _marked_attribute(attr, path)
    return Body(attributes, _replace_block_types(base.blocks, override.blocks))


def _produced(block: Block) -> str:
    """The nested block type a block produces: ``dynamic "x"`` produces ``x``."""
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def _replace_block_types(base: list[Block], override: list[Block]) -> list[Block]:
    """Base blocks of every type the override writes dropped, the override's
    blocks of each such type in place of the first of them (or at the end)."""
    over_types = {_produced(b) for b in override}
    out: list[Block] = []
    placed: set[str] = set()
    for block in base:
        kind = _produced(block)
        if kind not in over_types:
            out.append(block)
        elif kind not in placed:
            placed.add(kind)
            out.extend(_marked_block(b) for b in override if _produced(b) == kind)
    for block in override:
        if _produced(block) not in placed:
            placed.add(_produced(block))
            out.extend(_marked_block(b) for b in override if _produced(b) == _produced(block))
    return out


# -- lines that name their file ------------------------------------------------------


def _marked_attribute(attr: Attribute, path: str) -> Attribute:
    return Attribute(attr.name, _marked_expr(attr.expr, path), FileLine(attr.line, path))


def _marked_block(block: Block) -> Block:
    body = Body({n: _marked_attribute(a, block.path) for n, a in block.body.attributes.items()},
                [_marked_block(b) for b in block.body.blocks])
    return Block(block.type, block.labels, body, FileLine(block.line, block.path), block.path)


def _marked_expr(expr: Expr, path: str) -> Expr:
    """Literal objects and tuples keep a line per item (attribute locations): marked too."""
    if isinstance(expr, ObjectExpr):
        return ObjectExpr(tuple((k, _marked_expr(v, path), FileLine(line, path)) for k, v, line in expr.items))
    if isinstance(expr, TupleExpr):
        return TupleExpr(tuple(_marked_expr(i, path) for i in expr.items),
                         tuple(FileLine(line, path) for line in expr.lines))
    return expr
