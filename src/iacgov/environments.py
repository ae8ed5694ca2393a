"""Which environment (and application) a resource belongs to.

Shared by cost breakdowns and by the rules whose thresholds depend on the
environment (backup retention in prod, redundancy...). Order, as the policy
documents it: the tag / label named by ``cost.environment_tag`` (default
``env``), else the first glob of ``cost.environment_paths`` matching the
resource's file, else ``unassigned``.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Mapping

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
