"""Modules as Terraform evaluates them: variables, locals, providers, module
calls and the resources they expand into.

A :class:`ModuleDef` is what a directory declares; a :class:`ModuleInstance`
is one use of it (the root module, or ``module.x[0]``) with its own inputs,
providers and caches. Everything is evaluated on demand and once: a reference
to ``aws_s3_bucket.b.bucket`` evaluates that one argument of that one
resource (memoised, with cycle detection), and resources are looked up by
address, never by scanning.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from iacgov import normalise
from iacgov.limits import Limits, checkpoint, value_too_large
from iacgov.model import Location, Notification, Resource, Severity, Unknown
from iacgov.parsers.terraform import datasources
from iacgov.parsers.terraform.attributes import Locations, lazy_value, member, values
from iacgov.parsers.terraform.constraints import convert
from iacgov.parsers.terraform.evaluate import LITERAL_SCOPE, Scope, evaluate, iterate, value_of
from iacgov.parsers.terraform.loader import LoadedFile
from iacgov.parsers.terraform.override import apply_overrides, file_of, is_override_file  # noqa: F401 - also here
from iacgov.parsers.terraform.syntax import (
    Attribute,
    Block,
    Expr,
    ForExpr,
    GetAttr,
    ObjectExpr,
    Ref,
    TupleExpr,
    index_text,
    traversal_text,
)
from iacgov.parsers.terraform.functions import first_unknown
from iacgov.parsers.terraform.values import (
    APPLY_SUFFIX,
    EvalError,
    Lazy,
    Namespace,
    materialise,
    origin,
    read_when_planning,
    to_bool,
    to_number,
    to_string,
)
from iacgov.placeholders import placeholder

if TYPE_CHECKING:  # pragma: no cover
    from iacgov.parsers.terraform.project import Project

SOURCE = "terraform"
RESOURCE_META = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"})
CALL_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
MAX_INSTANCES = 1000  # above this, a count / for_each is reported as one resource with that count
MAX_DEPTH = 32  # module nesting; deeper is surely a cycle through symlinks or copies


def error_notification(message: str, path: str, line: int | None, level: Severity = Severity.ERROR) -> Notification:
    return Notification(message, Location(path, max(line or 1, 1)), level, SOURCE)


@dataclass
class ModuleDef:
    """What a directory declares, by kind and name."""

    dir: Path
    relpath: str  # POSIX, relative to the scan root; "." for the root itself
    files: list[str] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)  # parse errors, duplicates
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    local_paths: dict[str, str] = field(default_factory=dict)  # name -> file declaring it
    outputs: dict[str, Block] = field(default_factory=dict)
    providers: list[Block] = field(default_factory=list)
    calls: dict[str, Block] = field(default_factory=dict)
    resources: dict[tuple[str, str, str], Block] = field(default_factory=dict)  # (mode, type, name)
    managed_types: set[str] = field(default_factory=set)
    settings: list[Block] = field(default_factory=list)  # terraform {...} blocks (override files merge into them)
    reported: bool = False  # notifications handed to a result already

    @classmethod
    def from_files(cls, directory: Path, relpath: str, loaded: list[LoadedFile]) -> ModuleDef:
        module = cls(directory, relpath, files=[f.relpath for f in loaded if f.note is None])
        overrides: list[Block] = []
        for f in sorted(loaded, key=lambda f: f.relpath.rsplit("/", 1)[-1]):
            if f.note is not None:  # not a file (a directory named main.tf, a FIFO): said, not read
                module.notifications.append(f.note)
            elif f.error is not None:
                module.notifications.append(replace(
                    error_notification(f"cannot parse {f.relpath}: {f.error.reason}", f.relpath, f.error.line),
                    scope="file", subject=f.relpath))
            elif f.body is not None and is_override_file(f.relpath):
                overrides.extend(f.body.blocks)  # Terraform merges these after every other file, by name
            elif f.body is not None:
                for block in f.body.blocks:
                    module._add(block)
        apply_overrides(module, overrides)
        return module

    def _add(self, block: Block) -> None:
        kind, labels = block.type, block.labels
        if kind == "locals":
            for attr in block.body.attributes.values():
                self._put(self.locals, attr.name, attr, f"local.{attr.name}", block.path, attr.line)
                self.local_paths.setdefault(attr.name, block.path)
        elif kind == "provider" and labels:
            self.providers.append(block)
        elif kind in ("resource", "data") and len(labels) == 2:
            mode = "managed" if kind == "resource" else "data"
            address = ("data." if kind == "data" else "") + ".".join(labels)
            self._put(self.resources, (mode, *labels), block, address, block.path, block.line)
            if mode == "managed":
                self.managed_types.add(labels[0])
        elif len(labels) == 1 and kind in ("variable", "output", "module"):
            table = {"variable": self.variables, "output": self.outputs, "module": self.calls}[kind]
            self._put(table, labels[0], block, f"{kind} {labels[0]!r}", block.path, block.line)
        elif kind == "terraform":
            self.settings.append(block)
        # moved, import, removed, check blocks do not change what is declared

    def _put(self, table: dict, key: Any, item: Any, what: str, path: str, line: int) -> None:
        if key in table:
            first = table[key]
            self.notifications.append(error_notification(
                f"{what} is declared twice (first at {getattr(first, 'path', path)}:{first.line}); "
                "the second declaration is ignored", path, line, Severity.WARNING))
        else:
            table[key] = item


_MISSING = object()


class Memo:
    """Each key computed once; a key needed while it is computed is a reference
    cycle. Every value shared by reference passes here, so this is where a value
    grown from copies of copies (``l2 = [local.l1, local.l1, ...]``) is bounded:
    past ``limits.max_value_size`` items it is ``on_large()`` instead."""

    __slots__ = ("done", "active", "limits")

    def __init__(self, limits: Limits | None = None) -> None:
        self.done: dict[Any, Any] = {}
        self.active: set[Any] = set()
        self.limits = limits or Limits()

    def get(self, key: Any, compute: Callable[[], Any], on_cycle: Callable[[], Any],
            on_large: Callable[[str], Any] = Unknown) -> Any:
        value = self.done.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if key in self.active:
            return on_cycle()
        checkpoint()  # the time budget, where no signal can enforce it
        self.active.add(key)
        try:
            value = compute()
        finally:
            self.active.discard(key)
        if value_too_large(value, self.limits):
            value = on_large(f"too large to analyse (more than {self.limits.max_value_size:,} items; "
                             "limits.max_value_size)")
        self.done[key] = value
        return value


@dataclass
class Expansion:
    """The instances a ``count`` / ``for_each`` asks for: (key, names bound) pairs.
    ``unknown`` when they cannot be known: then one instance without key.
    ``keys_unknown`` when a ``for_each``'s keys are unknown but its values are
    not: one instance per value, keyed by an :class:`UnknownKey`."""

    instances: list[tuple[Any, dict[str, Any]]]
    kind: str  # "single", "count", "for_each"
    unknown: Unknown | None = None
    count: int | None = None  # a count too large to expand
    keys_unknown: Unknown | None = None


@dataclass(frozen=True)
class UnknownKey:
    """A ``for_each`` key known only after apply (built from an account or
    subscription ID), of an instance whose value is known. ``each.key`` is
    ``value``; the address shows ``label``: the key's known text with
    placeholders for the rest (``["<unknown:data.azurerm_client_config.current.subscription_id>-logs"]``),
    ``#2``, ``#3``... after a label already taken."""

    value: Unknown
    label: str


