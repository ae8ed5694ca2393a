"""Companion resources: a separate block that sets how another resource keeps its data.

Since version 4 of the AWS provider, a bucket's lifecycle, encryption,
replication, versioning, object lock and public access block are resources
of their own (``aws_s3_bucket_lifecycle_configuration`` and so on), attached
to the bucket by its ``bucket`` argument. Azure's storage management policy
and customer-managed key, and EFS backup and replication policies, work the
same way. Adding one of them to an existing bucket changes that bucket: it is
classified as a change *of the bucket* (its address), pointing at the
companion's line, by comparing what the bucket and all its companions say
together in base and in head — so moving an inline ``lifecycle_rule`` into a
companion, with the same storage classes, decides nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from iacgov.model import Resource, Unknown, is_unknown
from iacgov.placeholders import PATTERN as PLACEHOLDER
from iacgov.review.diff import ADDED, CHANGED, REMOVED, REPLACED, ResourceChange, flatten, key_of, stack_of
from iacgov.review.model import Decision


@dataclass(frozen=True)
class Companion:
    kind: str
    parent_kinds: tuple[str, ...]
    reference: str  # the argument that names the parent
    parent_keys: tuple[str, ...]  # parent attributes a literal reference may equal (bucket name, id)
    aspect: str  # storage | encryption | replication | versioning | retention | exposure | logging | backup


_S3 = ("aws_s3_bucket",)
_BUCKET = ("bucket", "id")
COMPANIONS: dict[str, Companion] = {c.kind: c for c in (
    Companion("aws_s3_bucket_lifecycle_configuration", _S3, "bucket", _BUCKET, "storage"),
    Companion("aws_s3_bucket_intelligent_tiering_configuration", _S3, "bucket", _BUCKET, "storage"),
    Companion("aws_s3_bucket_server_side_encryption_configuration", _S3, "bucket", _BUCKET, "encryption"),
    Companion("aws_s3_bucket_replication_configuration", _S3, "bucket", _BUCKET, "replication"),
    Companion("aws_s3_bucket_versioning", _S3, "bucket", _BUCKET, "versioning"),
    Companion("aws_s3_bucket_object_lock_configuration", _S3, "bucket", _BUCKET, "retention"),
    Companion("aws_s3_bucket_public_access_block", _S3, "bucket", _BUCKET, "exposure"),
    Companion("aws_s3_bucket_logging", _S3, "bucket", _BUCKET, "logging"),
    Companion("azurerm_storage_management_policy", ("azurerm_storage_account",), "storage_account_id", ("id",),
              "storage"),
    Companion("azurerm_storage_account_customer_managed_key", ("azurerm_storage_account",), "storage_account_id",
              ("id",), "encryption"),
    Companion("aws_efs_backup_policy", ("aws_efs_file_system",), "file_system_id", ("id",), "backup"),
    Companion("aws_efs_replication_configuration", ("aws_efs_file_system",), "source_file_system_id", ("id",),
              "replication"),
    Companion("aws_db_instance_automated_backups_replication", ("aws_db_instance",), "source_db_instance_arn",
              ("arn",), "replication"),
)}

# kind -> dotted paths (``*`` any list index) naming a storage class or tier, companions and inline forms.
STORAGE_PATHS: dict[str, tuple[str, ...]] = {
    "aws_s3_bucket": ("lifecycle_rule.*.transition.*.storage_class",
                      "lifecycle_rule.*.noncurrent_version_transition.*.storage_class"),
    "aws_s3_bucket_lifecycle_configuration": ("rule.*.transition.*.storage_class",
                                              "rule.*.noncurrent_version_transition.*.storage_class"),
    "aws_s3_bucket_intelligent_tiering_configuration": ("tiering.*.access_tier",),
    "azurerm_storage_management_policy": (
        "rule.*.actions.*.base_blob.*.tier_to_cool_after_days_since_modification_greater_than",
        "rule.*.actions.*.base_blob.*.tier_to_cold_after_days_since_modification_greater_than",
        "rule.*.actions.*.base_blob.*.tier_to_archive_after_days_since_modification_greater_than"),
}
_TIER_NAMES = re.compile(r"tier_to_([a-z]+)_after")


def _glob(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(path).replace(r"\*", r"\d+") + "$")


_STORAGE = {kind: [_glob(p) for p in paths] for kind, paths in STORAGE_PATHS.items()}


# --------------------------------------------------------------------------- finding the parent


def _module_prefix(resource: Resource) -> str:
    """``module.a.`` for ``module.a.aws_x.y[0]``: where the companion's references resolve."""
    address = re.sub(r"\[[^\]]*\]$", "", resource.address)
    parts = address.rsplit(".", 2)
    return parts[0] + "." if len(parts) == 3 else ""


