"""The company's applications and their continuity targets (policy ``applications``).

An application is declared by the company, not guessed by iacgov::

    applications:
      billing:
        owner: finance-it
        tier: critical
        rpo_hours: 1          # data the company accepts to lose, at most
        rto_hours: 4          # downtime the company accepts, at most
        budget: 2500          # monthly, in the cost catalog's currency (USD)
        match: {tag: app=billing, paths: ["envs/*/billing/**"]}

A resource belongs to the first application (in the policy's order) whose
``match`` holds: one of its ``tag`` conditions (``key=value``, a string or a
list) equals the resource's tag, or its file matches one of the ``paths``
globs (``fnmatch`` on the repository-relative path, ``**`` spans folders).
Without ``match``, an application matches the resource whose
``cost.application_tag`` (default ``app``) equals its name — the same tag the
cost breakdown reads. A resource whose tags cannot be known statically has an
*unknown* application when a tag condition could have matched: never guessed.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iacgov.model import Resource, Unknown, is_unknown


@dataclass(frozen=True)
class Application:
    """One declared application; ``None`` where the policy says nothing."""

    name: str
    owner: str | None = None
    tier: str | None = None
    rpo_hours: float | None = None
    rto_hours: float | None = None
    budget: float | None = None
    tags: tuple[tuple[str, str], ...] = ()  # (key, value) conditions, any of them
    paths: tuple[str, ...] = ()  # globs on the resource's file, any of them

    def matches(self, resource: Resource) -> bool | Unknown:
        """Whether ``resource`` belongs here (Unknown: its tags cannot be known)."""
        for pattern in self.paths:
            if _glob(resource.location.path, pattern):
                return True
        if not self.tags:
            return False
        tags = resource.tags
        if is_unknown(tags) or not isinstance(tags, Mapping):
            return Unknown("the resource's tags are built dynamically")
        undecided = False
        for key, value in self.tags:
            found = tags.get(key)
            if is_unknown(found):
                undecided = True
            elif found == value:
                return True
        return Unknown(f"the resource's tag {self.tags[0][0]} is not known statically") if undecided else False


def _glob(path: str, pattern: str) -> bool:
    # fnmatch's * already spans "/"; "**/" may also stand for no folder at all.
    return fnmatch.fnmatchcase(path, pattern) or ("**/" in pattern and fnmatch.fnmatchcase(
        path, pattern.replace("**/", "")))


def _conditions(raw: Any) -> tuple[tuple[str, str], ...]:
    items = [raw] if isinstance(raw, str) else list(raw or ())
    out = []
    for item in items:
        key, _, value = str(item).partition("=")
        out.append((key.strip(), value.strip()))
    return tuple(out)


def applications(policy: Any) -> tuple[Application, ...]:
    """The applications the policy declares, in its order (schema-validated)."""
    declared = policy.get("applications") or {}
    default_tag = policy.get("cost.application_tag", "app")
    out = []
    for name, spec in declared.items():
        spec = spec or {}
        match = spec.get("match")
        if match is None:
            tags, paths = ((default_tag, name),), ()
        else:
            tags, paths = _conditions(match.get("tag")), tuple(match.get("paths") or ())
        out.append(Application(
            name=name, owner=spec.get("owner"), tier=None if spec.get("tier") is None else str(spec["tier"]),
            rpo_hours=spec.get("rpo_hours"), rto_hours=spec.get("rto_hours"), budget=spec.get("budget"),
            tags=tags, paths=paths))
    return tuple(out)


def application_for(resource: Resource, policy: Any) -> Application | Unknown | None:
    """The first declared application ``resource`` belongs to; ``None`` for
    none; Unknown when an earlier one may match but cannot be decided."""
    for app in applications(policy):
        verdict = app.matches(resource)
        if verdict is True:
            return app
        if is_unknown(verdict):
            return Unknown(f"{app.name}: {verdict.reason}")
    return None