def instance_index(key: Any) -> str:
    """An instance key in an address: ``[0]``, ``["logs"]``, ``["<unknown:REF>-logs"]``."""
    return index_text(key.label if isinstance(key, UnknownKey) else key)


def expand(attributes: dict[str, Attribute], scope: Scope) -> Expansion:
    if "count" in attributes:
        value = value_of(attributes["count"].expr, scope)
        if isinstance(value, Unknown):
            unknown = Unknown(f"count is unknown ({value.reason})")
            return Expansion([(None, {"count": {"index": unknown}})], "count", unknown)
        try:
            n = int(to_number(value))
        except (EvalError, ValueError, OverflowError):
            unknown = Unknown(f"count is not a number ({value!r})")
            return Expansion([(None, {"count": {"index": unknown}})], "count", unknown)
        if n > MAX_INSTANCES:
            unknown = Unknown(f"count.index of one of {n} instances")
            return Expansion([(None, {"count": {"index": unknown}})], "count", count=n)
        return Expansion([(i, {"count": {"index": i}}) for i in range(max(n, 0))], "count")
    if "for_each" in attributes:
        value = lazy_value(attributes["for_each"].expr, scope)
        pairs = _for_each_pairs(value)
        if isinstance(pairs, Unknown):
            per_value = _per_value_pairs(attributes["for_each"].expr, scope)
            if per_value is None:
                each = {"key": pairs, "value": pairs}
                return Expansion([(None, {"each": each})], "for_each", pairs)
            pairs = per_value
        if len(pairs) > MAX_INSTANCES:
            unknown = Unknown(f"each of {len(pairs)} instances")
            return Expansion([(None, {"each": {"key": unknown, "value": unknown}})], "for_each", count=len(pairs))
        instances = [(k, {"each": {"key": k.value if isinstance(k, UnknownKey) else k, "value": v}}) for k, v in pairs]
        keys_unknown = next((k.value for k, _ in pairs if isinstance(k, UnknownKey)), None)
        return Expansion(instances, "for_each", keys_unknown=keys_unknown)
    return Expansion([(None, {})], "single")


