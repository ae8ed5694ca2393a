"""Environment and application of a resource, with where the answer came from.

The answer itself is :mod:`iacgov.environments`' (the one place every rule
uses, so a cost breakdown and, say, BCK001 never disagree on what is
``prod``): the tag / label named by ``cost.environment_tag`` (default
``env``), else the first glob of ``cost.environment_paths`` matching the
resource's file path (relative to the scanned root), else ``unassigned``;
the application from the tag named by ``cost.application_tag`` (default
``app``), else ``unassigned``.

This module adds the explanation shown in reports (``tag env``,
``path envs/prod/**``, ``unassigned``) and the per-environment look-up of
policy values. Light on purpose: no price is loaded here (COST002's
instance-type check uses it without the catalog).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

from iacgov.environments import UNASSIGNED, application_of as _application, environment_of as _environment
from iacgov.model import Resource, is_unknown

DEFAULT = "default"  # the key of a per-environment map that applies to environments not listed


@dataclass(frozen=True)
class Assignment:
    name: str
    source: str  # "tag env", "path envs/prod/**", "unassigned", "unassigned (tag env is not known)"


def _explain(resource: Resource, name: str, tag: str, paths: Mapping[str, Any] | None) -> Assignment:
    tags = resource.tags
    value = tags.get(tag) if isinstance(tags, Mapping) else None
    if isinstance(value, str) and value == name:
        return Assignment(name, f"tag {tag}")
    for pattern, target in (paths or {}).items():
        if target == name and fnmatch.fnmatchcase(resource.location.path, pattern):
            return Assignment(name, f"path {pattern}")
    if name == UNASSIGNED:
        if is_unknown(tags):
            return Assignment(name, f"{UNASSIGNED} (tags are not known: {tags.reason})")
        if is_unknown(value):
            return Assignment(name, f"{UNASSIGNED} (tag {tag} is not known: {value.reason})")
        return Assignment(name, UNASSIGNED)
    return Assignment(name, "policy")


def environment_of(resource: Resource, policy: Any) -> Assignment:
    name = _environment(resource, policy)
    return _explain(resource, name, policy.get("cost.environment_tag", "env"), policy.get("cost.environment_paths"))


def application_of(resource: Resource, policy: Any) -> Assignment:
    name = _application(resource, policy)
    return _explain(resource, name, policy.get("cost.application_tag", "app"), None)


def per_environment(setting: Any, environment: str) -> tuple[Any, str]:
    """A policy value given for all environments or per environment
    (``{prod: 2000, dev: 200, default: 500}``): the value that applies in
    ``environment`` (None if none) and a phrase for messages."""
    if isinstance(setting, Mapping):
        if environment in setting:
            return setting[environment], f"in environment {environment}"
        if DEFAULT in setting:
            return setting[DEFAULT], f"in environment {environment} (policy default)"
        return None, ""
    if setting is None:
        return None, ""
    return setting, "in every environment"