def _reference(value: Any) -> str | None:
    """``aws_s3_bucket.data`` for a reference to ``aws_s3_bucket.data.id`` (unknown until apply)."""
    ref = None
    if isinstance(value, Unknown):
        ref = value.ref
    elif isinstance(value, str):
        m = PLACEHOLDER.fullmatch(value.strip())
        ref = m.group(1) if m else None
    if not ref:
        return None
    m = re.match(r"^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)", ref)
    return m.group(1) if m else None


def _may_attach(companion: Resource, parent: Resource) -> bool:
    """False only when :func:`parent_of` cannot give ``parent`` for ``companion``: it answers a resource of
    the companion's own stack, or one whose ``parent_keys`` equal the companion's literal reference. Checked
    first because ``parent_of`` reads every resource (each companion of a large estate, for each parent)."""
    spec = COMPANIONS.get(companion.kind)
    if spec is None:
        return False
    if stack_of(companion) == stack_of(parent):
        return True
    value = companion.get(spec.reference)
    return isinstance(value, str) and bool(value) and any(parent.get(k) == value for k in spec.parent_keys)


def parent_of(companion: Resource, resources: Sequence[Resource]) -> Resource | None:
    """The resource a companion attaches to, by reference or by literal name, in the same stack."""
    spec = COMPANIONS.get(companion.kind)
    if spec is None:
        return None
    value = companion.get(spec.reference)
    stack = stack_of(companion)
    candidates = [r for r in resources if r.kind in spec.parent_kinds and r.mode == "managed"]
    same = [r for r in candidates if stack_of(r) == stack]
    ref = _reference(value)
    if ref is not None:
        target = _module_prefix(companion) + ref
        exact = [r for r in same if r.address == target]
        if exact:
            return exact[0]
        instances = [r for r in same if r.address.startswith(target + "[")]
        return instances[0] if len(instances) == 1 else None
    if isinstance(value, str) and value and not is_unknown(value):
        for pool in (same, candidates):
            named = [r for r in pool if any(r.get(k) == value for k in spec.parent_keys)]
            if len(named) == 1:
                return named[0]
    return None


# --------------------------------------------------------------------------- what a parent and its companions say


def storage_classes(parent: Resource, companions: Iterable[Resource]) -> tuple[str, ...]:
    """Every storage class or tier the resource's data may move to, written inline or by a companion."""
    out: set[str] = set()
    for r in (parent, *companions):
        patterns = _STORAGE.get(r.kind, ())
        for path, value in flatten(dict(r.attributes)).items():
            if not any(p.match(path) for p in patterns) or value is None:
                continue
            tier = _TIER_NAMES.search(path)
            out.add(tier.group(1).capitalize() if tier else str(value))
    return tuple(sorted(out))