def _for_each_pairs(value: Any) -> list[tuple[str, Any]] | Unknown:
    if isinstance(value, Unknown):
        return Unknown(f"for_each is unknown ({value.reason})")
    if isinstance(value, dict):
        return sorted(value.items())
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return [(v, v) for v in sorted(set(value))]
        part = next((v for v in value if isinstance(v, Unknown)), None)
        if part is not None:
            return Unknown(f"for_each is a set with unknown elements ({origin(part.reason)})")
    return Unknown(f"for_each must be a map or a set of strings, not {value!r:.60}")


MAX_FOLLOW = 8  # local.a -> var.b -> ... links followed to find a for_each's expression


def _per_value_pairs(expr: Expr, scope: Scope) -> list[tuple[Any, Any]] | None:
    """A ``for_each`` map whose keys are unknown but whose values are not
    (``{for k, v in var.workspaces : "${data.x.subscription_id}-${k}" => v}``),
    read from its expression, through ``local.`` and ``var.`` references:
    (key, value) pairs, known keys sorted first, then :class:`UnknownKey` ones
    in the collection's order. None when that cannot be done: no unknown key,
    no value known, an unknown ``if``, a grouping ``...``, or another form."""
    for _ in range(MAX_FOLLOW):
        followed = _followed(expr, scope)
        if followed is None:
            break
        expr, scope = followed
    try:
        if isinstance(expr, ForExpr) and expr.key is not None and not expr.group:
            raw = _for_items(expr, scope)
        elif isinstance(expr, ObjectExpr):
            raw = [(materialise(evaluate(k, scope)), materialise(evaluate(v, scope))) for k, v, _ in expr.items]
        else:
            return None
    except (EvalError, RecursionError):
        return None
    if raw is None or all(isinstance(v, Unknown) for _, v in raw):
        return None
    known: dict[str, Any] = {}
    unknown: list[tuple[UnknownKey, Any]] = []
    labels: set[str] = set()
    for key, value in raw:
        if not isinstance(key, Unknown):
            try:
                key = to_string(key)
            except EvalError:
                return None
            if key in known:
                return None  # Terraform refuses duplicate keys
            known[key] = value
            continue
        label = text = placeholder(key)
        n = 1
        while label in labels or label in known:
            n += 1
            label = f"{text} #{n}"
        labels.add(label)
        unknown.append((UnknownKey(key, label), value))
    if not unknown:
        return None
    return [*sorted(known.items()), *unknown]


def _for_items(expr: ForExpr, scope: Scope) -> list[tuple[Any, Any]] | None:
    """Each element's (key, value) of an object ``for``, keys left unknown where they are."""
    collection = evaluate(expr.collection, scope)
    if isinstance(collection, Lazy):
        collection = collection.whole()
    if isinstance(collection, Unknown):
        return None
    out = []
    for k, v in iterate(collection):
        inner = scope.bind({expr.value_var: v, **({expr.key_var: k} if expr.key_var else {})})
        if expr.cond is not None:
            keep = materialise(evaluate(expr.cond, inner))
            if isinstance(keep, Unknown):
                return None  # whether the instance exists is unknown
            if not to_bool(keep):
                continue
        out.append((materialise(evaluate(expr.key, inner)), materialise(evaluate(expr.value, inner))))
    return out


