"""BCK004 — Achievable recovery point worse than the application's target.

## What it flags

A database of an application that declares a recovery point objective
(`applications.<name>.rpo_hours`) whose code cannot meet it: the most recent
point it can be recovered to, from the backup mechanisms the code writes, is
older than the target. The mechanisms read, with the recovery point each
gives (documented by the provider, or iacgov's planning value where the
provider gives no figure — the message says which):

- **point-in-time recovery**: RDS instances and clusters, DocumentDB and
  Neptune with automated backups (retention of 1 day or more, 5 minutes),
  DynamoDB with point-in-time recovery (5 minutes), Azure PostgreSQL / MySQL
  flexible servers and Azure SQL databases (always on), Cloud SQL with
  `point_in_time_recovery_enabled` or `binary_log_enabled`;
- **snapshot frequency**: Redshift automated snapshots (every 8 hours),
  Cloud SQL automated backups without point-in-time recovery (daily);
- **none**: automated backups turned off (`backup_retention_period = 0`,
  Redshift retention 0, DynamoDB without point-in-time recovery, Cloud SQL
  backups not enabled) — no recovery point at all;
- **cross-region copies**: DynamoDB global table replicas in another region,
  RDS automated backups replicated to another region
  (`aws_db_instance_automated_backups_replication`), cross-region read
  replicas of the scan, Azure geo-redundant backups.

The best mechanism sets the achievable recovery point; the message lists
them all. Read replicas and cluster members are judged through their source.
A resource's application comes from the policy's `applications` (`match`);
a resource of no declared application, of an application without
`rpo_hours`, or whose settings cannot be known statically is not reported.
The facts and their sources are in `src/iacgov/data/platform/continuity.yaml`.

## Why it matters

The recovery point objective is the company's decision, made per
application with its business owners: how much data it accepts to lose. A
provider that turns backups off, or relies on a daily snapshot for an
application whose target is an hour, silently changes that decision — and
the gap is found on the day of the incident.

## How to fix

Turn on the mechanism that meets the target: automated backups with
point-in-time recovery (`backup_retention_period` of 1 or more, DynamoDB
`point_in_time_recovery { enabled = true }`, Cloud SQL
`point_in_time_recovery_enabled = true`), or a replica; or, if the target
was too ambitious for the application, change `rpo_hours` in the policy —
a decision for the application's owner, not for the provider.

## Options

- `applications.<name>.rpo_hours`: the application's recovery point
  objective, in hours. Not set: the rule is silent for it.
- `applications.<name>.match`: which resources belong to it (`tag:
  app=billing`, `paths: [...]`); default the `cost.application_tag` tag
  equal to its name.
"""

from __future__ import annotations

from iacgov.api import Application, applications, ResourceRule, RuleContext, Severity, application_for, continuity, \
    rule_meta_from_docstring


def _mechanisms(point) -> str:
    return "; ".join(
        f"{m.name} ({m.detail}): {continuity.hours_text(m.rpo_hours)}"
        f"{' (iacgov planning value)' if m.planning else ''}" for m in point.mechanisms)


class RpoWorseThanTarget(ResourceRule):
    meta = rule_meta_from_docstring(
        __doc__,
        code="BCK004",
        name="rpo-worse-than-target",
        severity=Severity.ERROR,
        security_severity=5.5,
        precision="medium",
        tags=("security", "continuity", "backup", "rpo", "application"),
    )

    def evaluate(self, resources, ctx: RuleContext):
        # Without a target there is nothing to compare: the continuity facts
        # are not even read (a scan without applications pays nothing for them).
        if not any(app.rpo_hours is not None for app in applications(ctx.policy)):
            return ()
        return super().evaluate(resources, ctx)

    def applies_to(self, resource):
        return continuity.judged(resource)

    def check(self, resource, ctx: RuleContext):
        app = application_for(resource, ctx.policy)
        if not isinstance(app, Application) or app.rpo_hours is None:
            return
        point = continuity.recovery_point(resource, ctx.index)
        if not isinstance(point, continuity.RecoveryPoint):
            return  # unknown settings: never a violation
        target = continuity.hours_text(app.rpo_hours) if app.rpo_hours else "no data loss"
        who = f"application {app.name}" + (f" (tier {app.tier})" if app.tier else "")
        if point.hours is None:
            yield self.finding(
                resource,
                f"{resource.address} has no backup ({point.missing}): its data cannot be recovered at all, but "
                f"{who} has a recovery point objective of {target}. Turn automated backups on (point-in-time "
                "recovery), or change the application's rpo_hours with its owner.",
                application=app.name, rpo_target_hours=app.rpo_hours, rpo_hours=None)
            return
        if point.hours <= app.rpo_hours:
            return
        best = point.best
        yield self.finding(
            resource,
            f"{resource.address} can be recovered to at best {continuity.hours_text(point.hours)} ago "
            f"({best.name}: {best.basis}), but {who} has a recovery point objective of {target}. "
            f"Mechanisms in the code: {_mechanisms(point)}. Add point-in-time recovery or a replica, or change the "
            "application's rpo_hours with its owner.",
            application=app.name, rpo_target_hours=app.rpo_hours, rpo_hours=point.hours,
            source=best.source)


RULE = RpoWorseThanTarget()
