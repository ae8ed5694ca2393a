"""COST003 — Budget nearly used, or an application or category over its budget.

## What it flags

- An environment, application or category whose estimated monthly cost
  has reached `cost.warn_at` of its budget (say 80%) without exceeding it:
  the early warning, before the overrun.
- An application (`applications.<name>.budget`) or a category of resources
  (`cost.category_budgets`: compute, storage, database, network, security,
  managed services, other) whose estimate exceeds its budget. An
  environment over its budget is COST001's.

The estimate is `iacgov cost`'s (offline list prices, the company's rate
card and the provider's fees, 730 hours a month). A resource's application
is the first declared application whose `match` holds (else the
`cost.application_tag`); its category is the platform catalog's for its
kind. The finding sits on the most expensive resource of the environment,
application or category and names the three largest contributors.

## Why it matters

A budget alarm that rings only once the money is spent comes too late for
the committee: the early warning leaves a month to act. Budgets by
application and by type of resource answer "why did this go up?" where an
environment's total cannot.

## How to fix

Reduce the cost of the resources named (sizes, counts, storage classes,
Single-AZ outside production), or have the CTO raise the budget in
`iacgov.yaml` if the spend is intended. `iacgov cost --group-by app,category`
shows the totals the rule compares.

## Options

- `cost.warn_at`: the share of a budget from which to warn (`80%` or `0.8`).
  Not set: only application and category overruns are reported.
- `applications.<name>.budget`, `cost.category_budgets.<category>`,
  `cost.budgets.<environment>`: the budgets. None set: the rule is silent
  and loads no price.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from iacgov.api import Finding, Location, Resource, RuleContext, Severity, rule_meta_from_docstring

TOP_CONTRIBUTORS = 3


class BudgetEarlyWarning:
    meta = rule_meta_from_docstring(
        __doc__,
        code="COST003",
        name="budget-early-warning",
        severity=Severity.WARNING,
        security_severity=2.0,
        precision="medium",
        tags=("cost", "budget", "governance"),
    )

    def evaluate(self, resources: Sequence[Resource], ctx: RuleContext) -> Iterable[Finding]:
        policy = ctx.policy
        apps = policy.get("applications") or {}
        if not (policy.get("cost.budgets") or policy.get("cost.category_budgets")
                or any(isinstance(a, dict) and a.get("budget") is not None for a in apps.values())):
            return  # no budget: no price is loaded
        from iacgov.api import cost_budget_members, cost_budgets as budgets  # loaded only with a budget
        from iacgov.api import cost_line_stacks, scan_estimate, show_money, warn_at

        estimate = scan_estimate(ctx.resources, policy)
        threshold = warn_at(policy)
        stacks = None  # each line's root module, worked out at the first finding
        for budget in budgets(estimate, policy, ctx.resources):
            over = budget.over
            if over and budget.scope == "environment":
                continue  # COST001
            if not over and (threshold is None or budget.share is None or budget.share < threshold):
                continue
            # each line with its own resource's application (addresses repeat across root modules)
            ranked = sorted(cost_budget_members(estimate, budget, ctx.resources, policy),
                            key=lambda c: (-c.monthly, c.address))
            if not ranked:
                continue
            top = ranked[0]
            if stacks is None:
                stacks = cost_line_stacks(estimate, ctx.resources)
            contributors = [c for c in ranked if c.monthly > 0][:TOP_CONTRIBUTORS]
            what = f"{budget.scope.capitalize()} {budget.name}"
            if over:
                head = (f"{what} is estimated at {show_money(budget.monthly)} a month, over its budget of "
                        f"{show_money(budget.budget)} (+{show_money(budget.monthly - budget.budget)}, {budget.key}).")
            else:
                head = (f"{what} is estimated at {show_money(budget.monthly)} a month, {budget.share:.0%} of its "
                        f"budget of {show_money(budget.budget)} ({budget.key}; warning from {threshold:.0%}).")
            message = head + " Top contributors: " + ", ".join(
                f"{c.address} ({show_money(c.monthly)})" for c in contributors) + "."
            yield Finding(
                code=self.meta.code,
                message=message,
                severity=self.meta.severity,
                address=top.address,
                location=Location(top.file, top.line),
                properties={
                    "scope": budget.scope,
                    "name": budget.name,
                    "estimate": float(round(budget.monthly, 2)),
                    "budget": float(budget.budget),
                    "share": float(round(budget.share, 4)) if budget.share is not None else None,
                    "warn_at": float(threshold) if threshold is not None else None,
                    "over": over,
                    "currency": estimate.currency,
                    "top_contributors": [{"address": c.address, "monthly": float(round(c.monthly, 2))}
                                         for c in contributors],
                },
                stack=stacks.get(id(top), ""),  # the top contributor's root: several may hold its address
            )


RULE = BudgetEarlyWarning()