def _status(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and not is_unknown(value):
        return value.strip().lower() in ("enabled", "true", "on")
    return None


def _first(resource: Resource, *paths: str) -> Any:
    flat = flatten(dict(resource.attributes))
    for path in paths:
        if path in flat:
            return flat[path]
    return None


def protections(parent: Resource, companions: Iterable[Resource]) -> dict[str, Any]:
    """What protects the data: versioning, object lock days, replication, backup, public access blocks."""
    out: dict[str, Any] = {}
    inline = _first(parent, "versioning.0.enabled", "VersioningConfiguration.Status")
    if inline is not None:
        out["versioning"] = _status(inline)
    for c in companions:
        aspect = COMPANIONS[c.kind].aspect
        if aspect == "versioning":
            out["versioning"] = _status(_first(c, "versioning_configuration.0.status"))
        elif aspect == "retention":
            days = _first(c, "rule.0.default_retention.0.days")
            years = _first(c, "rule.0.default_retention.0.years")
            total = (days if isinstance(days, (int, float)) else 0) + (years * 365 if isinstance(years, (int, float))
                                                                      else 0)
            out["object lock"] = total or True
        elif aspect == "replication":
            out["replication"] = True
        elif aspect == "backup":
            out["backup"] = _status(_first(c, "backup_policy.0.status"))
        elif aspect == "exposure":
            for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
                value = c.get(flag)
                out[f"public access block {flag}"] = value if isinstance(value, bool) else False
    return out


def _downgrades(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(aspect, what got worse) between two protection maps. An unset public access
    block is the default (every flag on, for buckets created since April 2023)."""
    found = []
    if old.get("versioning") is True and new.get("versioning") is not True:
        found.append(("versioning", "versioning " + ("removed" if "versioning" not in new else "suspended")))
    if "object lock" in old:
        if "object lock" not in new:
            found.append(("retention", "object lock configuration removed"))
        elif isinstance(old["object lock"], (int, float)) and not isinstance(old["object lock"], bool) and \
                isinstance(new["object lock"], (int, float)) and new["object lock"] < old["object lock"]:
            found.append(("retention", f"object lock retention shortened: {old['object lock']:g} → "
                                       f"{new['object lock']:g} days"))
    if old.get("replication") and not new.get("replication"):
        found.append(("replication", "replication removed"))
    if old.get("backup") is True and new.get("backup") is not True:
        found.append(("backup", "backup policy " + ("removed" if "backup" not in new else "disabled")))
    for key, value in sorted(new.items()):
        if key.startswith("public access block ") and value is False and old.get(key, True) is not False:
            found.append(("exposure", f"{key.removeprefix('public access block ')} off"))
    return found


# --------------------------------------------------------------------------- classification


def classify_companions(changes: Sequence[ResourceChange], base: Sequence[Resource], head: Sequence[Resource],
                        authority: Any, policy: Any) -> tuple[list[Decision], set[tuple[str, str]]]:
    """Decisions about existing resources that a companion added, removed or
    replaced changes; and the parents so judged (head (root, address)), whose
    inline storage-class changes this comparison already covers.

    ``authority(change_class, policy, resource)`` routes a decision."""
    base_keys = {key_of(r): r for r in base if r.mode == "managed"}
    previous = {key_of(c.after): c.before for c in changes if c.after is not None and c.before is not None}
    touched: dict[tuple[str, str], list[ResourceChange]] = {}
    for change in changes:
        if change.kind not in COMPANIONS or change.action not in (ADDED, REMOVED, REPLACED, CHANGED):
            continue
        if change.action == REMOVED:
            parent_base = parent_of(change.before, base) if change.before is not None else None
            parent = _head_twin(parent_base, head, changes) if parent_base is not None else None
        else:
            parent = parent_of(change.after, head) if change.after is not None else None
        if parent is not None:
            touched.setdefault(key_of(parent), []).append(change)
    out: list[Decision] = []
    judged: set[tuple[str, str]] = set()  # (root, address): dev's bucket is not prod's
    head_by_key = {key_of(r): r for r in head if r.mode == "managed"}
    for key, companion_changes in sorted(touched.items()):
        parent = head_by_key.get(key)
        before = previous.get(key) or base_keys.get(key)
        if parent is None or before is None:
            continue  # a new resource with its companions is decided as new (service, region, cost)
        if not any(c.action in (ADDED, REMOVED, REPLACED) for c in companion_changes):
            continue  # a companion edited in place is compared as itself (classify_storage_class)
        judged.add(key)
        head_companions = [r for r in head if _may_attach(r, parent) and parent_of(r, head) is parent]
        base_companions = [r for r in base if _may_attach(r, before) and parent_of(r, base) is before]
        lead = _lead(companion_changes)
        old_classes, new_classes = storage_classes(before, base_companions), storage_classes(parent, head_companions)
        if old_classes != new_classes:
            storage = [c for c in companion_changes if c.kind in STORAGE_PATHS] or [lead]
            where = storage[0].after or storage[0].before
            assert where is not None
            path = _first_path(where)
            loc = where.location_of(path)
            out.append(Decision("storage_class_change", authority("storage_class_change", policy, parent),
                                parent.address, loc.path, loc.line,
                                f"storage classes {_classes(old_classes)} → {_classes(new_classes)} "
                                f"({storage[0].address} {_verb(storage[0])})",
                                "head" if storage[0].after is not None else "base",
                                {"companion": storage[0].address, **({"attribute": path} if path else {})}, key[0]))
        for aspect, what in _downgrades(protections(before, base_companions), protections(parent, head_companions)):
            match = next((c for c in companion_changes if COMPANIONS[c.kind].aspect == aspect), lead)
            where = match.after or match.before
            assert where is not None
            loc = where.location
            out.append(Decision("security_downgrade", authority("security_downgrade", policy, parent),
                                parent.address, loc.path, loc.line, f"{what} ({match.address} {_verb(match)})",
                                "head" if match.after is not None else "base", {"companion": match.address}, key[0]))
    return out, judged


def _verb(change: ResourceChange) -> str:
    return {ADDED: "added", REMOVED: "deleted", REPLACED: "replaced"}.get(change.action, "changed")


def _lead(changes: Sequence[ResourceChange]) -> ResourceChange:
    order = {ADDED: 0, REPLACED: 1, REMOVED: 2, CHANGED: 3}
    return sorted(changes, key=lambda c: (order.get(c.action, 9), c.address))[0]


def _first_path(resource: Resource) -> str | None:
    patterns = _STORAGE.get(resource.kind, ())
    for path in flatten(dict(resource.attributes)):
        if any(p.match(path) for p in patterns):
            return path
    return None


def _classes(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "(none)"


def _head_twin(base_parent: Resource, head: Sequence[Resource], changes: Sequence[ResourceChange]) -> Resource | None:
    """The head resource a base resource became (same key, or moved)."""
    for c in changes:
        if c.before is base_parent:
            return c.after
    key = key_of(base_parent)
    return next((r for r in head if key_of(r) == key), None)
