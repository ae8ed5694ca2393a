"""Base and head resources matched by address: added, removed, changed, replaced, moved.

Identity is the address within its stack: a Terraform root module
(``meta["root_module"]``), a CloudFormation template (its file), or the plan.
Terraform ``moved`` blocks (and a plan's ``previous_address``) carry a base
address over to its head address. Without a plan, a change is a replacement
when a region or an attribute listed in :mod:`iacgov.review.replacement`
changes; with a plan, the plan's actions say it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Iterable, Mapping, Sequence

from iacgov.model import Resource, Unknown, is_unknown
from iacgov.review.moved import Move, final_target
from iacgov.review.replacement import replacing_attributes

ADDED, REMOVED, CHANGED, REPLACED, MOVED = "added", "removed", "changed", "replaced", "moved"
META_KEYS = ("lifecycle", "DeletionPolicy", "UpdateReplacePolicy")
# Attributes that change on every plan or that only repeat others.
IGNORED = frozenset({"tags_all", "terraform_labels", "effective_labels"})


@dataclass(frozen=True)
class AttributeChange:
    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ResourceChange:
    action: str  # ADDED | REMOVED | CHANGED | REPLACED | MOVED (possibly with attribute changes)
    stack: str
    address: str  # in head; in base for a removal
    before: Resource | None
    after: Resource | None
    attributes: tuple[AttributeChange, ...] = ()
    previous_address: str | None = None  # moved from
    replaced_because: tuple[str, ...] = ()
    move_refused: str = ""  # a removal a moved block claims to carry over, and why Terraform would not

    @property
    def resource(self) -> Resource:
        return self.after or self.before  # type: ignore[return-value]

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def destroys(self) -> bool:
        return self.action in (REMOVED, REPLACED)

    def changed(self, *prefixes: str) -> list[AttributeChange]:
        return [c for c in self.attributes if any(c.path == p or c.path.startswith(p + ".") for p in prefixes)]


def stack_of(resource: Resource) -> str:
    """The namespace an address is unique in."""
    if resource.source_format == "terraform":
        root = resource.meta.get("root_module")
        return str(root) if isinstance(root, str) else str(PurePosixPath(resource.location.path).parent)
    if resource.source_format == "terraform-plan":
        return "plan"
    return resource.location.path


def key_of(resource: Resource) -> tuple[str, str]:
    return stack_of(resource), resource.address


def _plain(value: Any) -> Any:
    if is_unknown(value):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves by dotted path (``ingress.0.cidr_blocks.0``); empty containers are leaves."""
    out: dict[str, Any] = {}
    if isinstance(value, Mapping) and value:
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, (list, tuple)) and value:
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix] = value
    return out


def _same(a: Any, b: Any) -> bool:
    if is_unknown(a) or is_unknown(b):
        return is_unknown(a) and is_unknown(b) and (a.ref, a.reason) == (b.ref, b.reason)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return a == b
    return type(a) is type(b) and a == b or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                             and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def _view(resource: Resource) -> dict[str, Any]:
    values = {k: v for k, v in resource.attributes.items() if k not in IGNORED}
    for key in META_KEYS:
        if key in resource.meta:
            values[key] = resource.meta[key]
    return flatten(_plain(values))


def attribute_changes(before: Resource, after: Resource) -> tuple[AttributeChange, ...]:
    """Leaves that differ, sorted by path; a leaf absent on one side is ``None``."""
    old, new = _view(before), _view(after)
    changes = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a in (None, [], {}) and b in (None, [], {}):
            continue
        if not _same(a, b):
            changes.append(AttributeChange(path, a, b))
    return tuple(changes)


def region_changed(before: Resource, after: Resource) -> bool:
    a, b = before.region, after.region
    return isinstance(a, str) and isinstance(b, str) and a != b


def _index(resources: Iterable[Resource]) -> dict[tuple[str, str], Resource]:
    out: dict[tuple[str, str], Resource] = {}
    for r in resources:
        if r.mode == "managed":
            out.setdefault(key_of(r), r)
    return out