def _followed(expr: Expr, scope: Scope) -> tuple[Expr, Scope] | None:
    """The expression ``local.x`` or ``var.x`` stands for, with its scope
    (the module's, or the caller's for an input)."""
    if not (isinstance(expr, GetAttr) and isinstance(expr.obj, Ref) and expr.obj.name in ("local", "var")):
        return None
    module = getattr(scope.resolve, "__self__", None)  # the module instance the scope belongs to
    if not isinstance(module, ModuleInstance) or _bound(scope, expr.obj.name):
        return None
    if expr.obj.name == "local":
        attr = module.definition.locals.get(expr.name)
        return (attr.expr, module.scope) if attr is not None else None
    return module.inputs.get(expr.name)


def _bound(scope: Scope, name: str) -> bool:
    found: Scope | None = scope
    while found is not None:
        if found.names and name in found.names:
            return True
        found = found.parent
    return False


def _ephemeral(ref: str) -> Unknown:
    return Unknown(f"{ref} is an ephemeral resource: Terraform opens it when it runs, a scan never knows it", ref=ref)


class ModuleInstance(Lazy):
    """One instance of a module: ``module.x[0]`` is the value of its outputs."""

    __slots__ = ("project", "definition", "ref", "address", "inputs", "providers", "ancestors",
                 "unknown_count", "scope", "memo", "groups", "calls", "_roots")

    def __init__(
        self,
        project: Project,
        definition: ModuleDef,
        address: str,
        inputs: dict[str, tuple[Expr, Scope]],
        inherited: dict[str, ProviderConfig],
        ancestors: tuple[Path, ...] = (),
        unknown_count: Unknown | None = None,
    ) -> None:
        self.project = project
        self.definition = definition
        self.address = address  # "" for the root, "module.a[0].module.b"
        self.ref = address or "the root module"
        self.inputs = inputs
        self.ancestors = ancestors + (definition.dir,)
        self.unknown_count = unknown_count
        self.scope = Scope(self.resolve)
        self.memo = Memo(project.limits)
        self._roots: dict[str, Any] = {}
        self.providers = dict(inherited)
        for block in definition.providers:
            alias = block.body.attributes.get("alias")
            alias_value = value_of(alias.expr, LITERAL_SCOPE) if alias else None
            key = f"{block.labels[0]}.{alias_value}" if isinstance(alias_value, str) else block.labels[0]
            self.providers[key] = ProviderConfig(self._prefixed(key), block, self)
        self.groups = {key: ResourceGroup(self, key[0], block) for key, block in definition.resources.items()}
        self.calls = {name: ModuleCall(self, block) for name, block in definition.calls.items()}
        project.instantiated(definition)

    def _prefixed(self, address: str) -> str:
        return f"{self.address}.{address}" if self.address else address

    # names visible in the module

    def resolve(self, name: str) -> Any:
        found = self._roots.get(name)
        if found is None:
            found = self._roots[name] = self._root(name)
        return found

    def _root(self, name: str) -> Any:
        if name == "var":
            return Namespace("var", self.variable)
        if name == "local":
            return Namespace("local", self.local)
        if name == "module":
            return Namespace("module", self.call_value)
        if name == "data":
            return Namespace("data", lambda t: Namespace(f"data.{t}", lambda n: self._group_value("data", t, n)))
        if name == "ephemeral":  # ephemeral resources (Terraform 1.10) are opened when Terraform runs, never stored
            return Namespace("ephemeral",
                             lambda t: Namespace(f"ephemeral.{t}", lambda n: _ephemeral(f"ephemeral.{t}.{n}")))
        if name == "path":  # as Terraform sets them when run in the root module's directory
            root = self.ancestors[0]
            return {"module": Path(os.path.relpath(self.definition.dir, root)).as_posix(), "root": ".",
                    "cwd": root.as_posix()}
        if name == "terraform":
            return {"workspace": "default"}
        if name in self.definition.managed_types:
            return Namespace(name, lambda n: self._group_value("managed", name, n))
        raise EvalError(f"{name!r} is not available here")

    def _group_value(self, mode: str, type_: str, name: str) -> Any:
        group = self.groups.get((mode, type_, name))
        if group is None:
            raise EvalError(f"{'data.' if mode == 'data' else ''}{type_}.{name} is not declared")
        return group.value()

    def variable(self, name: str) -> Any:
        block = self.definition.variables.get(name)
        if block is None:
            raise EvalError(f"var.{name} is not declared")
        return self.memo.get(("var", name), lambda: self._variable(name, block),
                             lambda: Unknown(f"var.{name} depends on itself", ref=f"var.{name}"))

    def _variable(self, name: str, block: Block) -> Any:
        attrs = block.body.attributes
        type_expr = attrs["type"].expr if "type" in attrs else Ref("any")
        given = self.inputs.get(name)
        if given is not None:
            value = lazy_value(*given)
            nullable = value_of(attrs["nullable"].expr, LITERAL_SCOPE) if "nullable" in attrs else True
            if value is not None or nullable is not False or "default" not in attrs:
                return convert(value, type_expr)
        if "default" in attrs:
            return convert(value_of(attrs["default"].expr, LITERAL_SCOPE), type_expr)
        return Unknown(f"var.{name} has no value", ref=f"var.{name}")

    def from_default(self, name: str) -> bool:
        """Whether ``var.name`` takes its declared default (no value given for it)."""
        block = self.definition.variables.get(name)
        return block is not None and "default" in block.body.attributes and self.inputs.get(name) is None

    def local(self, name: str) -> Any:
        attr = self.definition.locals.get(name)
        if attr is None:
            raise EvalError(f"local.{name} is not declared")
        path = self.definition.local_paths.get(name, "")

        def bounded(why: str) -> Unknown:
            self.project.notify(error_notification(f"{self._prefixed('local.' + name)} is {why}: its value is unknown",
                                                   path, attr.line, Severity.WARNING))
            return Unknown(f"local.{name} is {why}")

        return self.memo.get(("local", name), lambda: lazy_value(attr.expr, self.scope),
                             lambda: bounded("part of a reference cycle (it depends on itself)"), bounded)

    def output(self, name: str) -> Any:
        block = self.definition.outputs.get(name)
        if block is None or "value" not in block.body.attributes:
            raise EvalError(f"{self.ref} has no output {name!r}")
        expr = block.body.attributes["value"].expr
        return self.memo.get(("output", name), lambda: lazy_value(expr, self.scope),
                             lambda: Unknown(f"{self.ref}.{name} depends on itself (cycle)"),
                             lambda why: Unknown(f"{self.ref}.{name} is {why}"))

    def call_value(self, name: str) -> Any:
        call = self.calls.get(name)
        if call is None:
            raise EvalError(f"module.{name} is not declared")
        return call.value()

    attr = output

    def whole(self) -> Any:
        """``module.x`` used as a value (``values(module.x)``): as in Terraform, the
        object of its outputs, each evaluated (and memoised) as ``module.x.name`` is."""
        return self.memo.get(("whole",), self._outputs,
                             lambda: Unknown(f"{self.ref} depends on itself (cycle)", ref=self.ref),
                             lambda why: Unknown(f"{self.ref} is {why}", ref=self.ref))

    def _outputs(self) -> dict[str, Any]:
        return {name: materialise(self.output(name)) for name, block in self.definition.outputs.items()
                if "value" in block.body.attributes}

    def resources(self) -> Iterator[Resource]:
        for group in self.groups.values():
            for instance in group.instances():
                resource = self._resource(instance)
                if resource is not None:
                    yield resource
        for call in self.calls.values():
            for child in call.instances():
                yield from child.resources()

    def _resource(self, instance: ResourceInstance) -> Resource | None:
        try:
            return instance.resource()
        except Exception as exc:  # a bug in iacgov must not hide the rest of the scan
            block = instance.group.block
            self.project.notify(error_notification(
                f"{instance.address}: internal error while evaluating ({exc!r})", block.path, block.line))
            return None


