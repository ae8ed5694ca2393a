"""COST002 — Resource over its environment's cost threshold or instance types.

## What it flags

Two things, per environment:

- a resource instance whose estimated monthly cost exceeds
  `cost.max_resource_monthly` for its environment (catalog or rate-card
  price plus the provider's fee, 730 hours a month; with `count` /
  `for_each`, each instance is compared);
- an instance type, database class, VM size or machine type that
  `cost.allowed_instance_types` does not allow in the resource's
  environment (`t3.*`, `t4g.*` in `dev`, for example): EC2 instances, RDS
  instances, Azure virtual machines and scale sets, Google Compute Engine
  instances, in Terraform HCL, plan JSON and CloudFormation. Globs match
  ignoring case.

A resource's environment is its `cost.environment_tag` tag, else the first
`cost.environment_paths` glob matching its file, else `unassigned`. A type
that cannot be known statically is not reported; a resource that cannot be
priced is not compared with the threshold (`iacgov cost` lists it as
unpriced).

## Why it matters

The company sets what one resource may cost and which sizes each
environment may use; a provider picking a large instance in `dev`, or a
database far above what production needs, spends the company's money
outside those rules.

## How to fix

Choose an allowed, smaller type or class for the environment, or, if the
size is justified, have the CTO raise `cost.max_resource_monthly` or extend
`cost.allowed_instance_types` for that environment in `iacgov.yaml`.

## Options

- `cost.max_resource_monthly`: one number for every environment, or
  per environment (`{prod: 2000, default: 300}`; `default` applies to the
  environments not listed). Not set: no threshold.
- `cost.allowed_instance_types`: per environment (and `default`), a list of
  globs. An environment not listed, without `default`, is not restricted.
- With neither set the rule is silent; the instance-type check loads no
  price.
"""

from __future__ import annotations

import fnmatch
from typing import Iterable, Sequence

from iacgov.api import Finding, Location, Resource, RuleContext, Severity, rule_finding, rule_meta_from_docstring


class ResourceOverThreshold:
    reads = ('cost',)  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="COST002",
        name="resource-over-threshold",
        severity=Severity.WARNING,
        security_severity=2.0,
        precision="high",
        tags=("cost", "sizing", "governance"),
    )

    def evaluate(self, resources: Sequence[Resource], ctx: RuleContext) -> Iterable[Finding]:
        threshold = ctx.policy.get("cost.max_resource_monthly")
        allowed = ctx.policy.get("cost.allowed_instance_types")
        if threshold is None and not allowed:
            return
        if allowed:
            yield from self._instance_types(resources, ctx, allowed)
        if threshold is not None:
            yield from self._thresholds(ctx, threshold)

    def _instance_types(self, resources: Sequence[Resource], ctx: RuleContext, allowed) -> Iterable[Finding]:
        from iacgov.api import cost_environment_of as environment_of, counted, per_environment, size_of

        for resource in resources:
            if not counted(resource):
                continue
            size, attribute = size_of(resource)
            if not isinstance(size, str):
                continue  # not a sized kind, not set, or not known statically
            env = environment_of(resource, ctx.policy).name
            globs, scope = per_environment(allowed, env)
            if not isinstance(globs, list):
                continue
            if any(fnmatch.fnmatchcase(size.lower(), str(g).lower()) for g in globs):
                continue
            yield rule_finding(
                self.meta, resource,
                (f"{resource.address} uses {size}, which is not allowed {scope}: allowed "
                 f"{', '.join(map(str, globs)) or 'none'}."),
                attribute, environment=env, instance_type=size, allowed=list(map(str, globs)))

    def _thresholds(self, ctx: RuleContext, threshold) -> Iterable[Finding]:
        from decimal import Decimal

        from iacgov.api import cost_line_stacks, per_environment, scan_estimate, show_money

        estimate = scan_estimate(ctx.resources, ctx.policy)
        stacks = None  # each line's root module, worked out at the first finding
        for cost in estimate.resources:
            limit, scope = per_environment(threshold, cost.environment)
            if limit is None or not cost.count:
                continue
            limit = Decimal(str(limit))
            each = cost.per_instance_monthly
            if each <= limit:
                continue
            instances = f" (each of its {cost.count} instances)" if cost.count > 1 else ""
            partial = " at least, since parts of it are unpriced" if cost.unpriced else ""
            if stacks is None:
                stacks = cost_line_stacks(estimate, ctx.resources)
            yield Finding(
                code=self.meta.code,
                message=(f"{cost.address}{instances} is estimated at {show_money(each)} a month{partial}, over "
                         f"the {show_money(limit)} allowed for one resource {scope}."),
                severity=self.meta.severity,
                address=cost.address,
                location=Location(cost.file, cost.line),
                properties={"environment": cost.environment, "monthly": float(round(each, 2)),
                            "threshold": float(limit), "currency": estimate.currency},
                stack=stacks.get(id(cost), ""),  # the line's own root: several may hold its address
            )


RULE = ResourceOverThreshold()
