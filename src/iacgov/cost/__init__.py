"""Offline cost estimation: a shipped list-price catalog, a company rate card,
provider fees and a usage file, turned into monthly estimates per
environment, application and resource type.

Modules (imported lazily: ``import iacgov.cost`` loads no price):

- :mod:`iacgov.cost.catalog` — the shipped catalog and the rate card;
- :mod:`iacgov.cost.pricers` — how each kind of resource is priced (one
  table entry per Terraform type and its CloudFormation counterpart);
- :mod:`iacgov.cost.environments` — environment / application assignment;
- :mod:`iacgov.cost.estimate` — :func:`estimate`, :func:`environment_totals`,
  :func:`compare` (what the provider review calls);
- :mod:`iacgov.cost.report` — text, JSON and CSV renderers;
- :mod:`iacgov.cost.command` — the ``iacgov cost`` command.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CostConfigError", "Estimate", "compare", "environment_totals", "estimate"]


def __getattr__(name: str) -> Any:  # PEP 562: keep ``import iacgov.cost`` cheap
    if name in ("estimate", "environment_totals", "compare", "resolve_settings"):
        from iacgov.cost import estimate as module

        return getattr(module, name)
    if name == "CostConfigError":
        from iacgov.cost.catalog import CostConfigError

        return CostConfigError
    if name == "Estimate":
        from iacgov.cost.model import Estimate

        return Estimate
    raise AttributeError(name)