class ProviderConfig:
    """One ``provider`` block, configured in the module instance declaring it."""

    __slots__ = ("name", "block", "module", "_values")

    def __init__(self, name: str, block: Block, module: ModuleInstance) -> None:
        self.name = name  # "aws.us", "module.child.aws"
        self.block = block
        self.module = module
        self._values: dict | None = None

    def values(self) -> dict:
        if self._values is None:
            self._values = values(self.block.body, self.module.scope, "", [], skip=frozenset({"alias"}))
        return self._values


class ResourceGroup:
    """A ``resource`` / ``data`` block in a module instance, before expansion."""

    __slots__ = ("module", "mode", "block", "type", "name", "ref", "_instances", "_value", "_provider")

    def __init__(self, module: ModuleInstance, mode: str, block: Block) -> None:
        self.module = module
        self.mode = mode
        self.block = block
        self.type, self.name = block.labels
        self.ref = f"{'data.' if mode == 'data' else ''}{self.type}.{self.name}"  # as written in the module
        self._instances: list[ResourceInstance] | None = None
        self._value: Any = None
        self._provider: tuple[ProviderConfig | None, str] | None = None

    def instances(self) -> list[ResourceInstance]:
        if self._instances is None:
            self._instances = []  # a count referring to its own resource finds no instance
            expansion = expand(self.block.body.attributes, self.module.scope)
            count: Any = expansion.count or expansion.unknown or self.module.unknown_count or 1
            self._instances = [ResourceInstance(self, key, names, count) for key, names in expansion.instances]
            self._value = self._group_value(expansion)
            if expansion.unknown is not None and self.mode == "managed":
                self._not_analysed(expansion)
        return self._instances

    def _not_analysed(self, expansion: Expansion) -> None:
        """An unknown count / for_each: the instances cannot be told apart, so
        what depends on count.index / each is unknown — never silently passed."""
        address = self.module._prefixed(self.ref)
        names = "count.index" if expansion.kind == "count" else "each.key and each.value"
        self.module.project.notify(Notification(
            f"{address}: instances not analysed: {expansion.unknown.reason}; only the arguments that do not "
            f"depend on {names} are checked",
            Location(self.block.path, max(self.block.line, 1)), Severity.WARNING, SOURCE,
            scope="resource", subject=address))

    def _group_value(self, expansion: Expansion) -> Any:
        if expansion.count is not None:
            return Unknown(f"{self.ref} has {expansion.count} instances, not expanded", ref=self.ref)
        if expansion.unknown is not None:
            return Unknown(f"{self.ref} has an unknown number of instances "
                           f"({origin(expansion.unknown.reason, through_resources=True)})", ref=self.ref)
        if expansion.keys_unknown is not None:
            return Unknown(f"{self.ref} has instances whose keys are unknown "
                           f"({origin(expansion.keys_unknown.reason)})", ref=self.ref)
        if expansion.kind == "single":
            return self._instances[0] if self._instances else None
        if expansion.kind == "count":
            return list(self._instances)
        return {inst.key: inst for inst in self._instances}

    def value(self) -> Any:
        """What ``type.name`` evaluates to: an instance, a list or map of them."""
        self.instances()
        return self._value

    def provider(self) -> tuple[ProviderConfig | None, str]:
        """The provider configuration used, and its name for messages."""
        if self._provider is None:
            attr = self.block.body.attributes.get("provider")
            key = (traversal_text(attr.expr) if attr else None) or self.type.split("_", 1)[0]
            config = self.module.providers.get(key)
            self._provider = (config, config.name if config else key)
        return self._provider


