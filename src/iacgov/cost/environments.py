"""Which environment (and application) a resource belongs to.

Order, for the environment:

1. the tag / label named by ``cost.environment_tag`` (the parsers resolve tags
   through locals, variables, provider ``default_tags`` and CloudFormation
   parameters, so ``Resource.tags`` holds the values);
2. else the first pattern of ``cost.environment_paths`` (glob -> environment, in
   the order written) matching the resource's file path, relative to the
   scanned root (``envs/prod/**``);
3. else ``unassigned``.

The application follows the same steps with ``cost.application_tag`` and
``cost.application_paths``. A tag whose value is not known statically
(``Unknown``) is not used: the path patterns decide, else ``unassigned``.

Light on purpose: no price is loaded here (COST002's instance-type check uses
it without the catalog).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from iacgov.model import Resource, is_unknown

UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Assignment:
    name: str
    source: str  # "tag env", "path envs/prod/**", "unassigned (tag env is not known: ...)"


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob as a regex: ``**`` any number of folders, ``*`` and ``?``
    within one path segment, ``[...]`` a character class."""
    i, out = 0, []
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def path_matches(pattern: str, path: str) -> bool:
    return glob_regex(pattern).match(path) is not None


def _tag_value(tags: Any, key: str) -> tuple[str | None, str | None]:
    """(value, why-not) for tag ``key``: exact key first, then ignoring case
    (Azure tag names are case-insensitive)."""
    if is_unknown(tags):
        return None, f"tags are not known ({tags.reason})"
    if not isinstance(tags, Mapping):
        return None, None
    value = tags.get(key)
    if value is None:
        lowered = key.lower()
        value = next((v for k, v in tags.items() if isinstance(k, str) and k.lower() == lowered), None)
    if value is None:
        return None, None
    if is_unknown(value):
        return None, f"tag {key} is not known ({value.reason})"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, f"tag {key} is not a string"
    text = str(value).strip()
    return (text or None), None


def assign(resource: Resource, tag: str | None, paths: Mapping[str, str] | None) -> Assignment:
    why_not = None
    if tag:
        value, why_not = _tag_value(resource.tags, tag)
        if value is not None:
            return Assignment(value, f"tag {tag}")
    for pattern, name in (paths or {}).items():
        if isinstance(name, str) and path_matches(pattern, resource.location.path):
            return Assignment(name, f"path {pattern}")
    return Assignment(UNASSIGNED, f"{UNASSIGNED} ({why_not})" if why_not else UNASSIGNED)


def environment_of(resource: Resource, policy: Any) -> Assignment:
    return assign(resource, policy.get("cost.environment_tag"), policy.get("cost.environment_paths"))


def application_of(resource: Resource, policy: Any) -> Assignment:
    return assign(resource, policy.get("cost.application_tag"), policy.get("cost.application_paths"))


def per_environment(setting: Any, environment: str) -> Any:
    """A policy value given for all environments or per environment
    (``{prod: 2000, dev: 200, "*": 500}``): the value for ``environment``."""
    if isinstance(setting, Mapping):
        if environment in setting:
            return setting[environment]
        return setting.get("*")
    return setting
