"""Which environment (and application) a resource belongs to.

Shared by cost breakdowns and by the rules whose thresholds depend on the
environment (backup retention in prod, redundancy...). Order, as the policy
documents it: the tag / label named by ``cost.environment_tag`` (default
``env``), else the first glob of ``cost.environment_paths`` matching the
resource's file, else ``unassigned``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping  # not typing.Mapping: isinstance() on it is several times slower
from typing import Any, Iterable

from iacgov.model import Resource

UNASSIGNED = "unassigned"


def _tag(resource: Resource, key: str) -> str | None:
    tags = resource.tags
    if not isinstance(tags, Mapping):
        return None
    value = tags.get(key)
    return value if isinstance(value, str) and value else None


def environment_of(resource: Resource, policy: Any) -> str:
    tag = policy.get("cost.environment_tag", "env")
    value = _tag(resource, tag)
    if value is not None:
        return value
    for pattern, environment in (policy.get("cost.environment_paths") or {}).items():
        if fnmatch.fnmatchcase(resource.location.path, pattern):
            return environment
    return UNASSIGNED


def application_of(resource: Resource, policy: Any) -> str:
    return _tag(resource, policy.get("cost.application_tag", "app")) or UNASSIGNED


def environments_found(resources: Iterable[Resource], policy: Any) -> tuple[frozenset[str], int]:
    """The environments of ``resources`` (:func:`environment_of` of each) and how many of them carry the
    environment tag with a value not known statically. One pass reading the policy once and matching
    each file's path once: a warm scan of a large estate makes it over every resource."""
    tag = policy.get("cost.environment_tag", "env")
    paths = tuple((policy.get("cost.environment_paths") or {}).items())
    by_path: dict[str, str] = {}
    found: set[str] = set()
    undetermined = 0
    for resource in resources:
        tags = resource.tags
        if isinstance(tags, Mapping):
            value = tags.get(tag)
            if isinstance(value, str) and value:
                found.add(value)
                continue
            if tag in tags and not isinstance(value, str):
                undetermined += 1
        path = resource.location.path
        if path not in by_path:
            by_path[path] = next((env for pattern, env in paths if fnmatch.fnmatchcase(path, pattern)), UNASSIGNED)
        found.add(by_path[path])
    return frozenset(found), undetermined
