"""The decision grid per environment: ``decisions.<class>`` by the resource's environment.

A decision is about a resource; the resource's environment (the tag named by
``cost.environment_tag``, else the first glob of ``cost.environment_paths``
matching its file — :func:`iacgov.environments.environment_of`, as cost
breakdowns and rules use it) picks the authority in a policy that writes
``new_service: {dev: provider, default: cto}``. A cost decision carries its
environment itself; a decision about a file (the policy, a workflow) has none
and takes ``default``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Sequence

from iacgov.environments import environment_of
from iacgov.fingerprint import stack_of
from iacgov.model import Resource
from iacgov.review.model import Decision, authority_of


_RANK = {"provider": 0, "cto": 1, "strategic": 2}


class _Side:
    """A side's resources by (stack, address) and by address (in scan order)."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.keyed: dict[tuple[str, str], Resource] = {}
        self.addressed: dict[str, list[Resource]] = {}
        for r in resources:
            self.keyed.setdefault((stack_of(r), r.address), r)
            self.addressed.setdefault(r.address, []).append(r)

    def about(self, d: Decision) -> list[Resource]:
        """The resources a decision may be about: its own (stack, address); without a stack (or not found
        there), those at its address in its file, else at its address anywhere (several roots)."""
        own = self.keyed.get((d.stack, d.address)) if d.stack else None
        if own is not None:
            return [own]
        at = self.addressed.get(d.address, [])
        return [r for r in at if r.location.path == d.file] or at


def _members(d: Decision, head: Sequence[Resource]) -> list[Resource]:
    """The head resources a decision about a whole cloud, region or service stands for."""
    from iacgov.review.classify import service_of

    managed = sorted((r for r in head if r.mode == "managed"), key=lambda r: (r.location.path, r.location.line,
                                                                              r.address))
    if d.change_class == "new_service":
        return [r for r in managed if service_of(r) == d.properties.get("service")]
    if d.change_class == "new_region":
        return [r for r in managed if (r.cloud, r.region) == (d.properties.get("cloud"), d.properties.get("region"))]
    if d.change_class == "new_cloud_provider":
        return [r for r in managed if r.cloud == d.properties.get("cloud")]
    return []


def _strictest(d: Decision, members: Sequence[Resource], policy: Any) -> Decision | None:
    """A new service used in dev and in prod is decided as prod decides it, pointing at a prod resource."""
    best: tuple[int, str, Resource] | None = None
    for r in members:
        env = environment_of(r, policy)
        authority = authority_of(d.change_class, policy, env)
        if best is None or _RANK.get(authority, 0) > best[0]:
            best = (_RANK.get(authority, 0), env, r)
    if best is None:
        return None
    _, env, r = best
    return replace(d, authority=authority_of(d.change_class, policy, env), address=r.address,
                   file=r.location.path, line=r.location.line, properties={**d.properties, "environment": env})


def route(decisions: Sequence[Decision], base: Sequence[Resource], head: Sequence[Resource],
          policy: Any) -> list[Decision]:
    """Each decision with its environment (``properties["environment"]``) and the authority
    the policy gives its class in that environment. A decision about a whole cloud, region or
    service takes the strictest authority among the environments that use it."""
    heads, bases = _Side(head), _Side(base)
    out = []
    for d in decisions:
        if d.change_class in ("new_service", "new_region", "new_cloud_provider"):
            routed = _strictest(d, _members(d, head), policy)
            if routed is not None:
                out.append(routed)
                continue
        env = d.properties.get("environment")
        if not isinstance(env, str):
            sides = (bases, heads) if d.side == "base" else (heads, bases)
            about = sides[0].about(d) or sides[1].about(d)
            # Several roots (a shared module's file, an ambiguous address): the strictest of their environments.
            env = max((environment_of(r, policy) for r in about), default=None,
                      key=lambda e: _RANK.get(authority_of(d.change_class, policy, e), 0))
        authority = authority_of(d.change_class, policy, env)
        properties = {**d.properties, "environment": env} if env is not None else d.properties
        out.append(replace(d, authority=authority, properties=properties))
    return out


def strictest_each(decisions: Iterable[Decision]) -> list[Decision]:
    """One decision per :meth:`Decision.order` (the same change seen from several roots, as a shared module's),
    the strictest authority's; in that order."""
    kept: dict[tuple, Decision] = {}
    for d in decisions:
        k = d.order()
        if k not in kept or _RANK.get(d.authority, 0) > _RANK.get(kept[k].authority, 0):
            kept[k] = d
    return sorted(kept.values(), key=Decision.order)
