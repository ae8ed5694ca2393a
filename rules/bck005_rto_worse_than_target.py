"""BCK005 — Achievable recovery time class worse than the application's target.

## What it flags

A database of an application that declares a recovery time objective
(`applications.<name>.rto_hours`) whose redundancy cannot meet it. The
recovery time class is the best path the code leaves when the database's
primary instance or zone is lost:

- **failover** (counted 15 minutes): Multi-AZ RDS instances, Aurora /
  DocumentDB / Neptune clusters with two instances or more in the scan,
  Multi-AZ DB clusters and Aurora Serverless v1, Azure flexible servers with
  `high_availability { mode = "ZoneRedundant" }`, Cloud SQL `REGIONAL`,
  Redshift `multi_az`, Azure SQL `zone_redundant`, DynamoDB (three zones by
  design);
- **replica promotion** (counted 1 hour): a read replica of the scan
  (RDS `replicate_source_db`, Cloud SQL `master_instance_name`, Azure
  `source_server_id`), promoted by hand;
- **restore** (counted 4 hours, and more as the data grows): only backups —
  a new database is restored and the application repointed;
- **none**: no redundancy, no replica and no backup: the data cannot be
  recovered.

The hours are iacgov's planning values (the providers document failovers of
one to two minutes and no figure for the rest); they and their sources are in
`src/iacgov/data/platform/continuity.yaml`. A class slower than the target is
reported with the reasoning. A resource of no declared application, of an
application without `rto_hours`, or whose settings cannot be known
statically is not reported; read replicas and cluster members are judged
through their source.

## Why it matters

How long the business can stand still is the company's decision per
application, with the cost that goes with it. A single-zone database behind
a four-hour target is a promise the infrastructure cannot keep: the gap is
visible in the code long before the outage.

## How to fix

Make the database redundant across zones (`multi_az = true`, a second
cluster instance, `ZoneRedundant` high availability, `availability_type =
"REGIONAL"`), or add a replica; or change `rto_hours` with the application's
owner if the target, and its cost, were not meant.

## Options

- `applications.<name>.rto_hours`: the application's recovery time
  objective, in hours. Not set: the rule is silent for it.
- `applications.<name>.match`: which resources belong to it.
"""

from __future__ import annotations

from iacgov.api import Application, applications, ResourceRule, RuleContext, Severity, application_for, continuity, \
    rule_meta_from_docstring


class RtoWorseThanTarget(ResourceRule):
    meta = rule_meta_from_docstring(
        __doc__,
        code="BCK005",
        name="rto-worse-than-target",
        severity=Severity.WARNING,
        security_severity=4.0,
        precision="medium",
        tags=("security", "continuity", "availability", "rto", "application"),
    )

    def evaluate(self, resources, ctx: RuleContext):
        # Without a target there is nothing to compare: the continuity facts
        # are not even read (a scan without applications pays nothing for them).
        if not any(app.rto_hours is not None for app in applications(ctx.policy)):
            return ()
        return super().evaluate(resources, ctx)

    def applies_to(self, resource):
        return continuity.judged(resource)

    def check(self, resource, ctx: RuleContext):
        app = application_for(resource, ctx.policy)
        if not isinstance(app, Application) or app.rto_hours is None:
            return
        rto = continuity.recovery_time(resource, ctx.index)
        if not isinstance(rto, continuity.RecoveryTime):
            return  # unknown settings: never a violation
        if rto.hours is not None and rto.hours <= app.rto_hours:
            return
        who = f"application {app.name}" + (f" (tier {app.tier})" if app.tier else "")
        target = continuity.hours_text(app.rto_hours) if app.rto_hours else "no downtime"
        if rto.hours is None:
            achieved = f"{resource.address} cannot recover from the loss of its primary — {rto.reason} —"
        else:
            achieved = (f"{resource.address} recovers from the loss of its primary by {rto.label}, counted "
                        f"{continuity.hours_text(rto.hours)} (iacgov planning value) — {rto.reason} —")
        yield self.finding(
            resource,
            f"{achieved} but {who} has a recovery time objective of {target}. Make it redundant across zones or "
            "add a replica, or change the application's rto_hours with its owner.",
            application=app.name, rto_target_hours=app.rto_hours, rto_class=rto.klass, rto_hours=rto.hours)


RULE = RtoWorseThanTarget()