class ResourceInstance(Lazy):
    """One instance of a resource: ``aws_instance.web[0]``."""

    __slots__ = ("group", "key", "scope", "ref", "count", "memo")

    def __init__(self, group: ResourceGroup, key: Any, names: dict[str, Any], count: Any) -> None:
        self.group = group
        self.key = key
        self.scope = group.module.scope.bind(names) if names else group.module.scope
        self.ref = group.ref + (instance_index(key) if key is not None else "")
        self.count = count
        self.memo = Memo(group.module.project.limits)

    @property
    def address(self) -> str:
        return self.group.module._prefixed(self.ref)

    def member(self, name: str) -> tuple[Any, Locations]:
        """An argument or nested blocks as written, evaluated once."""
        return self.memo.get(
            name,
            lambda: member(self.group.block.body, name, self.scope, name),
            lambda: self._bounded(name, "part of a reference cycle (it depends on itself)"),
            lambda why: self._bounded(name, why),
        )

    def _bounded(self, name: str, why: str) -> tuple[Unknown, Locations]:
        block = self.group.block
        self.group.module.project.notify(error_notification(
            f"{self.address}.{name} is {why}: its value is unknown", block.path, block.line, Severity.WARNING))
        return Unknown(f"{self.ref}.{name} is {why}"), []

    def argument(self, name: str) -> Any:
        """A written argument's value, None when it is not written (nor are
        blocks of that name: dynamic blocks expanding to none leave a nested
        block to the provider)."""
        body = self.group.block.body
        if name in RESOURCE_META or (name not in body.attributes and not body.blocks_named(name)):
            return None
        value = self.member(name)[0]
        return None if value == [] and name not in body.attributes else value

    def attr(self, name: str) -> Any:
        value = self.argument(name)
        if value is None and self.group.mode == "data":
            value = datasources.computed_attribute(self.group.type, name, self.argument, self.provider_region)
        if value is None:
            ref = f"{self.ref}.{name}"
            return Unknown(self._unknown_reason(ref), ref=ref)
        return value

    def whole(self) -> Any:
        return Unknown(self._unknown_reason(self.ref), ref=self.ref)

    def _unknown_reason(self, ref: str) -> str:
        """A data source is read while Terraform plans, unless its arguments
        wait for a managed resource (then, like a resource's, when it applies)."""
        if self.group.mode == "data" and not self.memo.get(("read at apply",), self._read_at_apply,
                                                             lambda: False, lambda why: False):
            return read_when_planning(ref)
        return f"{ref}{APPLY_SUFFIX}"

    def _read_at_apply(self) -> bool:
        """https://developer.hashicorp.com/terraform/language/data-sources#data-resource-behavior:
        reading is deferred to apply when an argument is known only then, or
        the data source depends_on resources."""
        body = self.group.block.body
        if "depends_on" in body.attributes:
            return True
        for name in body.member_names():
            if name not in RESOURCE_META:
                part = first_unknown(self.member(name)[0])
                if part is not None and origin(part.reason, through_resources=True).endswith(APPLY_SUFFIX):
                    return True
        return False

    def provider_region(self) -> Any:
        config, name = self.group.provider()
        return normalise.terraform_region(self.group.type, {}, config.values() if config else None, name)

    def _zones_region(self, attributes: dict[str, Any], region: Any) -> Any:
        """A region left unknown by a zone taken from ``data.google_compute_zones.X.names[i]``: that data source's
        ``region`` argument, else its provider's ``region`` (not its zone), the one region all its zones are in."""
        name = datasources.zones_source(attributes.get("zone")) if isinstance(region, Unknown) else None
        source = self.group.module.groups.get(("data", "google_compute_zones", name)) if name else None
        if source is None or source.block.body.attributes.keys() & {"count", "for_each"}:
            return region
        own = source.instances()[0].argument("region")
        config = source.provider()[0]
        found = own if own is not None else (config.values().get("region") if config else None)
        return found.lower() if isinstance(found, str) else region

    def resource(self) -> Resource:
        group, block = self.group, self.group.block
        attributes: dict[str, Any] = {}
        locations: Locations = []
        for name in block.body.member_names():
            if name not in RESOURCE_META:
                attributes[name], found = self.member(name)
                locations.extend(found)
        config, provider_name = group.provider()
        provider_values = config.values() if config else None
        path = block.path
        return Resource(
            address=self.address,
            type=group.type,
            cloud=normalise.cloud_of_type(group.type),
            source_format=SOURCE,
            location=Location(path, block.line),
            attributes=attributes,
            attribute_locations={p: Location(file_of(line, path), int(line)) for p, line in locations},
            region=self._zones_region(attributes, normalise.terraform_region(
                group.type, attributes, provider_values, provider_name)),
            tags=normalise.terraform_tags(group.type, attributes, provider_values),
            mode=group.mode,
            provider=provider_name,
            module=group.module.address,
            count=self.count,
            meta=self._meta(),
        )

    def _meta(self) -> dict[str, Any]:
        body = self.group.block.body
        meta: dict[str, Any] = {}
        if self.key is not None:
            meta["index"] = self.key.value if isinstance(self.key, UnknownKey) else self.key
        depends_on = body.attributes.get("depends_on")
        if depends_on is not None and isinstance(depends_on.expr, TupleExpr):
            meta["depends_on"] = [traversal_text(e) or "?" for e in depends_on.expr.items]
        # arguments written as a variable left at its default: a finding on one says so
        defaults = {name: ref[4:] for name, attr in body.attributes.items()
                    if (ref := traversal_text(attr.expr)) and re.fullmatch(r"var\.[A-Za-z0-9_-]+", ref)
                    and self.group.module.from_default(ref[4:])}
        if defaults:
            meta["variable_defaults"] = defaults
        lifecycle = next((b for b in body.blocks if b.type == "lifecycle"), None)
        if lifecycle is not None:
            meta["lifecycle"] = {
                name: _traversals(attr.expr) if name in ("ignore_changes", "replace_triggered_by")
                else value_of(attr.expr, self.scope)
                for name, attr in lifecycle.body.attributes.items()
            }
        return meta


