"""Policy values that depend on a resource's environment (LOG002, BCK001-BCK003).

The environment comes from :func:`iacgov.environments.environment_of`; when a
resource's environment tag cannot be known (tags built dynamically), the
environment is unknown and these helpers answer conservatively: a minimum is
the least demanding one that could apply, a list of environments applies to
no one.

A per-environment threshold is written either as one number (every
environment) or as a mapping ``{prod: 35, staging: 7, default: 1}``; an
environment that is not listed takes ``default``, and without ``default`` it
has no threshold.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from collections.abc import Mapping  # not typing.Mapping: isinstance() on it is several times slower
from typing import Any

from iacgov.api import UNASSIGNED, Resource, environment_of, is_unknown

from iacgov_rules._platform import tags_of

DEFAULT = "default"


def environment(resource: Resource, policy: Any) -> str | None:
    """The resource's environment; ``None`` when its environment tag is unknown.

    Tags are read where the kind keeps them (:func:`iacgov_rules._platform.tags_of`:
    Cloud SQL's ``settings.user_labels``), then :func:`environment_of` decides."""
    key = policy.get("cost.environment_tag", "env")
    tags, _ = tags_of(resource)
    if is_unknown(tags) or (isinstance(tags, Mapping) and is_unknown(tags.get(key))):
        return None
    if isinstance(tags, Mapping) and isinstance(tags.get(key), str) and tags[key]:
        return tags[key]
    return environment_of(resource, policy)


@dataclass(frozen=True)
class Threshold:
    value: float
    scope: str  # for messages: "in environment prod", "in every environment"...


def threshold(setting: Any, env: str | None) -> Threshold | None:
    """The threshold that applies in ``env`` (``None``: unknown environment)."""
    if setting is None:
        return None
    if isinstance(setting, (int, float)) and not isinstance(setting, bool):
        return Threshold(setting, "in every environment")
    if not isinstance(setting, Mapping) or not setting:
        return None
    if env is None:
        if DEFAULT not in setting:
            return None  # the resource may be in an environment without threshold
        return Threshold(min(setting.values()), "in any environment (its environment cannot be determined)")
    if env in setting:
        return Threshold(setting[env], f"in environment {env}")
    if DEFAULT in setting:
        where = "for resources without an environment" if env == UNASSIGNED else f"in environment {env}"
        return Threshold(setting[DEFAULT], f"{where} (policy default)")
    return None


def listed(environments: Any, env: str | None) -> bool:
    """Whether ``env`` is one of ``environments`` (glob patterns: ``*`` is every
    environment). An unknown environment is listed only when every environment
    is: the most demanding requirement that could apply, as :func:`threshold`."""
    if not isinstance(environments, list):
        return False
    if env is None:
        return every_environment(environments)
    return any(isinstance(p, str) and fnmatch.fnmatchcase(env, p) for p in environments)


def every_environment(environments: Any) -> bool:
    """Whether a list of environments names them all (``*``)."""
    return isinstance(environments, list) and "*" in environments


def in_environment(env: str | None, qualifier: str = "") -> str:
    """How a message places a resource: ``in protected environment prod``, or, its
    environment unknown, why the requirement applies all the same."""
    if env is None:
        return "(its environment cannot be determined, and the policy requires this in every environment)"
    return f"in {qualifier}environment {env}"


def show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def days(value: float) -> str:
    """``1 day``, ``14 days``."""
    return f"{show(value)} day{'' if value == 1 else 's'}"
