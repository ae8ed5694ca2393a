"""COST001 — Environment over its monthly budget.

## What it flags

An environment whose estimated monthly cost exceeds its budget in
`cost.budgets`. The estimate is iacgov's offline one (`iacgov cost` shows
the same figures): list prices from the catalog shipped with iacgov, the
company's rate card and the provider's fees when the policy names them,
730 hours a month, `count` / `for_each` instances included, usage-based
prices from the usage file when there is one.

The finding gives the estimate, the budget, the overrun and the three
largest contributors, and sits on the most expensive resource of the
environment. A resource's environment is its `cost.environment_tag` tag,
else the first `cost.environment_paths` glob matching its file, else
`unassigned`.

Parts that cannot be priced (a type or region the catalog lacks, a value
not known statically) are never counted as zero: the message says how many
there are, since the real cost is then higher than the estimate.

## Why it matters

The CTO answers for what each environment costs. A provider change that
pushes an environment over its budget should be seen before it is
deployed, not on the next invoice.

## How to fix

Reduce the environment's cost (smaller instance types or classes, fewer
instances, Single-AZ outside production, cheaper storage types), or, if the
spend is intended, have the CTO raise `cost.budgets.<environment>` in
`iacgov.yaml`. Run `iacgov cost --details` to see every line of the estimate
with its unit price and source.

## Options

- `cost.budgets`: monthly budget per environment, in the catalog currency
  (USD). Not set: the rule is silent and loads no price.
- `cost.environment_tag`, `cost.environment_paths`: how resources are
  assigned to environments.
- `cost.rate_card`, `cost.provider_fees`, `cost.usage_file`: company prices,
  provider fees and usage quantities the estimate includes.
"""

from __future__ import annotations

import heapq
from decimal import Decimal
from typing import Iterable, Sequence

from iacgov.api import Finding, Location, Resource, RuleContext, Severity, rule_meta_from_docstring

TOP_CONTRIBUTORS = 3


class EnvironmentOverBudget:
    reads = ('cost', 'free')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="COST001",
        name="environment-over-budget",
        severity=Severity.WARNING,
        security_severity=2.0,
        precision="medium",
        tags=("cost", "budget", "governance"),
    )

    def evaluate(self, resources: Sequence[Resource], ctx: RuleContext) -> Iterable[Finding]:
        budgets = ctx.policy.get("cost.budgets")
        if not budgets:
            return  # no budget: no price is loaded
        from iacgov.api import cost_line_stacks, scan_estimate, show_money  # loaded only when a budget is set

        estimate = scan_estimate(ctx.resources, ctx.policy)
        over = {env for env, budget in estimate.budgets.items()
                if estimate.by_environment.get(env, Decimal(0)) > budget}
        if not over:
            return
        # One pass over the estate's priced resources and unpriced parts for every environment over budget,
        # not a pass and a sort of all of them per environment: the first of the environment's resources
        # most expensive first (estimate.environment), and its first contributors costing something.
        members: dict[str, list] = {env: [] for env in over}
        for r in estimate.resources:
            if r.environment in members:
                members[r.environment].append(r)
        missing: dict[str, set[str]] = {env: set() for env in over}
        for u in estimate.unpriced:
            if u.environment in missing:
                missing[u.environment].add(u.address)
        stacks = cost_line_stacks(estimate, ctx.resources)
        for env, budget in sorted(estimate.budgets.items()):
            if env not in over:
                continue
            total = estimate.by_environment.get(env, Decimal(0))
            top = min(members[env], key=_ranking)  # a total over a budget (>= 0) has resources
            contributors = heapq.nsmallest(TOP_CONTRIBUTORS, (r for r in members[env] if r.monthly > 0),
                                           key=_ranking)
            unpriced = sorted(missing[env])
            share = f", +{(total - budget) / budget:.0%}" if budget else ""
            message = (
                f"Environment {env} is estimated at {show_money(total)} a month, over its budget of "
                f"{show_money(budget)} (+{show_money(total - budget)}{share}). Top contributors: "
                + ", ".join(f"{r.address} ({show_money(r.monthly)})" for r in contributors) + "."
            )
            n_unpriced = sum(1 for r in members[env] if r.unpriced)  # resources: an address repeats across roots
            if n_unpriced:
                message += (f" {n_unpriced} resource{'s' if n_unpriced > 1 else ''} of {env} "
                            f"{'have' if n_unpriced > 1 else 'has'} unpriced parts, so the real cost is higher.")
            yield Finding(
                code=self.meta.code,
                message=message,
                severity=self.meta.severity,
                address=top.address,
                location=Location(top.file, top.line),
                properties={
                    "environment": env,
                    "estimate": float(round(total, 2)),
                    "budget": float(budget),
                    "overrun": float(round(total - budget, 2)),
                    "currency": estimate.currency,
                    "top_contributors": [{"address": r.address, "monthly": float(round(r.monthly, 2))}
                                         for r in contributors],
                    "unpriced_resources": unpriced,
                },
                stack=stacks.get(id(top), ""),  # the top contributor's root: several may hold its address
            )


def _ranking(r) -> tuple:
    """Most expensive first, then by address (iacgov.cost.model.Estimate.environment's order)."""
    return (-r.monthly, r.address)


RULE = EnvironmentOverBudget()
