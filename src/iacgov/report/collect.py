"""Gather what the report shows: one parse of the files, then the rules and
the cost estimate on it (the same functions ``iacgov scan`` and ``iacgov
cost`` call, so the figures are theirs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iacgov.api import Policy
from iacgov.cost.model import Estimate
from iacgov.engine import ScanRequest, parse_inventory, scan_inventory
from iacgov.model import ScanResult
from iacgov.plugins import PluginHost


@dataclass(frozen=True)
class ReportData:
    """The inputs of the view model: nothing here is formatted yet."""

    result: ScanResult
    estimate: Estimate
    policy: Policy
    paths: tuple[str, ...]  # what was scanned, as shown (relative to the root when inside it)
    review: Any = None  # the provider pull-request review, with --base


def collect(request: ScanRequest, host: PluginHost, *, usage_path: Path | None = None) -> ReportData:
    """Parse once, then what ``iacgov scan`` (rules, suppressions, baseline)
    and ``iacgov cost`` do with it. Raises :class:`~iacgov.policy.PolicyError`
    and :class:`~iacgov.cost.catalog.CostConfigError` (one line each)."""
    from iacgov.cost.estimate import estimate

    inventory = parse_inventory(request, host)
    result = scan_inventory(inventory, request, host)
    cost = estimate(inventory.resources, inventory.policy, root=inventory.root, usage_path=usage_path)
    paths = tuple(_shown(p, inventory.root) for p in request.paths)
    return ReportData(result=result, estimate=cost, policy=inventory.policy, paths=paths)


def _shown(path: Path, root: Path) -> str:
    try:
        shown = path.absolute().resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)
    return shown or "."