def _move_map(moves: Sequence[Move], head: Sequence[Resource], base_keys: Iterable[tuple[str, str]],
              head_keys: set[tuple[str, str]]) -> tuple[dict[tuple[str, str], tuple[str, str]],
                                                        dict[tuple[str, str], str]]:
    """Base key -> head key for every address a ``moved`` block carries over as
    Terraform would, and base key -> why a ``moved`` block naming it is not applied."""
    if not moves:  # nothing to carry over (and no need to index every head resource's folder)
        return {}, {}
    # Which module addresses (and stacks) each directory is instantiated as.
    instances: dict[str, set[tuple[str, str]]] = {}
    for r in head:
        if r.source_format == "terraform":
            folder = str(PurePosixPath(r.location.path).parent)
            instances.setdefault(folder, set()).add((stack_of(r), r.module))
    base_set = set(base_keys)
    directories = sorted({m.directory for m in moves})
    out: dict[tuple[str, str], tuple[str, str]] = {}
    refused: dict[tuple[str, str], str] = {}
    for stack, address in sorted(base_set):
        if (stack, address) in head_keys:
            continue
        for directory in directories:
            for head_stack, module in sorted(instances.get(directory, ())):
                prefix = f"{module}." if module else ""
                if head_stack != stack or not address.startswith(prefix):
                    continue
                target, bad = final_target(address[len(prefix):], directory, list(moves))
                key = (stack, prefix + target) if target is not None else None
                if key is not None and key in base_set:
                    refused[(stack, address)] = (f"moved block to {prefix + target} not applied: {prefix + target} "
                                                 "already exists in base, so Terraform keeps it and destroys "
                                                 f"{address}")
                elif key is not None and key in head_keys:
                    out[(stack, address)] = key
                elif bad is not None:
                    refused[(stack, address)] = f"moved block at {bad.where} not applied: {bad.refused}"
                if (stack, address) in out:
                    break
            if (stack, address) in out:
                refused.pop((stack, address), None)
                break
    return out, refused


def _classify_pair(before: Resource, after: Resource, previous: str | None) -> ResourceChange | None:
    changes = attribute_changes(before, after)
    forcing = replacing_attributes(after, changes)
    if region_changed(before, after):
        forcing = ("region", *forcing)
    if forcing:
        action = REPLACED
    elif previous is not None:
        action = MOVED
    elif changes:
        action = CHANGED
    else:
        return None
    return ResourceChange(action, stack_of(after), after.address, before, after, changes, previous, forcing)


def diff(base: Sequence[Resource], head: Sequence[Resource], moves: Sequence[Move] = (),
         same: frozenset[str] = frozenset()) -> list[ResourceChange]:
    """What the change does to each resource, configuration against configuration.

    ``same``: stacks (Terraform root modules) whose evaluation key is equal on
    both sides (:mod:`iacgov.evalcache`: the key covers every input of the
    analysis, so their resources are equal): their pairs are not compared, nor indexed — a ``moved``
    block carries an address over within its own root module only, so none reaches into or out of them."""
    if same:
        base = [r for r in base if stack_of(r) not in same]
        head = [r for r in head if stack_of(r) not in same]
    old, new = _index(base), _index(head)
    moved, refused = _move_map(moves, head, list(old), set(new))
    carried = {v: k for k, v in moved.items()}
    out: list[ResourceChange] = []
    for key, after in new.items():
        source = key if key in old else carried.get(key)
        if source is None:
            out.append(ResourceChange(ADDED, key[0], after.address, None, after))
            continue
        change = _classify_pair(old[source], after, source[1] if source != key else None)
        if change is not None:
            out.append(change)
    for key, before in old.items():
        if key not in new and key not in moved:
            out.append(ResourceChange(REMOVED, key[0], before.address, before, None,
                                      move_refused=refused.get(key, "")))
    return sorted(out, key=_order)


def plan_diff(base: Sequence[Resource], plan: Sequence[Resource], before_values: Mapping[str, Mapping[str, Any]]
              ) -> list[ResourceChange]:
    """What a plan does, from its change actions; ``before_values`` are the
    plan's ``change.before`` by address (see :func:`iacgov.review.planfile.before_values`)."""
    from dataclasses import replace

    out: list[ResourceChange] = []
    for after in plan:
        if after.mode != "managed":
            continue
        actions = tuple(after.change_actions)
        previous = after.meta.get("previous_address")
        before_attrs = before_values.get(after.address)
        before = replace(after, attributes=dict(before_attrs), change_actions=()) if before_attrs is not None else None
        changes = attribute_changes(before, after) if before is not None and "delete" not in actions else ()
        if actions == ("create",):
            out.append(ResourceChange(ADDED, "plan", after.address, None, after))
        elif actions == ("delete",):
            out.append(ResourceChange(REMOVED, "plan", after.address, before or after, None))
        elif set(actions) == {"delete", "create"}:
            reasons = tuple(".".join(str(p) for p in path) if isinstance(path, list) else str(path)
                            for path in after.meta.get("replace_paths", ()) or ())
            out.append(ResourceChange(REPLACED, "plan", after.address, before or after, after,
                                      attribute_changes(before, after) if before is not None else (),
                                      previous, reasons or ("planned replacement",)))
        elif actions == ("update",) or (previous and actions in (("no-op",), ())):
            if changes or previous:
                out.append(ResourceChange(MOVED if previous and not changes else CHANGED, "plan", after.address,
                                          before or after, after, changes, previous))
    return sorted(out, key=_order)


def _order(change: ResourceChange) -> tuple:
    return (change.stack, change.address, change.action)


def unknown_text(value: Any) -> str:
    if isinstance(value, Unknown):
        return "(known after apply)" if value.reason == "known after apply" else f"(unknown: {value.reason})"
    return str(value)
