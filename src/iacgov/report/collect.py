"""Gather what the report shows: one parse of the files, then the rules and
the cost estimate on it (the same functions ``iacgov scan`` and ``iacgov
cost`` call, so the figures are theirs); for a pull request, the provider
review (:func:`iacgov.review.run.run_review`), whose head scan and estimate
the rest of the report then shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iacgov.cost.model import Estimate
from iacgov.engine import ScanRequest, parse_inventory, scan_inventory
from iacgov.model import ScanResult
from iacgov.plugins import PluginHost


@dataclass(frozen=True)
class ReportData:
    """The inputs of the view model: nothing here is formatted yet."""

    result: ScanResult
    estimate: Estimate
    policy: Any  # iacgov.api.Policy
    paths: tuple[str, ...]  # what was scanned, as shown (relative to the root when inside it)
    root: str  # the folder or repository, as shown
    policy_source: str
    review: Any = None  # iacgov.review.run.Review, for a pull request (--base)


def collect(request: ScanRequest, host: PluginHost, *, usage_path: Path | None = None) -> ReportData:
    """Parse once, then what ``iacgov scan`` (rules, suppressions, baseline)
    and ``iacgov cost`` do with it. Raises :class:`~iacgov.policy.PolicyError`
    and :class:`~iacgov.cost.catalog.CostConfigError` (one line each)."""
    from iacgov.cost.estimate import estimate

    inventory = parse_inventory(request, host)
    result = scan_inventory(inventory, request, host)
    cost = estimate(inventory.resources, inventory.policy, root=inventory.root, usage_path=usage_path)
    paths = tuple(_shown(p, inventory.root) for p in request.paths)
    return ReportData(result=result, estimate=cost, policy=inventory.policy, paths=paths,
                      root=inventory.root.name or str(inventory.root), policy_source=result.policy_source)


def collect_review(request: Any, host: PluginHost) -> ReportData:
    """The provider review of ``request`` (a :class:`~iacgov.review.run.ReviewRequest`):
    the head commit as the review judged it, under the base commit's policy.
    Raises :class:`~iacgov.review.run.ReviewError` (one line)."""
    from iacgov.review.run import run_review

    review = run_review(request, host)
    repo = request.repo.absolute().resolve()
    base = f"{review.base_sha[:12]}"
    return ReportData(result=review.head_scan, estimate=review.head_estimate, policy=review.policy,
                      paths=(f"{review.head_ref} ({review.head_sha[:12]})",), root=repo.name or str(repo),
                      policy_source=f"{review.policy_source} (from the base commit {base})", review=review)


def _shown(path: Path, root: Path) -> str:
    try:
        shown = path.absolute().resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)
    return shown or "."
