"""Helpers for the cost tests (imported as ``costkit``; not a conftest, so the root conftest keeps its name)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from functools import lru_cache

from iacgov.api import Policy
from iacgov.engine import ScanRequest, parse_inventory
from iacgov.model import Location, ParseOptions, Resource
from iacgov.plugins import load_plugins

from conftest import FIXTURES

COST_FIXTURES = FIXTURES / "cost"
D = Decimal


def policy(cost: dict | None = None, source: str = "<embedded default policy>") -> Policy:
    return Policy({"version": 1, "cost": cost or {}}, source)


def resource(address: str, rtype: str, attributes: dict | None = None, *, region="eu-west-3", cloud="aws",
             fmt="terraform", tags=None, count=1, path="main.tf", line=1, **kw) -> Resource:
    return Resource(address=address, type=rtype, cloud=cloud, source_format=fmt, location=Location(path, line),
                    attributes=attributes or {}, region=region, tags=tags if tags is not None else {}, count=count, **kw)


@lru_cache(maxsize=None)
def host():
    return load_plugins()


@lru_cache(maxsize=None)
def inventory(path: str, region: str | None = None, policy_path: Path | None = None):
    """parse_inventory of a fixture path (relative to fixtures/cost), paths relative to fixtures/cost."""
    return parse_inventory(ScanRequest(paths=(COST_FIXTURES / path,), root=COST_FIXTURES, policy_path=policy_path,
                                       options=ParseOptions(region=region)), host())


def by_address(estimate) -> dict:
    return {r.address: r for r in estimate.resources}


def line(cost, prefix: str):
    """The component of ``cost`` named ``prefix``, else the one whose item starts with it."""
    found = [c for c in cost.components if c.item == prefix] or [c for c in cost.components if c.item.startswith(prefix)]
    assert len(found) == 1, [c.item for c in cost.components]
    return found[0]
