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
from iacgov.model import Resource
from iacgov.review.model import Decision, authority_of


def _first_by_address(resources: Iterable[Resource]) -> dict[str, Resource]:
    out: dict[str, Resource] = {}
    for r in resources:
        out.setdefault(r.address, r)
    return out


_RANK = {"provider": 0, "cto": 1, "strategic": 2}


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
    heads, bases = _first_by_address(head), _first_by_address(base)
    out = []
    for d in decisions:
        if d.change_class in ("new_service", "new_region", "new_cloud_provider"):
            routed = _strictest(d, _members(d, head), policy)
            if routed is not None:
                out.append(routed)
                continue
        env = d.properties.get("environment")
        if not isinstance(env, str):
            resource = (bases if d.side == "base" else heads).get(d.address) or heads.get(d.address) or \
                bases.get(d.address)
            env = environment_of(resource, policy) if resource is not None else None
        authority = authority_of(d.change_class, policy, env)
        properties = {**d.properties, "environment": env} if env is not None else d.properties
        out.append(replace(d, authority=authority, properties=properties))
    return out