def _traversals(expr: Expr) -> Any:
    """``ignore_changes = [tags]`` names attributes; it is not evaluated."""
    if isinstance(expr, TupleExpr):
        return [traversal_text(e) or "?" for e in expr.items]
    return traversal_text(expr) or "?"


class ModuleCall:
    """A ``module "x"`` block in a module instance."""

    __slots__ = ("module", "block", "name", "address", "_instances", "_value")

    def __init__(self, module: ModuleInstance, block: Block) -> None:
        self.module = module
        self.block = block
        self.name = block.labels[0]
        self.address = module._prefixed(f"module.{self.name}")
        self._instances: list[ModuleInstance] | None = None
        self._value: Any = None

    def instances(self) -> list[ModuleInstance]:
        if self._instances is None:
            self._instances = []
            self._value = Unknown(f"{self.address} is not analysed", ref=f"module.{self.name}")
            target = self.module.project.module_for_call(self.module, self.block, self.address)
            if target is not None:
                self._instantiate(target)
        return self._instances

    def _instantiate(self, target: ModuleDef) -> None:
        caller = self.module
        attrs = self.block.body.attributes
        expansion = expand(attrs, caller.scope)
        unknown = expansion.unknown or (
            Unknown(f"{self.address} has {expansion.count} instances, analysed as one") if expansion.count else None)
        if expansion.unknown is not None:
            self._not_analysed(expansion)
        for key, names in expansion.instances:
            scope = caller.scope.bind(names) if names else caller.scope
            inputs = {name: (attr.expr, scope) for name, attr in attrs.items() if name not in CALL_META}
            address = self.address + (instance_index(key) if key is not None else "")
            child = ModuleInstance(caller.project, target, address, inputs, self._providers(),
                                   caller.ancestors, unknown or caller.unknown_count)
            self._instances.append(child)
        if unknown is not None:
            self._value = Unknown(f"{self.address} has an unknown number of instances "
                                  f"({origin(unknown.reason, through_resources=True)})", ref=f"module.{self.name}")
        elif expansion.keys_unknown is not None:
            self._value = Unknown(f"{self.address} has instances whose keys are unknown "
                                  f"({origin(expansion.keys_unknown.reason)})", ref=f"module.{self.name}")
        elif expansion.kind == "single":
            self._value = self._instances[0]
        elif expansion.kind == "count":
            self._value = list(self._instances)
        else:
            self._value = {key: child for (key, _), child in zip(expansion.instances, self._instances)}

    def _not_analysed(self, expansion: Expansion) -> None:
        """As for a resource: the module's instances cannot be told apart."""
        names = "count.index" if expansion.kind == "count" else "each.key and each.value"
        self.module.project.notify(Notification(
            f"{self.address}: module instances not analysed: {expansion.unknown.reason}; its resources are "
            f"analysed once, only the arguments that do not depend on {names} are checked",
            Location(self.block.path, max(self.block.line, 1)), Severity.WARNING, SOURCE,
            scope="module", subject=self.address))

    def _providers(self) -> dict[str, ProviderConfig]:
        """Default configurations are inherited; ``providers = {...}`` passes others."""
        caller = self.module.providers
        passed = {k: v for k, v in caller.items() if "." not in k}
        mapping = self.block.body.attributes.get("providers")
        if mapping is not None and isinstance(mapping.expr, ObjectExpr):
            for key_expr, value_expr, _line in mapping.expr.items:
                child_key, parent_key = traversal_text(key_expr), traversal_text(value_expr)
                if child_key and parent_key in caller:
                    passed[child_key] = caller[parent_key]
        return passed

    def value(self) -> Any:
        """What ``module.x`` evaluates to."""
        self.instances()
        return self._value
